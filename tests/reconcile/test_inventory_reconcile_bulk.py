"""Inventory reconciliation through a bulk query: same drift as the paged path, batches, dry run, parts,
and the Bulk Operations screens' refresh."""

from datetime import timedelta

from ...models.reconcile.shop import BULK_THRESHOLD_PARAM
from ..inventory.test_inventory_sync import InventorySyncCase


class InventoryBulkCase(InventorySyncCase):
    variant_count = 7

    def setUp(self):
        super().setUp()
        self.Bulk = self.env["shopify.bulk.operation"]
        self.param = self.env["ir.config_parameter"].sudo()
        self.param.set_param("shopify_sync.bulk_batch_size", "3")  # several batches per location
        for index, product in enumerate(self.products):
            self.set_stock(product, self.stock, 10 + index)
        self.push()
        # Drift behind Odoo's back: two quantities changed, one level no longer stocked at the location.
        self.set_shopify_quantity(self.products[0], 2)
        self.set_shopify_quantity(self.products[4], 30)
        self.unstocked = self.products[5]
        del self.emu_shop.levels[self.emu_items[5], self.emu_location.id]

    def use_bulk(self, bulk):
        self.param.set_param(BULK_THRESHOLD_PARAM, "1" if bulk else "1000000")

    def reconcile(self, bulk, dry_run=False):
        """Run the reconciliation the way the engine does; a bulk one is finished by the poll cron."""
        self.use_bulk(bulk)
        drift = self.shop.with_context(shopify_reconcile_dry_run=dry_run)._inventory_reconcile()
        if bulk:
            self.assertEqual(drift.state, "running", "the report waits for the bulk result")
            self.assertEqual(drift.method, "bulk")
            self.Bulk._cron_poll()
        self.assertEqual(drift.state, "done")
        return drift

    def outcome(self, drift):
        return drift.pairs_checked, drift.pairs_differed, drift.largest

    def pending_pushes(self):
        return self.env["shopify.inventory.push"].search([("state", "=", "pending")])


class TestInventoryReconcileBulk(InventoryBulkCase):
    def test_bulk_and_paged_paths_find_the_same_drift(self):
        paged = self.reconcile(bulk=False, dry_run=True)
        self.assertEqual(paged.method, "paged")
        bulk = self.reconcile(bulk=True, dry_run=True)
        self.assertEqual(self.outcome(bulk), self.outcome(paged))
        self.assertEqual(bulk.pairs_checked, len(self.products))
        self.assertEqual(bulk.pairs_differed, 3)
        self.assertEqual([item["difference"] for item in bulk.largest], [-16, 15, 8], "largest first")
        by_pair = {item["pair"].split(" @ ")[0]: (item["odoo"], item["shopify"]) for item in bulk.largest}
        self.assertEqual(by_pair[self.products[0].display_name], (10, 2))
        self.assertEqual(by_pair[self.products[4].display_name], (14, 30))
        self.assertEqual(by_pair[self.unstocked.display_name], (15, None), "not stocked: unknown on Shopify")
        operation = bulk.bulk_operation_id
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual(operation.processed_count, operation.object_count)
        self.assertEqual(operation.processed_progress, 100.0)

    def test_dry_run_reports_and_pushes_nothing(self):
        calls = self.set_calls()
        drift = self.reconcile(bulk=True, dry_run=True)
        self.assertTrue(drift.dry_run)
        self.assertEqual(drift.pairs_differed, 3)
        self.assertEqual(drift.pairs_pushed, 0)
        self.assertFalse(self.env["shopify.inventory.level"].search([("needs_push", "=", True)]))
        self.assertFalse(self.pending_pushes())
        self.assertEqual(self.set_calls(), calls)
        self.assertEqual(self.shopify_quantity(self.products[0]), 2, "Shopify untouched")

    def test_bulk_reconciliation_pushes_the_differences(self):
        drift = self.reconcile(bulk=True)
        self.assertEqual((drift.pairs_differed, drift.pairs_pushed), (3, 3))
        pushes = self.pending_pushes()
        self.assertEqual(sum(pushes.mapped("quantity_count")), 3)
        jobs = self.env["shopify.queue.job"].search(
            [("kind", "=", "inventory_push"), ("state", "=", "pending")]
        )
        self.assertEqual(len(jobs), len(pushes), "one send job per push, queued when the result was read")
        for push in pushes:
            push._send()
        self.assertEqual([self.shopify_quantity(product) for product in self.products], list(range(10, 17)))
        self.assertEqual(self.reconcile(bulk=True).pairs_differed, 0)

    def test_reconcile_hook_honours_parts_and_dry_run(self):
        self.use_bulk(True)
        Drift = self.env["shopify.inventory.drift"]
        before = Drift.search_count([])
        result = self.shop.with_context(shopify_reconcile_parts=["products", "orders"])._reconcile()
        self.assertEqual(Drift.search_count([]), before, "inventory not asked for: not reconciled")
        self.assertFalse(self.Bulk.search([("kind", "=", "inventory_reconcile")]))
        self.assertFalse((result or {}).get("failed"), "no inventory counts")
        run = self.shop.with_context(
            shopify_reconcile_parts=["inventory"], shopify_reconcile_dry_run=True
        )._run_sync("reconcile")
        self.assertEqual(run.state, "done")
        drift = Drift.search([], limit=1)
        self.assertTrue(drift.dry_run)
        self.Bulk._cron_poll()
        self.assertEqual((drift.state, drift.pairs_differed, drift.pairs_pushed), ("done", 3, 0))

    def test_paged_run_counts_in_the_sync_log(self):
        self.use_bulk(False)
        run = self.shop._run_sync("reconcile")
        self.assertEqual((run.state, run.ok_count, run.failed_count), ("done", 4, 3))

    def test_level_read_after_the_bulk_started_keeps_its_fresher_value(self):
        self.use_bulk(True)
        drift = self.shop._inventory_reconcile()
        # Read again (a push, a webhook) after the bulk query started: newer than what the file holds.
        mug = self.products[0]
        level = self.level_of(mug)
        level.write(
            {
                "quantity_remote": 10,
                "remote_known": True,
                "remote_read_at": drift.started_at + timedelta(seconds=5),
            }
        )
        self.Bulk._cron_poll()
        self.assertEqual(level.quantity_remote, 10)
        self.assertEqual(drift.pairs_differed, 2, "the fresher value agrees with Odoo")


class TestBulkOperationsScreens(InventoryBulkCase):
    def test_refresh_finishes_and_processes_a_running_operation(self):
        self.emu_shop.bulk_delay = 3600.0
        self.use_bulk(True)
        drift = self.shop._inventory_reconcile()
        operation = drift.bulk_operation_id
        self.assertEqual(self.shop.bulk_operation_count, 1)
        action = self.shop.action_view_bulk_operations()
        self.assertEqual(self.Bulk.search(action["domain"]), operation)
        operation.action_refresh()
        self.assertIn(operation.status, ("created", "running"))
        self.assertEqual(drift.state, "running")
        self.shop.invalidate_recordset()
        self.assertIn("Shopify is reading every stock level", self.shop.inventory_reconcile_progress)
        self.emu_shop.bulk_delay = 0.0
        for bulk_operation in self.emu_shop.bulk_operations.values():
            bulk_operation.due_at = 0.0
        result = operation.action_refresh()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual(drift.state, "done")
        self.shop.invalidate_recordset()
        self.assertFalse(self.shop.inventory_reconcile_progress)
        # Done: refreshing again asks nothing.
        requests = self.emu_shop.counters["requests"]
        operation.action_refresh()
        self.assertEqual(self.emu_shop.counters["requests"], requests)

    def test_operation_that_ends_without_result_fails_the_report(self):
        self.emu_shop.bulk_delay = 3600.0
        self.use_bulk(True)
        drift = self.shop._inventory_reconcile()
        [emu_operation] = self.emu_shop.bulk_operations.values()
        emu_operation.status = "CANCELED"
        drift.bulk_operation_id.action_refresh()
        self.assertEqual(drift.bulk_operation_id.status, "canceled")
        self.assertEqual(drift.state, "failed")
