"""The shops' API buckets in PostgreSQL, shared by every worker, cron thread and process.

`DatabaseBudget` implements services.budget.Budget on the table `shopify_api_bucket` (one row per
shop key, no foreign key: rows are written from separate transactions that cannot see uncommitted
shops). Each reserve/observe runs in its own short transaction on its own cursor, under a row lock
(SELECT … FOR UPDATE), and commits at once: the lock never spans an HTTP call and other workers see
the booking immediately. The transaction reads at READ COMMITTED so that the row read after waiting
for the lock is the latest one (Odoo's default REPEATABLE READ would fail on the concurrent update).
"""

import time

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo.sql_db import Cursor

from ...services import budget as budget_rules

# Column order = services.budget.BucketState field order.
_SELECT_STATE = """
    SELECT maximum_available, currently_available, restore_rate, updated_at, in_flight, observed_at
      FROM shopify_api_bucket
     WHERE shop_key = %s
"""


def create_table(cr):
    cr.execute(
        """
        CREATE TABLE IF NOT EXISTS shopify_api_bucket (
            shop_key varchar PRIMARY KEY,
            maximum_available double precision NOT NULL,
            currently_available double precision NOT NULL,
            restore_rate double precision NOT NULL,
            updated_at double precision,
            in_flight double precision NOT NULL DEFAULT 0,
            observed_at double precision
        )
        """
    )


class DatabaseBudget(budget_rules.Budget):
    def __init__(self, registry, clock=time.time):
        self._registry = registry
        self._clock = clock

    def reserve(self, shop_key, cost):
        def book(state):
            return budget_rules.book(state, cost, self._clock())

        return self._locked_update(shop_key, book)

    def observe(self, shop_key, throttle_status, at, reserved, charged=None):
        def correct(state):
            return budget_rules.observed(state, throttle_status, at, reserved, self._clock(), charged), None

        self._locked_update(shop_key, correct)

    def release(self, shop_key, reserved):
        def give_back(state):
            return budget_rules.released(state, reserved, self._clock()), None

        self._locked_update(shop_key, give_back)

    def state(self, shop_key):
        with self._registry.cursor() as cr:
            cr.execute(_SELECT_STATE, [shop_key])
            row = cr.fetchone()
        if not row:
            return None
        return budget_rules.refilled(budget_rules.BucketState(*row), self._clock())

    def _locked_update(self, shop_key, change):
        """Apply `change(state) -> (new_state, result)` to the shop's row under its lock; return result."""
        with self._registry.cursor() as cr:
            if isinstance(cr, Cursor):  # not the shared test cursor of HttpCase
                cr.connection.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            default = budget_rules.BucketState()
            cr.execute(
                """
                INSERT INTO shopify_api_bucket
                       (shop_key, maximum_available, currently_available, restore_rate)
                VALUES (%s, %s, %s, %s) ON CONFLICT (shop_key) DO NOTHING
                """,
                [shop_key, default.maximum_available, default.currently_available, default.restore_rate],
            )
            cr.execute(_SELECT_STATE + " FOR UPDATE", [shop_key])
            state, result = change(budget_rules.BucketState(*cr.fetchone()))
            cr.execute(
                """
                UPDATE shopify_api_bucket
                   SET maximum_available = %s, currently_available = %s, restore_rate = %s,
                       updated_at = %s, in_flight = %s, observed_at = %s
                 WHERE shop_key = %s
                """,
                [
                    state.maximum_available,
                    state.currently_available,
                    state.restore_rate,
                    state.updated_at,
                    state.in_flight,
                    state.observed_at,
                    shop_key,
                ],
            )
        # Leaving the `with` block commits and closes the cursor: the lock is released here.
        return result
