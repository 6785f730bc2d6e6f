"""Signed but impossible bodies through the real endpoint and queue: the job names the field, nothing is
created, and the other jobs of the batch go on (issue 14, "no sanity check on signed input")."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..order_common import OrderFixtures, SignedDeliveries
from ..products.test_product_import import rest_product

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"


@tagged("post_install", "-at_install")
class TestWebhookPayloadChecks(SignedDeliveries, OrderFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_order_fixtures()

    def us_order(self, number, **changes):
        """The Californian order (#2087) under its own id and name, paid unless told otherwise."""
        body = self.payloads.us_tax_excluded()
        order_id = 7770000000000 + number
        body.update(
            {
                "id": order_id,
                "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
                "name": f"#77{number:02d}",
                "financial_status": "paid",
                **changes,
            }
        )
        return body

    def sale_orders(self, name):
        return self.env["sale.order"].search([("client_order_ref", "=", name)])

    def jobs_by_delivery(self, jobs):
        return {job.webhook_event_id.webhook_id: job for job in jobs}

    def test_impossible_orders_fail_naming_the_field_and_make_nothing(self):
        bodies = {}
        body = bodies["wh-qty"] = self.us_order(1)
        body["line_items"][2]["quantity"] = body["line_items"][2]["current_quantity"] = -999999999
        body = bodies["wh-huge-qty"] = self.us_order(2)
        body["line_items"][0]["current_quantity"] = 50_000_000
        body = bodies["wh-discount"] = self.us_order(3)
        body["line_items"][1]["discount_allocations"][0]["amount"] = "9.2e18"
        body = bodies["wh-shipping"] = self.us_order(4, financial_status="pending")
        body["shipping_lines"][0]["price"] = "-12.00"
        body = bodies["wh-price"] = self.us_order(5)
        body["line_items"][0]["price"] = "abc"
        bodies["wh-lines"] = self.us_order(6, line_items="abc")
        body = bodies["wh-customer"] = self.us_order(7)
        body["customer"] = [body["customer"]]
        expected = {
            "wh-qty": "orders/create body: line_items[2].quantity: -999999999 is not a quantity",
            "wh-huge-qty": "orders/create body: line_items[0].current_quantity: 50000000 is not a quantity",
            "wh-discount": "orders/create body: line_items[1].discount_allocations[0].amount: '9.2e18' "
            "is not an amount (from 0 to 1,000,000,000,000)",
            "wh-shipping": "orders/create body: shipping_lines[0].price: '-12.00' is not an amount",
            "wh-price": "orders/create body: line_items[0].price: 'abc' is not an amount",
            "wh-lines": "orders/create body: line_items: 'abc' is not a list",
            "wh-customer": "orders/create body: customer: a list is not an object",
        }
        for webhook_id, body in bodies.items():
            self.deliver(self.us_shop, "orders/create", body, webhook_id)
        # A valid order in the same batch, between the broken ones.
        self.deliver(self.eu_shop, "orders/create", self.payloads.eu_tax_included(), "wh-good")
        with self.assertLogs(QUEUE_LOGGER, "WARNING") as logs:
            jobs = self.jobs_by_delivery(self.process_queue())

        good = jobs.pop("wh-good")
        self.assertEqual(good.state, "done", good.last_error_message)
        self.assertAlmostEqual(self.sale_orders("#1042").amount_total, 49.75, places=2)
        for webhook_id, job in jobs.items():
            with self.subTest(webhook_id=webhook_id):
                self.assertEqual(job.state, "failed")
                self.assertEqual(job.last_error_type, "PayloadError")
                self.assertTrue(
                    job.last_error_message.startswith(expected[webhook_id]), job.last_error_message
                )
                self.assertEqual(job.webhook_event_id.state, "failed")
                self.assertTrue(job.webhook_event_id.sudo().raw_body, "the body is kept for a person")
        names = [body["name"] for body in bodies.values()]
        self.assertFalse(self.env["sale.order"].search([("client_order_ref", "in", names)]))
        self.assertFalse(self.env["shopify.order.binding"].search([("name", "in", names)]))
        # The log names the field, not its value (values may be customer data).
        log = "\n".join(logs.output)
        self.assertIn("PayloadError (orders/create body: line_items[2].quantity) → failed", log)
        self.assertNotIn("999999999", log)

    def test_a_junk_email_is_left_out_and_the_paid_order_still_imports(self):
        body = self.us_order(10, email="ÜSD", contact_email="12abc")
        body["customer"]["email"] = "12abc"
        self.deliver(self.us_shop, "orders/create", body, "wh-email")
        with self.assertLogs("odoo.addons.shopify_sync.models.orders.order_import", "WARNING") as logs:
            jobs = self.process_queue()
        self.assertEqual(jobs.state, "done", jobs.last_error_message)
        order = self.sale_orders("#7710")
        self.assertEqual(order.state, "sale", "paid orders are confirmed as before")
        self.assertAlmostEqual(order.amount_total, 114.70, places=2)
        self.assertFalse(order.partner_id.email)
        self.assertEqual(order.partner_id.name, "Zoë Łukasiewicz-Müller")
        self.assertFalse(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email", "in", ("üsd", "12abc"))])
        )
        note = order.message_ids.filtered(lambda message: "Left out" in (message.body or ""))
        self.assertIn("customer.email", note.body)
        self.assertIn("not an e-mail address", note.body)
        self.assertIn("email, contact_email, customer.email", "\n".join(logs.output))

    def test_other_topics_name_the_bad_field(self):
        product = rest_product()
        product["variants"][0]["price"] = "abc"
        deliveries = [
            ("products/create", product, "products/create body: variants[0].price: 'abc' is not an amount"),
            (
                "products/update",
                rest_product(variants="abc"),
                "products/update body: variants: 'abc' is not a list",
            ),
            ("products/delete", {"id": "abc"}, "products/delete body: id: 'abc' is not a Shopify id"),
            (
                "inventory_levels/update",
                {"inventory_item_id": 701, "location_id": [1], "available": 3},
                "inventory_levels/update body: location_id: a list is not a Shopify id",
            ),
            (
                "inventory_levels/update",
                {"inventory_item_id": 701, "location_id": 1, "available": "many"},
                "inventory_levels/update body: available: 'many' is not a stock quantity",
            ),
            (
                "bulk_operations/finish",
                {"admin_graphql_api_id": {"id": 77}, "status": "completed"},
                "bulk_operations/finish body: admin_graphql_api_id: an object is not a Shopify BulkOperation",
            ),
            (
                "orders/edited",
                {"order_edit": "abc"},
                "orders/edited body: order_edit: 'abc' is not an object",
            ),
            (
                "orders/updated",
                {"id": 12, "admin_graphql_api_id": 5},
                "orders/updated body: admin_graphql_api_id: 5 is not a Shopify Order id",
            ),
            (
                "orders/paid",
                self.us_order(20, customer="Zoë"),
                "orders/paid body: customer: 'Zoë' is not an object",
            ),
        ]
        for number, (topic, body, _message) in enumerate(deliveries):
            self.deliver(self.us_shop, topic, body, f"wh-topic-{number}")
        with mute_logger(QUEUE_LOGGER):
            jobs = self.jobs_by_delivery(self.process_queue())
        for number, (topic, _body, message) in enumerate(deliveries):
            job = jobs[f"wh-topic-{number}"]
            with self.subTest(topic=topic, message=message):
                self.assertEqual((job.state, job.last_error_type), ("failed", "PayloadError"))
                self.assertTrue(job.last_error_message.startswith(message), job.last_error_message)
