"""“Run reconciliation now”: the wizard queues one background run with its parts and dry run; the shop form
shows it queued, then its sync run."""

from unittest.mock import patch

from odoo.exceptions import UserError

from ...models.core import shop as shop_module
from ...models.core.client_wiring import build_client
from ..inventory.test_inventory_sync import InventorySyncCase


class TestReconcileWizard(InventorySyncCase):
    def setUp(self):
        super().setUp()
        self.Queue = self.env["shopify.queue.job"]
        self.Drift = self.env["shopify.inventory.drift"]
        for product in self.products:
            self.set_stock(product, self.stock, 5)
        self.push()
        self.set_shopify_quantity(self.products[0], 1)  # one pair drifted

    def wizard(self, **values):
        action = self.shop.with_user(self.manager).action_open_reconcile_wizard()
        self.assertEqual(action["res_model"], "shopify.reconcile.wizard")
        return (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(action["context"])
            .create(values)
        )

    def reconcile_jobs(self):
        return self.Queue.search([("shop_id", "=", self.shop.id), ("kind", "=", "reconcile_now")])

    def test_run_is_queued_then_runs_in_the_background_as_a_dry_run(self):
        requests = self.emu_shop.counters["requests"]
        drifts = self.Drift.search_count([])
        self.wizard(
            reconcile_products=False, reconcile_orders=False, reconcile_customers=False, dry_run=True
        ).action_run()
        self.assertEqual(
            self.emu_shop.counters["requests"], requests, "nothing asked of Shopify in the request"
        )
        self.assertEqual(self.Drift.search_count([]), drifts)
        job = self.reconcile_jobs()
        self.assertEqual((job.state, job.payload), ("pending", {"parts": ["inventory"], "dry_run": True}))
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.reconcile_job_state, "queued")
        with self.assertRaisesRegex(UserError, "already waiting or running"):
            self.wizard().action_run()
        self.assertEqual(len(self.reconcile_jobs()), 1)

        self.Queue._cron_process_queue()
        self.assertEqual(job.state, "done")
        self.shop.invalidate_recordset()
        self.assertFalse(self.shop.reconcile_job_state)
        run = self.shop.reconcile_last_run_id
        self.assertEqual(
            (run.kind, run.state, self.shop.reconcile_last_run_state), ("reconcile", "done", "done")
        )
        self.assertEqual((run.ok_count, run.failed_count), (len(self.products) - 1, 1))
        drift = self.shop.last_inventory_drift_id
        self.assertEqual((drift.dry_run, drift.pairs_differed, drift.pairs_pushed), (True, 1, 0))
        self.assertFalse(self.env["shopify.inventory.push"].search([("state", "=", "pending")]))
        self.assertEqual(self.shopify_quantity(self.products[0]), 1, "a dry run changes nothing")
        action = self.shop.action_view_reconcile_runs()
        self.assertEqual(self.env["shopify.sync.log"].search(action["domain"]), run)

    def test_real_run_pushes_the_difference(self):
        self.wizard().action_run()
        self.Queue._cron_process_queue()  # the reconciliation, which queues the push
        self.Queue._cron_process_queue()  # the push
        self.assertEqual(self.shop.last_inventory_drift_id.pairs_pushed, 1)
        self.assertEqual(self.shopify_quantity(self.products[0]), 5)

    def test_parts_left_out_are_not_reconciled(self):
        drifts = self.Drift.search_count([])
        self.wizard(reconcile_inventory=False).action_run()
        self.assertEqual(self.reconcile_jobs().payload["parts"], ["products", "orders", "customers"])
        self.Queue._cron_process_queue()
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.reconcile_last_run_id.state, "done")
        self.assertEqual(self.Drift.search_count([]), drifts, "inventory was not asked for")

    def test_no_part_chosen_is_refused(self):
        wizard = self.wizard(
            reconcile_products=False,
            reconcile_inventory=False,
            reconcile_orders=False,
            reconcile_customers=False,
        )
        with self.assertRaisesRegex(UserError, "at least one part"):
            wizard.action_run()
        self.assertFalse(self.reconcile_jobs())

    def test_failed_run_is_kept_in_its_sync_log(self):
        self.wizard(reconcile_products=False, reconcile_orders=False, reconcile_customers=False).action_run()
        self.emu_shop.set_faults(error_rate=1.0)
        with patch(f"{shop_module.__name__}.build_client", lambda shop: build_client(shop, max_attempts=1)):
            self.Queue._cron_process_queue()
        self.assertEqual(self.reconcile_jobs().state, "done", "the job ran; the run records the failure")
        self.shop.invalidate_recordset()
        run = self.shop.reconcile_last_run_id
        self.assertEqual(run.state, "failed")
        self.assertIn("Error", run.error_summary)

    def test_shop_form_has_the_button_and_the_bulk_operations_smart_button(self):
        arch = (
            self.env["shopify.shop"]
            .with_user(self.manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("action_open_reconcile_wizard", arch)
        self.assertIn("action_view_bulk_operations", arch)
        self.assertIn("reconcile_last_run_state", arch)
