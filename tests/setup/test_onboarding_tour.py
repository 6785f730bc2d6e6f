"""The guided setup and the dashboard, clicked through in headless Chromium against the emulator."""

from odoo.tests import HttpCase, tagged

from ...emulator import EmulatorServer

TOUR_DOMAIN = "tour-store.myshopify.com"
TOUR_PRODUCTS = 4
COMPLETENESS_DAYS = 3  # the shop's default reconciliation window
# The whole tour (each step waits up to 60 s): generous, for a loaded CI machine.
TOUR_TIMEOUT = 600


@tagged("post_install", "-at_install")
class TestOnboardingTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = EmulatorServer(seed=0).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.emu_shop = cls.emulator.add_shop(
            TOUR_DOMAIN,
            access_token="tour-access-token",
            client_secret="tour-client-secret",
            name="Tour Store",
            locations=("Main warehouse",),
        )
        cls.emu_shop.seed_products(TOUR_PRODUCTS, max_options=1, max_values=2)

    def test_first_hour(self):
        # What an integrator would set once: new shops talk to the emulator instead of *.myshopify.com.
        self.env["ir.default"].set("shopify.shop", "api_base_url", self.emulator.url)

        self.start_tour("/odoo", "shopify_sync_onboarding_setup", login="admin", timeout=TOUR_TIMEOUT)
        shop = self.env["shopify.shop"].search([("shop_domain", "=", TOUR_DOMAIN)])
        self.assertEqual(shop.state, "connected")
        self.assertEqual(shop.setup_last_task_id.state, "queued")

        # The queue cron's work (no cron thread runs in tests).
        self.env["shopify.queue.job"]._cron_process_queue()
        shop.invalidate_recordset()
        self.assertEqual(shop.setup_last_task_id.state, "done", shop.setup_last_task_id.message)
        self.assertEqual(shop.dash_product_count, TOUR_PRODUCTS)

        # The nightly orders check and the bulk poll cron that reads its result.
        started, failed = shop._order_reconcile_start()
        self.assertEqual((started, failed), (COMPLETENESS_DAYS, 0))
        Bulk = self.env["shopify.bulk.operation"]
        Bulk._cron_poll()
        shop.invalidate_recordset()
        self.assertEqual(
            shop.dash_completeness_line,
            f"Orders complete: {COMPLETENESS_DAYS}/{COMPLETENESS_DAYS} days green",
        )

        self.start_tour("/odoo", "shopify_sync_onboarding_dashboard", login="admin", timeout=TOUR_TIMEOUT)
        # The tour's "Check orders now" queued a second check of the same days: the queue cron starts it.
        shop.invalidate_recordset()
        self.assertEqual(shop.reconcile_job_state, "queued")
        self.env["shopify.queue.job"]._cron_process_queue()
        operations = Bulk.search([("shop_id", "=", shop.id), ("kind", "=", "order_reconcile")])
        self.assertEqual(len(operations), 2)
        Bulk._cron_poll()
        reports = shop.completeness_report_ids
        self.assertEqual(reports.mapped("state"), ["green"] * COMPLETENESS_DAYS)
        self.assertEqual(reports.bulk_operation_id, operations.sorted("id")[-1])
