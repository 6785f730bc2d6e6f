"""The shops' API buckets in PostgreSQL, shared by every worker, cron thread and process.

`DatabaseBudget` implements services.budget.Budget on the table `shopify_api_bucket` (one row per
shop key, no foreign key: rows are written from separate transactions that cannot see uncommitted
shops). Each reserve/observe runs in its own short transaction on its own cursor, under a row lock
(SELECT … FOR UPDATE), and commits at once: the lock never spans an HTTP call and other workers see
the booking immediately. The transaction reads at READ COMMITTED so that the row read after waiting
for the lock is the latest one (Odoo's default REPEATABLE READ would fail on the concurrent update).

`DatabaseLeaseStore` is the same row seen through leases (services.budget.LeasedBudget): one locked
transaction per lease instead of two per call. Each process's points of a shop are an account row in
`shopify_api_lease` (holder, points still counted in flight, expiry); an account not renewed before its
expiry belongs to a process that died, and the next lease taken on that shop forgets it.
`shared_budget(registry)` is the one LeasedBudget of this process and database, the clients' default.
"""

import atexit
import logging
import os
import threading
import time

from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo.sql_db import Cursor

from ...services import budget as budget_rules

_logger = logging.getLogger(__name__)

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
    cr.execute(
        """
        CREATE TABLE IF NOT EXISTS shopify_api_lease (
            shop_key varchar NOT NULL,
            holder varchar NOT NULL,
            points double precision NOT NULL,
            expires_at double precision NOT NULL,
            PRIMARY KEY (shop_key, holder)
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
        return self._locked(shop_key, lambda _cr, state: change(state))

    def _locked(self, shop_key, change):
        """Apply `change(cr, state) -> (new_state, result)` to the shop's row under its lock, in the same
        transaction as what `change` does with `cr`; return result."""
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
            state, result = change(cr, budget_rules.BucketState(*cr.fetchone()))
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


class DatabaseLeaseStore(DatabaseBudget, budget_rules.LeaseStore):
    """Leases on the shop's bucket row: one short locked transaction per lease (services.budget)."""

    def lease(self, shop_key, holder, cost, settlement, spend_s):
        def grant(cr, state):
            now = self._clock()
            state = self._settle_account(cr, state, shop_key, holder, settlement, now)
            points = budget_rules.lease_size(state, cost)
            state, wait = budget_rules.book(state, points, now)
            self._add_to_account(
                cr, shop_key, holder, points, now + wait + spend_s + budget_rules.LEASE_GRACE_S
            )
            return state, budget_rules.Grant(points, wait)

        return self._locked(shop_key, grant)

    def settle(self, shop_key, holder, settlement):
        def give_back(cr, state):
            return self._settle_account(cr, state, shop_key, holder, settlement, self._clock()), None

        self._locked(shop_key, give_back)

    def _settle_account(self, cr, state, shop_key, holder, settlement, now):
        """Forget the accounts of dead processes, then settle `holder`'s (under the bucket row's lock)."""
        cr.execute(
            """
            DELETE FROM shopify_api_lease
             WHERE shop_key = %s AND holder != %s AND expires_at < %s
         RETURNING points
            """,
            [shop_key, holder, now],
        )
        expired = sum(points for (points,) in cr.fetchall())
        if expired:
            _logger.info("Shopify budget %s: %.0f points of expired leases forgotten", shop_key, expired)
            state = budget_rules.forgotten(state, expired, now)
        cr.execute(
            "SELECT points FROM shopify_api_lease WHERE shop_key = %s AND holder = %s", [shop_key, holder]
        )
        row = cr.fetchone()
        held = row[0] if row else 0.0
        state = budget_rules.settled(
            state,
            settlement.given_back,
            settlement.charged,
            held,
            settlement.throttle_status,
            settlement.at,
            now,
            settlement.spoiled,
        )
        if row:
            cr.execute(
                "UPDATE shopify_api_lease SET points = %s WHERE shop_key = %s AND holder = %s",
                [max(0.0, held - settlement.given_back - settlement.charged), shop_key, holder],
            )
        return state

    def _add_to_account(self, cr, shop_key, holder, points, expires_at):
        cr.execute(
            """
            INSERT INTO shopify_api_lease (shop_key, holder, points, expires_at)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (shop_key, holder)
            DO UPDATE SET points = shopify_api_lease.points + EXCLUDED.points,
                          expires_at = EXCLUDED.expires_at
            """,
            [shop_key, holder, points, expires_at],
        )


# One LeasedBudget per process and database: its accounts outlive the clients (one per job or thread).
_SHARED = {}
_SHARED_LOCK = threading.Lock()


def shared_budget(registry):
    """The process's leased budget on `registry`'s database (clients built by client_wiring use it)."""
    with _SHARED_LOCK:
        budget = _SHARED.get(registry.db_name)
        if budget is None:
            budget = _SHARED[registry.db_name] = budget_rules.LeasedBudget(DatabaseLeaseStore(registry))
        return budget


def settle_shared_budgets():
    """Give back what this process's leases hold (at exit; tests between cases). Best effort: a failure
    leaves the account to expire."""
    with _SHARED_LOCK:
        budgets = list(_SHARED.values())
    for budget in budgets:
        try:
            budget.settle()
        except Exception:  # at exit the database may be gone: the lease then expires
            _logger.info("Shopify budget: leases left to expire", exc_info=True)


def _forget_inherited_leases():
    # A forked child (Odoo's prefork workers) must not spend its parent's leases: it takes its own.
    # A lock held by a parent's thread at fork time would stay held in the child.
    global _SHARED_LOCK
    _SHARED_LOCK = threading.Lock()
    _SHARED.clear()


os.register_at_fork(after_in_child=_forget_inherited_leases)
atexit.register(settle_shared_budgets)
