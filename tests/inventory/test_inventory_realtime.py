"""Stock in near real time (issue 22): a change is pushed after the shop's push delay, bursts still go
out in ⌈n/250⌉ calls, a change made while a push is in flight goes with the next one, and two workers
never push one shop at once.

"A commit" is `env.cr.precommit.run()` (what a commit runs first: the debounced sync is queued there);
"time passing" is the pending jobs coming due (`come_due`), then the queue runs as its cron would,
until nothing is ready.
"""

import time
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields

from ..common import ShopifyCase
from .test_inventory_sync import InventorySyncCase


class RealtimeCase(InventorySyncCase):
    def commit(self):
        self.env.cr.precommit.run()

    def jobs(self, kind, state=None):
        domain = [("shop_id", "=", self.shop.id), ("kind", "=", kind)]
        return self.env["shopify.queue.job"].search(domain + ([("state", "=", state)] if state else []))

    def come_due(self):
        self.jobs("inventory_sync", "pending").sudo().write({"next_attempt_at": fields.Datetime.now()})

    def run_queue(self):
        """The queue cron, run again while it finds ready work (as ir.cron does on `remaining`)."""
        Queue = self.env["shopify.queue.job"]
        for _round in range(10):
            if not Queue._cron_process_queue():
                return
        self.fail("the queue never ran dry")


class TestPushAfterDelay(RealtimeCase):
    def test_one_change_is_on_shopify_within_the_delay_and_one_push(self):
        self.shop.inventory_push_delay = 1
        mug = self.products[0]
        changed_at = time.monotonic()
        self.set_stock(mug, self.stock, 7)
        self.commit()
        [sync] = self.jobs("inventory_sync", "pending")
        due = sync.next_attempt_at
        self.assertLessEqual(due - fields.Datetime.now(), timedelta(seconds=1))
        self.assertGreater(due, fields.Datetime.now() - timedelta(seconds=1))
        cron = self.env["shopify.queue.job"]._queue_cron()
        if cron.active:
            triggers = self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", cron.id)])
            self.assertIn(due, triggers.mapped("call_at"), "the queue cron is triggered for that second")
        self.env["shopify.queue.job"]._cron_process_queue()
        if fields.Datetime.now() < due:
            self.assertEqual(sync.state, "pending", "not before the delay")
        time.sleep(max(0.0, (due - fields.Datetime.now()).total_seconds()) + 1.05)
        self.run_queue()
        elapsed = time.monotonic() - changed_at
        self.assertEqual(self.shopify_quantity(mug), 7)
        self.assertEqual(sync.state, "done")
        self.assertEqual(len(self.jobs("inventory_push", "done")), 1, "one push")
        self.assertEqual(self.set_calls(), 1)
        self.assertLess(elapsed, 1 + 1 + 5, "the delay, the second the trigger rounds to, and one push")
        self.assertFalse(self.level_of(mug).waiting_since, "nothing waits any more")

    def test_zero_delay_leaves_changes_to_the_scheduled_sync(self):
        self.shop.inventory_push_delay = 0
        self.set_stock(self.products[1], self.stock, 3)
        self.commit()
        self.assertFalse(self.jobs("inventory_sync"))
        self.env["shopify.shop"]._cron_sync_inventory()
        self.run_queue()
        self.assertEqual(self.shopify_quantity(self.products[1]), 3)


class TestBurst(RealtimeCase):
    variant_count = 600

    def test_600_changes_within_a_second_go_out_in_3_calls(self):
        self.shop.inventory_push_delay = 3
        Quant = self.env["stock.quant"].sudo()
        # Made before the sync is due, however long this machine takes to make them: the queue only runs
        # after the last one (come_due), as it would after a burst shorter than the delay.
        for first in range(0, 600, 50):  # twelve transactions of fifty changes
            Quant.create(
                [
                    {"product_id": product.id, "location_id": self.stock.id, "quantity": index % 7 + 1}
                    for index, product in enumerate(self.products[first : first + 50], start=first + 1)
                ]
            )
            self.commit()
        self.assertEqual(len(self.jobs("inventory_sync")), 1, "one pending sync for the whole burst")
        self.come_due()
        self.run_queue()
        self.assertEqual(self.set_calls(), 3)
        self.assertEqual(len(self.jobs("inventory_push", "done")), 3)
        wrong = [
            product.id
            for index, product in enumerate(self.products, start=1)
            if self.shopify_quantity(product) != index % 7 + 1
        ]
        self.assertFalse(wrong)


class TestChangeDuringPush(RealtimeCase):
    def test_a_change_while_a_push_is_in_flight_is_sent_by_the_next_push(self):
        self.shop.inventory_push_delay = 3
        mug = self.products[2]
        self.set_stock(mug, self.stock, 5)
        self.commit()
        self.come_due()
        [sync] = self.jobs("inventory_sync", "pending")
        sync._run()  # prepares the push: it owns the mug's level from now on
        [push_job] = self.jobs("inventory_push", "pending")
        push = self.env["shopify.inventory.push"].browse(push_job.payload["push_id"])
        self.assertEqual(self.level_of(mug).push_id, push)

        self.set_stock(mug, self.stock, 9)  # while the push is in flight
        self.commit()
        self.come_due()
        [next_sync] = self.jobs("inventory_sync", "pending")
        next_sync._run()
        self.assertEqual(next_sync.state, "skipped", "the in-flight push owns the level: nothing new")
        level = self.level_of(mug)
        self.assertTrue(level.needs_push)
        self.assertEqual(level.push_id, push)
        self.assertEqual([row["quantity"] for row in push.rows], [5], "the push in flight is unchanged")

        push_job._run()
        self.assertEqual(self.shopify_quantity(mug), 5)
        self.assertTrue(level.waiting_since, "the second change still waits")
        [after] = self.jobs("inventory_sync", "pending")
        self.assertTrue(after, "the push queued the next one for what changed meanwhile")
        self.come_due()
        self.run_queue()
        self.assertEqual(self.shopify_quantity(mug), 9, "never lost")
        self.assertEqual(self.set_calls(), 2)
        self.assertFalse(level.waiting_since)

    def test_health_shows_the_oldest_change_waiting(self):
        Health = self.env["shopify.health"]
        self.shop.inventory_push_delay = 3
        self.set_stock(self.products[3], self.stock, 4)
        self.commit()
        later = fields.Datetime.now() + timedelta(seconds=42)
        health = Health._snapshot(self.shop, now=later)[self.shop.id]["inventory"]
        self.assertGreaterEqual(health["oldest_waiting_age_s"], 41, "a recorded change, not a level yet")
        self.come_due()
        self.jobs("inventory_sync", "pending")._run()  # now a flagged level in flight
        health = Health._snapshot(self.shop, now=later)[self.shop.id]["inventory"]
        self.assertGreaterEqual(health["oldest_waiting_age_s"], 41, "in flight still waits")
        metrics = Health._metrics_text(self.shop, now=later)
        self.assertRegex(
            metrics,
            rf'shopify_inventory_oldest_waiting_age_seconds\{{shop="{self.shop.shop_domain}"\}} 4[123]',
        )
        self.assertTrue(self.shop.dash_stock_oldest_waiting_age)
        self.run_queue()
        health = Health._snapshot(self.shop)[self.shop.id]["inventory"]
        self.assertEqual(health, {"oldest_waiting_age_s": 0, "oldest_waiting_since": None})


class TestOneWorkerPerShop(ShopifyCase):
    """Two workers are two connections; the shop and its lock row are committed (the test transaction
    is invisible to other connections) and removed afterwards."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {"name": "push lock", "shop_domain": "push-lock-test.myshopify.com", "client_secret": "s"}
            )
            shop._state_row("inventory_push")
            self.shop_id = shop.id
        self.addCleanup(self._drop_shop)

    def _drop_shop(self):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["shopify.shop"].browse(self.shop_id).unlink()

    def worker(self):
        cr = self.registry.cursor()
        self.addCleanup(cr.close)
        return api.Environment(cr, SUPERUSER_ID, {})["shopify.shop"].browse(self.shop_id)

    def test_two_workers_never_push_the_same_shop_at_once(self):
        first, second = self.worker(), self.worker()
        second.env.cr.execute("SELECT 1")  # the second worker's snapshot starts now
        self.assertTrue(first._inventory_push_lock())
        self.assertTrue(first._inventory_push_lock(), "re-entrant within the holder's transaction")
        self.assertFalse(second._inventory_push_lock(), "held by the first worker")

        # A sync job on the second worker meanwhile: no push, the sync asked again a second later.
        job = second.env["shopify.queue.job"]._enqueue(second, "inventory_sync", dedupe_key="inventory_sync")
        job.state = "running"
        self.assertEqual(job._dispatch()[0], "skipped")
        [again] = second.env["shopify.queue.job"].search(
            [("shop_id", "=", second.id), ("kind", "=", "inventory_sync"), ("state", "=", "pending")]
        )
        self.assertGreater(again.next_attempt_at, fields.Datetime.now() - timedelta(seconds=1))

        first.env.cr.commit()  # pylint: disable=invalid-commit
        self.assertFalse(
            second._inventory_push_lock(),
            "its snapshot predates the first worker's push: it must not push on stale data",
        )
        second.env.cr.rollback()
        self.assertTrue(second._inventory_push_lock(), "a fresh transaction takes it")
        self.assertFalse(first._inventory_push_lock(), "now the first one waits")
        second.env.cr.rollback()
