"""Leased budget: calls are booked in the process, PostgreSQL is written once per lease; several workers
at Shopify Plus rates are never throttled; a worker that dies with a lease never lets the bucket be
over-spent and its points count again once its lease expires."""

import contextlib
import random
import threading
import uuid

from odoo.tests import TransactionCase

from ...models.core.api_budget import DatabaseLeaseStore
from ...models.core.client_wiring import build_client
from ...services import budget as budget_rules
from ...services.budget import LEASE_GRACE_S, LEASE_SPEND_S, LeasedBudget
from ...services.errors import UserErrorsError
from ..common import EmulatorCase

PLUS = {"maximumAvailable": 20000.0, "currentlyAvailable": 20000.0, "restoreRate": 1000.0}
EMPTY_PLUS = dict(PLUS, currentlyAvailable=0.0)
UNKNOWN_WEBHOOK = "gid://shopify/WebhookSubscription/0"


class LeaseKeyMixin:
    def new_key(self, prefix):
        key = f"{prefix}-{uuid.uuid4().hex}"
        self.addCleanup(self._drop_rows, key)
        return key

    def _drop_rows(self, key):
        # The store commits on its own connections: clean up the same way.
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM shopify_api_bucket WHERE shop_key = %s", [key])
            cr.execute("DELETE FROM shopify_api_lease WHERE shop_key = %s", [key])

    def accounts(self, key):
        with self.registry.cursor() as cr:
            cr.execute("SELECT holder, points FROM shopify_api_lease WHERE shop_key = %s", [key])
            return dict(cr.fetchall())


class TestLeasedBudget(LeaseKeyMixin, TransactionCase):
    def setUp(self):
        super().setUp()
        self.key = self.new_key("lease")
        self.now = [1000.0]
        self.store = DatabaseLeaseStore(self.registry, clock=lambda: self.now[0])

    def budget(self):
        return LeasedBudget(self.store, clock=lambda: self.now[0])

    def test_one_lease_serves_many_calls_and_is_settled_with_the_next(self):
        self.store.observe(self.key, PLUS, self.now[0], 0)
        budget = self.budget()
        for call in range(50):  # 50 mutations of 10 points: one lease of half a second of restore
            self.assertEqual(budget.reserve(self.key, 10), 0)
            shopify = dict(PLUS, currentlyAvailable=20000.0 - 8 * (call + 1))
            budget.observe(self.key, shopify, self.now[0], 10, charged=8)
        self.assertEqual(budget.leases_taken, 1)
        state = self.store.state(self.key)
        self.assertAlmostEqual(state.currently_available, 20000 - 500)
        self.assertAlmostEqual(state.in_flight, 500)
        self.assertEqual(self.accounts(self.key), {budget.holder: 500})
        # Each call was charged 8 of its 10: 100 points left in the lease, enough for 10 more calls.
        for _ in range(10):
            budget.reserve(self.key, 10)
        self.assertEqual(budget.leases_taken, 1)
        # A 500-point query does not fit what is left: the next lease settles the first (400 charged,
        # the 100 booked by the calls still unanswered stay in flight) and books 500 more.
        budget.reserve(self.key, 500)
        self.assertEqual(budget.leases_taken, 2)
        state = self.store.state(self.key)
        self.assertAlmostEqual(state.in_flight, 100 + 500)
        self.assertEqual(self.accounts(self.key), {budget.holder: 600})
        # Shopify holds 19600; 100 + 500 are booked and not spent yet: 19000 left to book.
        self.assertAlmostEqual(state.currently_available, 19600 - 600)

    def test_a_drained_bucket_makes_leases_wait_in_turn(self):
        self.store.observe(self.key, EMPTY_PLUS, self.now[0], 0)
        first, second = self.budget(), self.budget()
        self.assertAlmostEqual(first.reserve(self.key, 10), 0.5 + budget_rules.WAIT_MARGIN_S)
        self.assertAlmostEqual(second.reserve(self.key, 10), 1.0 + budget_rules.WAIT_MARGIN_S)
        # The first worker's next calls wait for the same lease, not longer.
        self.now[0] += 0.2
        self.assertAlmostEqual(first.reserve(self.key, 10), 0.3 + budget_rules.WAIT_MARGIN_S)
        self.assertEqual(first.leases_taken, 1)

    def test_a_throttled_answer_spoils_the_lease(self):
        self.store.observe(self.key, PLUS, self.now[0], 0)
        budget = self.budget()
        budget.reserve(self.key, 10)
        # Shopify has less than the 490 points we think we hold (someone spent behind our back).
        budget.observe(self.key, dict(PLUS, currentlyAvailable=50.0), self.now[0], 10, charged=0)
        budget.reserve(self.key, 10)
        self.assertEqual(budget.leases_taken, 2)
        state = self.store.state(self.key)
        # Resynchronised on Shopify's 50 (nothing else in flight), less the new lease of 500.
        self.assertAlmostEqual(state.currently_available, 50 - 500)

    def test_a_worker_dying_with_a_lease_never_lets_the_bucket_be_over_spent(self):
        self.store.observe(self.key, PLUS, self.now[0], 0)
        dead = self.budget()
        dead.reserve(self.key, 10)  # 500 points booked, then the worker is killed before sending
        survivor = self.budget()
        survivor.reserve(self.key, 10)
        self.now[0] += 5.0
        survivor.observe(self.key, dict(PLUS, currentlyAvailable=19990.0), self.now[0], 10, charged=10)
        survivor.settle()
        # The bucket has refilled, but the dead worker's 500 points still count as in flight: nobody may
        # book them (were it alive, it could still spend them) until its lease expires.
        state = self.store.state(self.key)
        self.assertAlmostEqual(state.in_flight, 500)
        self.assertAlmostEqual(state.currently_available, 20000 - 500)
        self.assertEqual(self.accounts(self.key), {dead.holder: 500, survivor.holder: 0})
        self.assertAlmostEqual(survivor.reserve(self.key, 19500), 0)
        survivor.release(self.key, 19500)
        survivor.settle()
        # After the lease's expiry (its spending window and the grace period), the next lease forgets
        # the dead account: its points stop counting in flight and can be booked again.
        self.now[0] += LEASE_SPEND_S + LEASE_GRACE_S
        survivor.reserve(self.key, 10)
        self.assertNotIn(dead.holder, self.accounts(self.key))
        state = self.store.state(self.key)
        self.assertAlmostEqual(state.in_flight, 500)  # the survivor's new lease only
        self.assertAlmostEqual(state.currently_available, 20000 - 500)


class TestLeasedBudgetAtPlusRates(LeaseKeyMixin, EmulatorCase):
    """Four workers (each with its own LeasedBudget, as separate processes have) on one Plus bucket that
    starts empty, real clock: mutations of 10 points and queries of 50–250, never THROTTLED."""

    WORKERS = 4
    SECONDS = 3.0

    def setUp(self):
        super().setUp()
        self.emu_shop.seed_products(260)
        self.emu_shop.set_faults(reset=True)
        self.key = self.new_key("plus")

    def test_workers_at_plus_rates_are_never_throttled(self):
        store = DatabaseLeaseStore(self.registry)
        budgets = [LeasedBudget(store) for _ in range(self.WORKERS)]
        records = [[] for _ in range(self.WORKERS)]
        clients = [
            build_client(self.shop, budget=budget, recorder=records[index].append, shop_key=self.key)
            for index, budget in enumerate(budgets)
        ]
        for client in clients:
            self.addCleanup(client.close)
        # Documents parsed and the emulator's schema loaded outside the measured window.
        warm_up = self.direct_client()
        warm_up.execute("product_ids_page", {"first": 1})
        with contextlib.suppress(UserErrorsError):
            warm_up.execute("webhook_subscription_delete", {"id": UNKNOWN_WEBHOOK})
        self.emu_shop.set_bucket(max_available=20000, restore_rate=1000, available=0)
        store.observe(self.key, EMPTY_PLUS, budget_rules.time.time(), 0)
        throttled_before = self.emu_shop.counters["throttled"]
        errors = []
        stop = threading.Event()

        def work(index, client):
            rng = random.Random(index)
            try:
                while not stop.is_set():
                    if rng.random() < 0.7:
                        # The id is unknown: a 10-point mutation that changes nothing.
                        with contextlib.suppress(UserErrorsError):
                            client.execute("webhook_subscription_delete", {"id": UNKNOWN_WEBHOOK})
                    else:
                        client.execute("product_ids_page", {"first": rng.randint(48, 248)})
            except Exception as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=work, args=pair) for pair in enumerate(clients)]
        for thread in threads:
            thread.start()
        stop.wait(self.SECONDS)
        stop.set()
        for thread in threads:
            thread.join(60)
        self.assertEqual(errors, [])
        calls = [record for worker in records for record in worker]
        self.assertEqual(self.emu_shop.counters["throttled"], throttled_before)
        self.assertEqual({record.outcome for record in calls} - {"error"}, {"ok"})
        # Far fewer leases than calls: the database is written once per lease, not twice per call.
        leases = sum(budget.leases_taken for budget in budgets)
        self.assertGreater(len(calls), 3 * leases)
        # And the restore rate was used: more than half of 1000 points/s over the window.
        charged = sum(record.actual_cost or 0 for record in calls)
        self.assertGreater(charged, 0.5 * 1000 * self.SECONDS)
