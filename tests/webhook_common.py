"""Keeping the webhook counters that live in the process's memory out of other tests' way."""

from ..models.engine.webhook_stat import UNFLUSHED


def isolate_unflushed_counts(case):
    """Start the test with no unwritten webhook counts, and drop the ones it leaves (its transaction,
    where flushed counts went, is rolled back too); what was held before comes back afterwards."""
    dbname = case.env.cr.dbname
    held = UNFLUSHED.take(dbname)

    def restore():
        UNFLUSHED.take(dbname)
        UNFLUSHED.add(dbname, held)

    case.addCleanup(restore)
