"""End to end: the emulator delivers webhooks to Odoo's own `/shopify/webhook` controller, which accepts
them (signature, shop, headers) and stores one event per delivery; duplicates are refused."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ...emulator import EmulatorServer, FakeClock

DOMAIN = "e2e-hooks.myshopify.com"
SECRET = "e2e-client-secret"


@tagged("post_install", "-at_install")
class TestEmulatorWebhooksIntoOdoo(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = EmulatorServer(seed=0, clock=FakeClock()).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.emulator.webhooks.backoff = lambda attempt: 0.0
        cls.emu_shop = cls.emulator.add_shop(DOMAIN, access_token="e2e-token", client_secret=SECRET)
        cls.shop = cls.env["shopify.shop"].create(
            {"name": "e2e", "shop_domain": DOMAIN, "access_token": "e2e-token", "client_secret": SECRET}
        )

    def setUp(self):
        super().setUp()
        self.emu_shop.reset()
        self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(5, 5))
        self.sku = next(iter(self.emu_shop.variants.values())).sku

    def subscribe(self, topic):
        from ...emulator import webhooks

        with self.emu_shop.lock:
            _subscription, errors = webhooks.create_subscription(
                self.emu_shop, topic, {"uri": f"{self.base_url()}/shopify/webhook"}, "2026-10"
            )
        self.assertEqual(errors, [])

    def events(self):
        return self.env["shopify.webhook.event"].search([("shop_id", "=", self.shop.id)], order="id")

    def test_order_and_inventory_webhooks_are_accepted_by_the_controller(self):
        self.subscribe("ORDERS_CREATE")
        self.subscribe("INVENTORY_LEVELS_UPDATE")
        order = self.emu_shop.place_order([{"sku": self.sku, "quantity": 2}], email="e2e@example.org")
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        log = self.emulator.webhooks.log(DOMAIN)
        self.assertEqual(
            [(e["topic"], e["state"], e["attempts"]) for e in log],
            [
                ("inventory_levels/update", "delivered", [200]),
                ("orders/create", "delivered", [200]),
            ],
        )
        events = self.events()
        self.assertEqual(events.mapped("topic"), ["inventory_levels/update", "orders/create"])
        self.assertEqual(events.mapped("webhook_id"), [e["webhook_id"] for e in log])
        self.assertEqual(set(events.mapped("api_version")), {"2026-10"})
        self.assertIn(order.gid, events[1].sudo().raw_body)

    def test_duplicated_deliveries_are_stored_once(self):
        self.subscribe("ORDERS_CREATE")
        self.addCleanup(self.emu_shop.set_faults, reset=True)
        self.emu_shop.set_faults(webhook_duplicate_rate=1.0)
        with mute_logger("odoo.addons.shopify_sync.controllers.webhook"):
            self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
            self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        log = self.emulator.webhooks.log(DOMAIN)
        self.assertEqual(len(log), 2)
        self.assertEqual(len({entry["webhook_id"] for entry in log}), 1)
        self.assertEqual(len(self.events()), 1)
