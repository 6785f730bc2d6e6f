"""Orders through the real webhook endpoint and queue: signed POST → event → job → sale order."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..order_common import OrderFixtures, SignedDeliveries


@tagged("post_install", "-at_install")
class TestOrderWebhooks(SignedDeliveries, OrderFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_order_fixtures()

    def sale_orders(self, name):
        return self.env["sale.order"].search([("client_order_ref", "=", name)])

    def test_orders_create_webhook_makes_the_sale_order(self):
        self.deliver(self.us_shop, "orders/create", self.payloads.us_tax_excluded(), "wh-1")
        self.assertFalse(self.sale_orders("#2087"), "the request only stores and queues")
        jobs = self.process_queue()
        self.assertEqual(jobs.mapped("state"), ["done"])
        order = self.sale_orders("#2087")
        self.assertAlmostEqual(order.amount_total, 114.70, places=2)
        self.assertEqual(order.shopify_binding_id.shopify_gid, "gid://shopify/Order/5550001112223")

    def test_duplicate_and_replayed_deliveries_make_one_order(self):
        payload = self.payloads.eu_tax_included()
        self.deliver(self.eu_shop, "orders/create", payload, "wh-dup")
        self.deliver(self.eu_shop, "orders/create", payload, "wh-dup")  # duplicate delivery
        self.process_queue()
        self.deliver(self.eu_shop, "orders/create", payload, "wh-replay")  # replayed later, new id
        self.deliver(self.eu_shop, "orders/updated", payload, "wh-updated-same")  # same version
        self.process_queue()
        self.assertEqual(len(self.sale_orders("#1042")), 1)
        self.assertEqual(len(self.env["shopify.order.binding"].search([("name", "=", "#1042")])), 1)

    def test_out_of_order_webhooks_end_in_the_right_state(self):
        created = self.payloads.us_tax_excluded()
        paid = self.payloads.with_update(created, "2026-11-02T18:45:00-08:00", financial_status="paid")
        cancelled = self.payloads.with_update(
            created,
            "2026-11-02T19:30:00-08:00",
            financial_status="paid",
            cancelled_at="2026-11-02T19:30:00-08:00",
            cancel_reason="customer",
        )
        # Shopify delivers cancelled, then create, then paid.
        self.deliver(self.us_shop, "orders/cancelled", cancelled, "wh-c")
        self.deliver(self.us_shop, "orders/create", created, "wh-a")
        self.deliver(self.us_shop, "orders/paid", paid, "wh-b")
        self.process_queue()
        order = self.sale_orders("#2087")
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "cancel")
        self.assertTrue(order.shopify_binding_id.cancelled)

    def test_paid_webhook_confirms_a_pending_order(self):
        created = self.payloads.us_tax_excluded()
        self.deliver(self.us_shop, "orders/create", created, "wh-p1")
        self.process_queue()
        self.assertEqual(self.sale_orders("#2087").state, "draft")
        paid = self.payloads.with_update(created, "2026-11-02T18:45:00-08:00", financial_status="paid")
        self.deliver(self.us_shop, "orders/paid", paid, "wh-p2")
        self.process_queue()
        self.assertEqual(self.sale_orders("#2087").state, "sale")

    def test_unusable_body_fails_the_job_with_a_clear_error_and_keeps_it(self):
        # No id at all: neither applicable as it is nor fetchable (a body with an id is fetched instead).
        self.deliver(self.us_shop, "orders/create", {"name": "#77", "currency": "USD"}, "wh-bad")
        with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
            jobs = self.process_queue()
        self.assertEqual(jobs.state, "failed")
        self.assertEqual(jobs.last_error_message, "orders/create body: id: missing: the body names no order")
        self.assertTrue(jobs.webhook_event_id.raw_body)

    def test_orders_edited_queues_a_fetch_of_the_order(self):
        self.deliver(
            self.us_shop, "orders/edited", {"order_edit": {"id": 9, "order_id": 5550001112223}}, "wh-e"
        )
        self.process_queue()
        fetch = self.env["shopify.queue.job"].search([("kind", "=", "order_fetch")])
        self.assertEqual(fetch.payload, {"order_gid": "gid://shopify/Order/5550001112223"})
