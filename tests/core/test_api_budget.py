"""The shared budget in PostgreSQL: bookings from concurrent connections are never lost."""

import threading
import uuid

from odoo.tests import TransactionCase

from ...models.core.api_budget import DatabaseBudget
from ...services.budget import WAIT_MARGIN_S

STATUS = {"maximumAvailable": 100.0, "currentlyAvailable": 100.0, "restoreRate": 10.0}


class TestDatabaseBudget(TransactionCase):
    def setUp(self):
        super().setUp()
        self.key = f"budget-test-{uuid.uuid4().hex}"
        self.now = [1000.0]
        self.budget = DatabaseBudget(self.registry, clock=lambda: self.now[0])
        self.addCleanup(self._drop_row)

    def _drop_row(self):
        # The budget commits on its own connections: clean up the same way.
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM shopify_api_bucket WHERE shop_key = %s", [self.key])

    def test_reserve_observe_release_round_trip(self):
        self.assertIsNone(self.budget.state(self.key))
        self.budget.observe(self.key, STATUS, 1000.0, 0)
        self.assertEqual(self.budget.reserve(self.key, 60), 0)
        self.assertAlmostEqual(
            self.budget.reserve(self.key, 60), 2.0 + WAIT_MARGIN_S
        )  # 40 left, 20 missing at 10/s
        state = self.budget.state(self.key)
        self.assertAlmostEqual(state.currently_available, -20)
        self.assertAlmostEqual(state.in_flight, 120)
        self.budget.release(self.key, 60)
        self.now[0] += 1.0
        state = self.budget.state(self.key)
        self.assertAlmostEqual(state.currently_available, 50)
        self.assertAlmostEqual(state.in_flight, 60)

    def test_state_is_visible_to_other_connections_at_once(self):
        self.budget.observe(self.key, STATUS, 1000.0, 0)
        self.budget.reserve(self.key, 30)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT currently_available, in_flight FROM shopify_api_bucket WHERE shop_key = %s",
                [self.key],
            )
            self.assertEqual(cr.fetchone(), (70.0, 30.0))

    def test_concurrent_bookings_are_all_counted(self):
        self.budget.observe(self.key, STATUS, 1000.0, 0)
        errors = []

        def book_many():
            try:
                for _ in range(20):
                    self.budget.reserve(self.key, 1)
            except Exception as error:  # reported to the main thread below
                errors.append(error)

        threads = [threading.Thread(target=book_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertEqual(errors, [])
        state = self.budget.state(self.key)
        self.assertAlmostEqual(state.in_flight, 80)
        self.assertAlmostEqual(state.currently_available, 20)
