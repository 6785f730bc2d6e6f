"""A Shopify-side change left "To count in Odoo" holds its (variant, location) pair: neither the scheduled
sync nor a reconciliation pushes Odoo's uncounted quantity over it, until the count is applied in Odoo
or a manager dismisses the change."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from . import test_inventory_gaps as gaps
from .test_inventory_sync import InventorySyncCase


class TestHeldPairs(InventorySyncCase):
    tracked = gaps.TestTrackedProductChanges.tracked
    shopify_changes_to = gaps.TestTrackedProductChanges.shopify_changes_to
    quants = gaps.TestTrackedProductChanges.quants

    def setUp(self):
        super().setUp()
        self.shop.inventory_remote_policy = "apply"
        self.mug = self.tracked(self.products[3], "lot", {"LOT-B": 4})
        self.change = self.shopify_changes_to(self.mug, 9)  # which lot? left to count
        self.level = self.level_of(self.mug)

    def scheduled_sync(self):
        """The 5-minute cron, then the queue that sends its pushes."""
        self.env["shopify.shop"]._cron_sync_inventory()
        self.env["shopify.queue.job"]._cron_process_queue()

    def lot_quant(self):
        return self.quants(self.mug).filtered("lot_id")

    def test_change_to_count_holds_the_pair(self):
        self.assertEqual(self.change.outcome, "manual")
        self.assertEqual(self.change.hold_state, "held")
        self.assertEqual(self.level.hold_change_id, self.change)
        self.assertIn("not pushed", self.change.note)

    def test_held_pair_is_not_pushed_by_the_scheduled_sync(self):
        towel = self.products[0]
        self.set_stock(towel, self.stock, 6)  # an unrelated change goes out in the same run
        # Odoo's stock of the held product moves too (one more unit of the lot received).
        lot = self.lot_quant().lot_id
        self.env["stock.quant"]._update_available_quantity(self.mug, self.stock, 1, lot_id=lot)
        calls = self.set_calls()
        self.scheduled_sync()
        self.assertEqual(self.set_calls(), calls + 1)
        self.assertEqual(self.shopify_quantity(towel), 6)
        self.assertEqual(self.shopify_quantity(self.mug), 9, "Shopify's change is kept")
        self.assertTrue(self.level.needs_push, "pushed once released")
        self.assertEqual(self.level.hold_change_id, self.change, "an unrelated count releases nothing")

    def test_held_pair_is_not_pushed_by_reconciliation_and_is_reported(self):
        self.set_shopify_quantity(self.products[0], 3)  # real drift elsewhere
        drift = self.shop._inventory_reconcile()
        self.env["shopify.queue.job"]._cron_process_queue()
        for push in self.env["shopify.inventory.push"].search([("state", "=", "pending")]):
            push._send()
        self.assertEqual(drift.pairs_differed, 1)
        self.assertEqual(drift.pairs_held, 1)
        self.assertEqual(drift.held[0]["odoo"], 4)
        self.assertEqual(drift.held[0]["shopify"], 9)
        self.assertIn(self.mug.display_name, drift.held_text)
        self.assertIn("from 4 to 9", drift.held_text)
        self.assertIn("Physical Inventory", drift.held_text)
        self.assertIn("dismiss the change", drift.held_text)
        self.assertEqual(self.shopify_quantity(self.products[0]), 0, "the drift was fixed")
        self.assertEqual(self.shopify_quantity(self.mug), 9, "the held pair was not")

    def test_dashboard_counts_held_pairs_apart_from_pairs_to_push(self):
        self.level.needs_push = True  # held pairs stay flagged, to be pushed once released
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.dash_stock_held_count, 1)
        pending_with_hold = self.shop.dash_stock_pending_count
        self.change.action_dismiss()
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.dash_stock_held_count, 0)
        self.assertEqual(self.shop.dash_stock_pending_count, pending_with_hold + 1)

    def test_count_applied_in_odoo_releases_the_hold(self):
        quant = self.lot_quant().with_context(inventory_mode=True)
        quant.inventory_quantity = 8  # the person counted 8
        quant.action_apply_inventory()
        self.assertEqual(self.change.hold_state, "counted")
        self.assertTrue(self.change.released_at)
        self.assertFalse(self.level.hold_change_id)
        self.scheduled_sync()
        self.assertEqual(self.shopify_quantity(self.mug), 8)

    def test_dismissed_change_releases_the_hold_and_odoo_wins(self):
        self.change.action_dismiss()
        self.assertEqual(self.change.hold_state, "dismissed")
        self.assertFalse(self.level.hold_change_id)
        self.scheduled_sync()
        self.assertEqual(self.shopify_quantity(self.mug), 4)
        self.assertEqual(self.shop._inventory_reconcile().pairs_held, 0)

    def test_a_further_change_on_a_held_pair_waits_for_the_count(self):
        # One lot in stock: a decrease would normally be applied to it, but the pair is still to count.
        second = self.shopify_changes_to(self.mug, 8)
        self.assertEqual(second.outcome, "manual")
        self.assertEqual(self.lot_quant().quantity, 4, "untouched")
        self.change.action_dismiss()
        self.assertEqual(self.level.hold_change_id, second, "still held by the later change")
        second.action_dismiss()
        self.assertFalse(self.level.hold_change_id)

    def test_only_managers_dismiss(self):
        user = new_test_user(
            self.env, "shopify_viewer", groups="base.group_user,shopify_sync.group_shopify_user"
        )
        with self.assertRaises(AccessError):
            self.change.with_user(user).action_dismiss()
        self.assertEqual(self.change.hold_state, "held")

    def test_push_in_flight_when_the_change_arrives_leaves_the_held_pair(self):
        self.shopify_changes_to(self.mug, 4)  # back to Odoo's number
        self.env["shopify.inventory.change"].search([("level_id", "=", self.level.id)]).action_dismiss()
        self.push()
        self.assertFalse(self.level.hold_change_id)
        lot = self.lot_quant().lot_id
        self.env["stock.quant"]._update_available_quantity(self.mug, self.stock, 1, lot_id=lot)
        [push] = self.shop._inventory_prepare_pushes()  # Odoo's 5 over Shopify's 4, not sent yet
        change = self.shopify_changes_to(self.mug, 11)
        self.assertEqual(change.hold_state, "held")
        self.assertEqual(push._send(), "done", "compare-and-swap was stale; the held pair was dropped")
        self.assertEqual(self.shopify_quantity(self.mug), 11)
        self.assertTrue(self.level.needs_push)
        self.assertFalse(self.level.push_id)
