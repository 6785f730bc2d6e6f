"""Inventory gaps: Shopify-side changes of lot/serial-tracked products, and the key taken after a stale
compare-and-swap stored before the re-send."""

from unittest.mock import patch

from odoo import fields

from ...models.core import shop as shop_module
from ...models.core.client_wiring import build_client
from .test_inventory_sync import InventorySyncCase


class TestTrackedProductChanges(InventorySyncCase):
    def setUp(self):
        super().setUp()
        self.shop.inventory_remote_policy = "apply"

    def tracked(self, product, tracking, lots):
        """`product` tracked by lot or serial, with {lot name: quantity} in stock."""
        product.product_tmpl_id.tracking = tracking
        Lot = self.env["stock.lot"]
        for name, quantity in lots.items():
            lot = Lot.create({"name": name, "product_id": product.id, "company_id": self.env.company.id})
            self.env["stock.quant"]._update_available_quantity(product, self.stock, quantity, lot_id=lot)
        self.push()
        self.assertEqual(self.shopify_quantity(product), sum(lots.values()))
        return product

    def shopify_changes_to(self, product, quantity):
        self.set_shopify_quantity(product, quantity).updated_at = self.emu_shop.now()
        outcome, _reason = self.env["shopify.inventory.level"]._handle_remote_update(
            self.shop, self.webhook_body(product)
        )
        self.assertEqual(outcome, "done")
        return self.env["shopify.inventory.change"].search([("product_id", "=", product.id)], limit=1)

    def quants(self, product):
        return self.env["stock.quant"].search(
            [("product_id", "=", product.id), ("location_id", "=", self.stock.id)]
        )

    def test_decrease_of_the_only_lot_in_stock_is_applied_to_that_lot(self):
        mug = self.tracked(self.products[0], "lot", {"LOT-A": 10})
        change = self.shopify_changes_to(mug, 7)
        self.assertEqual(change.outcome, "applied")
        self.assertTrue(change.stock_move_id.is_inventory)
        self.assertEqual(change.stock_move_id.move_line_ids.lot_id.name, "LOT-A")
        self.assertEqual(self.quants(mug).filtered("lot_id").quantity, 7)
        calls = self.set_calls()
        self.push()
        self.assertEqual(self.set_calls(), calls, "Odoo now agrees with Shopify")

    def test_last_serial_number_sold_on_shopify_is_applied(self):
        lamp = self.tracked(self.products[1], "serial", {"SN-1": 1})
        change = self.shopify_changes_to(lamp, 0)
        self.assertEqual(change.outcome, "applied")
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(lamp, self.stock), 0)

    def test_serial_numbers_are_never_guessed(self):
        lamp = self.tracked(self.products[2], "serial", {"SN-10": 1, "SN-11": 1, "SN-12": 1})
        change = self.shopify_changes_to(lamp, 2)
        self.assertEqual(change.outcome, "manual")
        self.assertFalse(change.stock_move_id)
        self.assertIn("serial number", change.note)
        self.assertIn("Physical Inventory", change.note)
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(lamp, self.stock), 3, "untouched")
        today = fields.Date.context_today(self.env["stock.quant"])
        self.assertEqual(set(self.quants(lamp).mapped("inventory_date")), {today}, "marked to count")

    def test_increase_of_a_lot_tracked_product_is_left_to_count(self):
        mug = self.tracked(self.products[3], "lot", {"LOT-B": 4})
        change = self.shopify_changes_to(mug, 9)
        self.assertEqual(change.outcome, "manual")
        self.assertIn("lot", change.note)
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(mug, self.stock), 4)


class TestStaleKeyStoredBeforeResend(InventorySyncCase):
    def test_new_key_is_committed_before_the_resend_and_replayed_after_a_lost_answer(self):
        Queue = self.env["shopify.queue.job"]
        mug = self.products[0]
        self.set_stock(mug, self.stock, 10)
        self.push()
        self.set_shopify_quantity(mug, 8)  # changed on Shopify, we have not heard of it
        self.set_stock(mug, self.stock, 12)
        [push] = self.shop._inventory_sync()
        first_key = push.idempotency_key
        calls = self.set_calls()
        commits = []  # (set calls made, key stored in the push row) at each queue commit point
        job_class = type(Queue)
        original = job_class._commit_progress

        def spy(job, done, remaining):
            job.env.flush_all()
            job.env.cr.execute("SELECT idempotency_key FROM shopify_inventory_push WHERE id = %s", [push.id])
            commits.append((self.set_calls() - calls, job.env.cr.fetchone()[0]))
            return original(job, done, remaining)

        with patch.object(job_class, "_commit_progress", spy):
            Queue._cron_process_queue()
        self.assertEqual(self.set_calls() - calls, 1, "STALE answer; the re-send waits for its own job")
        self.assertEqual(push.state, "pending")
        self.assertEqual(push.resend_rounds, 1)
        new_key = push.idempotency_key
        self.assertNotEqual(new_key, first_key)
        self.assertIn((1, new_key), commits, "the new key was committed before any re-send")
        resend = Queue.search([("kind", "=", "inventory_push"), ("state", "=", "pending")])
        self.assertEqual(resend.payload, {"push_id": push.id})

        # The re-send reaches Shopify, its answer is lost: the queue's retry replays the stored key.
        self.emu_shop.set_faults(lost_response_rate=1.0, timeout_seconds=0)
        with patch(f"{shop_module.__name__}.build_client", lambda shop: build_client(shop, max_attempts=1)):
            Queue._cron_process_queue()
        self.assertEqual(resend.state, "pending", "retryable: tried again later")
        self.assertEqual(self.shopify_quantity(mug), 12, "applied once on Shopify")
        self.assertEqual(push.idempotency_key, new_key)
        self.emu_shop.set_faults(reset=True)
        resend.sudo().write({"next_attempt_at": fields.Datetime.now()})
        Queue._cron_process_queue()
        self.assertEqual(resend.state, "done")
        self.assertEqual(push.state, "done")
        self.assertEqual(self.emu_shop.counters["idempotent_replays"], 1, "answered from Shopify's key store")
        self.assertEqual(self.shopify_quantity(mug), 12)
