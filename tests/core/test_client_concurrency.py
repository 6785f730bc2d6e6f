"""Several workers share one shop's bucket through the database budget and are never throttled."""

import threading
import uuid

from ...models.core.api_budget import DatabaseBudget
from ...models.core.client_wiring import build_client
from ...services.budget import InMemoryBudget
from ...services.errors import ThrottledError
from ..common import EmulatorCase

WORKERS = 3
CALLS_PER_WORKER = 8
PAGE = 8  # requested cost 2 + 8 = 10, all of it charged (the shop has more products than a page)


class TestSharedBudgetConcurrency(EmulatorCase):
    """Real clock: the workers really wait for a small bucket (30 points, 60/s) to refill."""

    def setUp(self):
        super().setUp()
        self.emu_shop.seed_products(PAGE + 2)
        self.emu_shop.set_bucket(max_available=30, restore_rate=60, available=30)
        self.emu_shop.set_faults(reset=True)
        self.budget_key = f"concurrency-{uuid.uuid4().hex}"
        self.addCleanup(self._drop_bucket)

    def _drop_bucket(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM shopify_api_bucket WHERE shop_key = %s", [self.budget_key])

    def run_workers(self, budget_for_worker):
        """Each worker: its own client (built here: the ORM is not shared across threads), its own
        budget connection(s), CALLS_PER_WORKER pages. Returns every CallRecord and any worker error."""
        records = [[] for _ in range(WORKERS)]
        clients = [
            build_client(
                self.shop,
                budget=budget_for_worker(index),
                recorder=records[index].append,
                shop_key=self.budget_key,
                max_total_s=60.0,
            )
            for index in range(WORKERS)
        ]
        errors = []

        def work(client):
            try:
                for _ in range(CALLS_PER_WORKER):
                    client.execute("product_ids_page", {"first": PAGE})
            except Exception as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=work, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return [record for worker in records for record in worker], errors

    def test_workers_sharing_the_database_budget_are_never_throttled(self):
        shared = DatabaseBudget(self.registry)
        # The bucket row exists once the shop has been talked to: learn it from one call first.
        build_client(self.shop, budget=shared, shop_key=self.budget_key, recorder=None).execute(
            "product_ids_page", {"first": PAGE}
        )
        throttled_before = self.emu_shop.counters["throttled"]
        records, errors = self.run_workers(lambda _index: shared)
        self.assertEqual(errors, [])
        self.assertEqual(len(records), WORKERS * CALLS_PER_WORKER)
        self.assertEqual({record.outcome for record in records}, {"ok"})
        self.assertEqual(self.emu_shop.counters["throttled"], throttled_before)
        # They did have to wait for the bucket: 240 points through a 30-point bucket.
        self.assertGreater(sum(record.throttle_wait_ms for record in records), 1000)

    def test_workers_with_their_own_buckets_do_get_throttled(self):
        # The control experiment: same load, each worker believing the whole bucket is its own.
        status = {"maximumAvailable": 30, "currentlyAvailable": 30, "restoreRate": 60}
        budgets = [InMemoryBudget() for _ in range(WORKERS)]
        for budget in budgets:
            budget.observe(self.budget_key, status, budget._clock(), 0)
        records, errors = self.run_workers(budgets.__getitem__)
        # Some workers may even run out of retries.
        self.assertTrue(all(isinstance(error, ThrottledError) for error in errors), errors)
        self.assertGreater(sum(record.outcome == "throttled" for record in records), 0)
        self.assertGreater(self.emu_shop.counters["throttled"], 0)
