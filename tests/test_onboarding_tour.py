"""The guided setup and the dashboard, clicked through in headless Chromium against the emulator."""

from odoo.tests import HttpCase, tagged

from ..emulator import EmulatorServer

TOUR_DOMAIN = "tour-store.myshopify.com"
TOUR_PRODUCTS = 4


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

        self.start_tour("/odoo", "shopify_sync_onboarding_setup", login="admin", timeout=300)
        shop = self.env["shopify.shop"].search([("shop_domain", "=", TOUR_DOMAIN)])
        self.assertEqual(shop.state, "connected")
        self.assertEqual(shop.setup_last_task_id.state, "queued")

        # The queue cron's work (no cron thread runs in tests).
        self.env["shopify.queue.job"]._cron_process_queue()
        shop.invalidate_recordset()
        self.assertEqual(shop.setup_last_task_id.state, "done", shop.setup_last_task_id.message)
        self.assertEqual(shop.dash_product_count, TOUR_PRODUCTS)

        self.start_tour("/odoo", "shopify_sync_onboarding_dashboard", login="admin", timeout=300)
