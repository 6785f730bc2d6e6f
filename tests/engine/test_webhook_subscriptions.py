"""Webhook subscriptions registered idempotently, healed by the daily check; app/uninstalled disconnects."""

import json

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from ...emulator import webhooks as emulator_webhooks
from ..common import EmulatorCase

BASE_URL = "https://odoo.example.com"
CALLBACK = BASE_URL + "/shopify/webhook"


class TestWebhookSubscriptions(EmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", BASE_URL)
        cls.shop.write({"state": "connected"})
        cls.shop.action_confirm_database()  # a new web.base.url would otherwise look like a copied database

    def setUp(self):
        super().setUp()
        self.deliveries = []
        self.status = 200
        self.emulator.webhooks.backoff = lambda attempt: 0.0
        original_post = self.emulator.webhooks.post
        self.addCleanup(setattr, self.emulator.webhooks, "post", original_post)

        def capture(uri, body, headers):
            self.deliveries.append((uri, body, headers))
            return self.status

        self.emulator.webhooks.post = capture

    def remote(self):
        """{(topic, uri)} subscribed on the emulated shop, with their count."""
        with self.emu_shop.lock:
            pairs = [(s.topic, s.uri) for s in self.emu_shop.webhook_subscriptions.values()]
        return {pair: pairs.count(pair) for pair in pairs}

    def test_register_creates_every_handled_topic_once_and_is_idempotent(self):
        topics = self.shop._webhook_required_topics()
        for topic in ("APP_UNINSTALLED", "ORDERS_CREATE", "INVENTORY_LEVELS_UPDATE", "PRODUCTS_UPDATE"):
            self.assertIn(topic, topics)
        self.shop.action_register_webhooks()
        self.assertEqual(self.remote(), {(topic, CALLBACK): 1 for topic in topics})
        self.assertEqual(self.shop.webhook_topics_covered, ", ".join(topics))
        self.assertFalse(self.shop.webhook_topics_missing)
        self.assertEqual(self.shop.setup_webhooks_state, "done")

        result = self.shop._webhook_sync_subscriptions()
        self.assertEqual((result["created"], result["deleted"]), ([], []))
        self.assertEqual(self.remote(), {(topic, CALLBACK): 1 for topic in topics})

    def test_per_shop_url_override(self):
        self.shop.webhook_url_override = "https://hooks.example.com/shopify/webhook"
        self.assertEqual(self.shop.setup_webhook_url, "https://hooks.example.com/shopify/webhook")
        self.shop._webhook_sync_subscriptions()
        self.assertEqual(
            {uri for _topic, uri in self.remote()}, {"https://hooks.example.com/shopify/webhook"}
        )

    def test_daily_check_recreates_a_subscription_shopify_deleted_after_failures(self):
        self.shop._webhook_sync_subscriptions()
        self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(5, 5))
        sku = next(iter(self.emu_shop.variants.values())).sku
        self.status = 500  # Odoo unreachable: Shopify retries, then deletes the subscription
        with mute_logger("emulator.webhooks", "odoo.addons.shopify_sync.emulator.webhooks"):
            self.emu_shop.place_order([{"sku": sku, "quantity": 1}])
            self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        self.assertNotIn(("ORDERS_CREATE", CALLBACK), self.remote())
        self.assertGreaterEqual(len(self.deliveries), emulator_webhooks.FAILURES_BEFORE_DELETE)

        self.env["shopify.shop"]._cron_check_webhooks()
        self.assertEqual(self.remote()[("ORDERS_CREATE", CALLBACK)], 1)
        self.assertIn("ORDERS_CREATE", self.shop.webhook_topics_covered)

    def test_daily_check_removes_duplicates_and_stale_addresses(self):
        self.shop._webhook_sync_subscriptions()
        with self.emu_shop.lock:
            _stale, errors = emulator_webhooks.create_subscription(
                self.emu_shop, "ORDERS_PAID", {"uri": "https://old.example.com/shopify/webhook"}, "2026-10"
            )
            self.assertEqual(errors, [])
            # Shopify refuses a second (topic, address) pair now, but older stores can have one.
            original = next(
                s for s in self.emu_shop.webhook_subscriptions.values() if s.topic == "ORDERS_CREATE"
            )
            twin, _errors = emulator_webhooks.create_subscription(
                self.emu_shop, "ORDERS_CREATE", {"uri": "https://twin.example.com/x"}, "2026-10"
            )
            twin.uri = original.uri
            # Not ours to manage: a topic without handler stays.
            _foreign, _errors = emulator_webhooks.create_subscription(
                self.emu_shop, "CARTS_CREATE", {"uri": CALLBACK}, "2026-10"
            )
        self.env["shopify.shop"]._cron_check_webhooks()
        remote = self.remote()
        self.assertEqual(remote[("ORDERS_CREATE", CALLBACK)], 1)
        self.assertEqual(remote[("ORDERS_PAID", CALLBACK)], 1)
        self.assertNotIn(("ORDERS_PAID", "https://old.example.com/shopify/webhook"), remote)
        self.assertEqual(remote[("CARTS_CREATE", CALLBACK)], 1)
        self.assertIn(original.id, self.emu_shop.webhook_subscriptions)

    def test_check_failure_is_recorded_and_other_shops_still_run(self):
        broken = self.create_shop(
            "broken-store.myshopify.com", api_base_url=self.emulator.url, access_token="wrong-token"
        )
        broken.state = "connected"
        with mute_logger("odoo.addons.shopify_sync.models.engine.shop"):
            self.env["shopify.shop"]._cron_check_webhooks()
        self.assertTrue(broken.webhook_check_error)
        self.assertEqual(broken.setup_webhooks_state, "warning")
        self.assertIn("APP_UNINSTALLED", broken.webhook_topics_missing)
        self.assertFalse(self.shop.webhook_check_error)
        self.assertIn(("APP_UNINSTALLED", CALLBACK), self.remote())

    def test_app_uninstalled_disconnects_the_shop_and_stops_outbound_work(self):
        self.shop._webhook_sync_subscriptions()
        Job = self.env["shopify.queue.job"]
        outbound = Job._enqueue(self.shop, "inventory_sync", dedupe_key="inventory_sync")
        # Uninstalling revokes the emulated shop's token: give it back for the next tests.
        self.addCleanup(setattr, self.emu_shop, "access_token", self.emu_shop.access_token)
        emulator_webhooks.uninstall_app(self.emulator, self.emu_shop)
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        [(uri, body, headers)] = [d for d in self.deliveries if d[2]["X-Shopify-Topic"] == "app/uninstalled"]
        self.assertEqual(uri, CALLBACK)
        event = self.env["shopify.webhook.event"]._ingest(
            self.shop, "app/uninstalled", headers["X-Shopify-Webhook-Id"], body.decode(), json.loads(body)
        )
        event_job = Job.search([("webhook_event_id", "=", event.id)])
        event_job._run()
        self.assertEqual(event_job.state, "done")
        self.assertEqual(self.shop.state, "disconnected")
        self.assertEqual(outbound.state, "skipped")
        with self.assertRaises(UserError):
            self.shop._shopify_client(for_write=True)
        # The daily crons leave a disconnected shop alone.
        self.env["shopify.shop"]._cron_check_webhooks()
        self.assertFalse(self.shop.webhook_check_error)
