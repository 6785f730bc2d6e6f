"""Counters of webhook deliveries that left no event row: rejected, duplicate, or purged by the autovacuum.

Append-only: each occurrence inserts a row, and readers sum them. Updating one shared counter row
instead would make concurrent requests conflict (Odoo runs REPEATABLE READ transactions: the losers
get serialization failures and are replayed with back-off, seconds per request under a burst). The
autovacuum folds old rows into one row per (kind, key, shop), so the table stays small; counts from
every worker and server add up and survive restarts (the metrics endpoint reads them).

A request that proved nothing (no valid signature) must cost no database write, or a flood of forged
requests would grow this table at request rate. Those counts are taken in this process's memory
(`_count`) and written by the next transaction that may write (`_flush_unflushed`): an authenticated
delivery handled by the same process, or the fold. Until then `_totals` adds them, so the metrics
served by this process include them; a process that stops before flushing loses its counts (the log
keeps one line per rejection).
"""

import functools
import threading
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models

STAT_KINDS = [
    ("rejected", "Rejected"),
    ("duplicate", "Duplicate"),
    ("purged", "Purged by retention"),
]


class UnflushedCounts:
    """Counts taken in this process and not yet written: per database, {(kind, key, shop_id): count}.

    Keys come from fixed sets (kinds, rejection reasons) and existing shop ids, never from request
    data, so the memory used stays bounded whatever arrives.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._by_db = {}

    def add(self, dbname, counts):
        with self._lock:
            self._by_db.setdefault(dbname, Counter()).update(counts)

    def take(self, dbname):
        """Remove and return the database's counts (give them back if they could not be written)."""
        with self._lock:
            return self._by_db.pop(dbname, Counter())

    def peek(self, dbname):
        with self._lock:
            return Counter(self._by_db.get(dbname, ()))


UNFLUSHED = UnflushedCounts()


class ShopifyWebhookStat(models.Model):
    _name = "shopify.webhook.stat"
    _description = "Shopify Webhook Counter"
    _order = "kind, key"

    kind = fields.Selection(STAT_KINDS, required=True, readonly=True, index=True)
    key = fields.Char(required=True, readonly=True, help="The rejection reason, or the topic.")
    shop_id = fields.Many2one("shopify.shop", index=True, ondelete="cascade", readonly=True)
    count = fields.Integer(readonly=True)

    def init(self):
        # Early versions kept one upserted row per key; that unique index would refuse appended rows.
        self.env.cr.execute("DROP INDEX IF EXISTS shopify_webhook_stat_key_uniq")

    @api.model
    def _increment(self, kind, key, shop=None, count=1):
        """Write one counter row now: for callers whose transaction may write (not unauthenticated ones)."""
        self.env.cr.execute(
            """
            INSERT INTO shopify_webhook_stat (kind, key, shop_id, count, create_date, write_date)
            VALUES (%(kind)s, %(key)s, %(shop)s, %(count)s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            """,
            {"kind": kind, "key": key, "shop": shop.id if shop else None, "count": count},
        )

    @api.model
    def _count(self, kind, key, shop=None):
        """Count one occurrence in this process's memory, without touching the database.

        Returns how many of (kind, key, shop) this process holds unwritten, for the log.
        """
        counts = Counter({(kind, key, shop.id if shop else None): 1})
        UNFLUSHED.add(self.env.cr.dbname, counts)
        return UNFLUSHED.peek(self.env.cr.dbname)[kind, key, shop.id if shop else None]

    @api.model
    def _flush_unflushed(self):
        """Write this process's unwritten counts in the current transaction.

        If the transaction rolls back (a serialization failure that Odoo replays, say), the counts
        go back to memory. Counts of a shop deleted meanwhile are dropped.
        """
        dbname = self.env.cr.dbname
        counts = UNFLUSHED.take(dbname)
        if not counts:
            return
        self.env.cr.postrollback.add(functools.partial(UNFLUSHED.add, dbname, counts))
        kinds, keys, shop_ids, values = zip(*((*key, count) for key, count in counts.items()), strict=True)
        self.env.cr.execute(
            """
            INSERT INTO shopify_webhook_stat (kind, key, shop_id, count, create_date, write_date)
                 SELECT counts.kind, counts.key, counts.shop_id, counts.count,
                        now() at time zone 'UTC', now() at time zone 'UTC'
                   FROM unnest(%s::varchar[], %s::varchar[], %s::int[], %s::int[])
                        AS counts(kind, key, shop_id, count)
                  WHERE counts.shop_id IS NULL
                     OR EXISTS (SELECT 1 FROM shopify_shop WHERE id = counts.shop_id)
            """,
            [list(kinds), list(keys), list(shop_ids), list(values)],
        )

    @api.model
    def _totals(self, shop_ids):
        """[(kind, key, shop_id or None, count)], counters without shop included.

        Written rows plus this process's unwritten counts (see the module docstring).
        """
        self.env.cr.execute(
            """
            SELECT kind, key, shop_id, sum(count) FROM shopify_webhook_stat
             WHERE shop_id IS NULL OR shop_id = ANY(%s)
          GROUP BY kind, key, shop_id
            """,
            [shop_ids],
        )
        totals = Counter({(kind, key, shop): count for kind, key, shop, count in self.env.cr.fetchall()})
        for (kind, key, shop), count in UNFLUSHED.peek(self.env.cr.dbname).items():
            if shop is None or shop in shop_ids:
                totals[kind, key, shop] += count
        return sorted(
            ((kind, key, shop, count) for (kind, key, shop), count in totals.items()),
            key=lambda row: (row[0], row[1], row[2] is not None, row[2] or 0),
        )

    @api.autovacuum
    def _gc_fold_counters(self):
        """Fold rows older than an hour into one row per (kind, key, shop); totals are unchanged.

        Also writes this process's unwritten counts (in a cron worker: those of its own requests).
        """
        self._flush_unflushed()
        limit = fields.Datetime.now() - timedelta(hours=1)
        self.env.cr.execute(
            """
            WITH folded AS (
                DELETE FROM shopify_webhook_stat WHERE create_date < %s RETURNING kind, key, shop_id, count
            )
            INSERT INTO shopify_webhook_stat (kind, key, shop_id, count, create_date, write_date)
                 SELECT kind, key, shop_id, sum(count), %s, %s FROM folded GROUP BY kind, key, shop_id
            """,
            [limit, limit, limit],
        )
