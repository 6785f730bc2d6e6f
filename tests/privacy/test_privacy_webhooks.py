"""Shopify's mandatory privacy webhooks against the emulator: the emulator sends customers/data_request,
customers/redact and shop/redact (triggered through its admin API), the engine stores and queues them,
the privacy handlers answer. What must be gone is checked with SQL over every `shopify_*` table and
`res_partner`."""

import base64
import json
from datetime import timedelta

import requests

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ...emulator import EmulatorServer, FakeClock
from ..common import EmulatorCase

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"

ZELDA = {
    "first_name": "Zelda",
    "last_name": "Quorrinova",
    "email": "zelda.quorrinova@example.org",
    "phone": "+49 170 5550123",
}
BRUNO = {"first_name": "Bruno", "last_name": "Vetterlein", "email": "bruno.vetterlein@example.org"}


def text_columns(cr, table):
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = %s AND data_type IN ('text', 'character varying', 'jsonb', 'json')""",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def where_found(cr, needles, tables_like="shopify\\_%", extra_tables=("res_partner",)):
    """[(table, column, needle)] wherever a needle occurs (case-insensitive) in a text or JSON column."""
    cr.execute(
        """SELECT table_name FROM information_schema.tables
            WHERE table_name LIKE %s AND table_type = 'BASE TABLE'""",
        [tables_like],
    )
    tables = [row[0] for row in cr.fetchall()] + list(extra_tables)
    found = []
    for table in tables:
        for column in text_columns(cr, table):
            for needle in needles:
                cr.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{needle}%"],
                )
                if cr.fetchone()[0]:
                    found.append((table, column, needle))
    return found


class PrivacyEmulatorCase(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The tests make their own invoices (invoice policy "never"): the file must list exactly those.
        cls.shop.write(
            {"state": "connected", "order_confirmation_policy": "paid", "order_invoice_policy": "never"}
        )

    def setUp(self):
        super().setUp()
        self.emu_shop.tax_rate = "0"
        self.emu_shop.seed_products(2, max_options=1, max_values=1, stock=(50, 50))
        self.variants = list(self.emu_shop.variants.values())
        for variant in self.variants:
            self.env["product.product"].create(
                {
                    "name": variant.sku,
                    "default_code": variant.sku,
                    "type": "consu",
                    "taxes_id": [Command.clear()],
                }
            )
        self.emu_shop.compliance_subscription = None
        requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/compliance",
            json={"uri": "http://odoo.invalid/shopify/webhook"},
            timeout=10,
        ).raise_for_status()
        self.posted = self.capture_webhook_deliveries()

    def place(self, customer, quantity=1, city="Köln"):
        return self.emu_shop.place_order(
            [{"variant_id": self.variants[0].id, "quantity": quantity}],
            customer=customer,
            shipping_address={**customer, "address1": "Lindenweg 7", "city": city, "country_code": "DE"},
        )

    def import_orders(self):
        now = self.clock.now().replace(tzinfo=None) + timedelta(seconds=30)
        with mute_logger(QUEUE_LOGGER):
            self.shop._shopify_poll_orders(now=now)

    def trigger(self, route, **body):
        """Ask the emulator's admin API for a privacy webhook; run what it delivered through the engine."""
        self.posted.clear()
        response = requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/privacy/{route}",
            json=body,
            timeout=10,
        )
        response.raise_for_status()
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        self.assertEqual(len(self.posted), 1)
        return self.deliver(*self.posted[0])

    def deliver(self, body, headers):
        with mute_logger(QUEUE_LOGGER):
            job = self.run_delivery(body, headers)
        self.assertEqual(job.state, "done", job.last_error_message)
        return job

    def sale_orders_of(self, customer):
        binding = self.env["shopify.customer.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_gid", "=", customer.gid)]
        )
        return self.env["sale.order"].search([("partner_id", "child_of", binding.partner_id.id)])

    def invoice(self, sale_order):
        """The order's posted invoice: the one the shop's invoicing policy made, else one made here."""
        self.assertEqual(sale_order.state, "sale")
        move = sale_order.invoice_ids[:1] or sale_order._create_invoices()
        if move.state == "draft":
            move.action_post()
        return move


@tagged("post_install", "-at_install")
class TestCustomerDataRequest(PrivacyEmulatorCase):
    def test_data_request_file_holds_that_customer_s_orders_only(self):
        zelda_orders = [self.place(ZELDA), self.place(ZELDA, 2)]
        bruno_order = self.place(BRUNO)
        self.import_orders()
        zelda = self.emu_shop.customers[zelda_orders[0].customer_id]
        self.invoice(self.sale_orders_of(zelda)[0])

        self.trigger("customers_data_request", customer_id=zelda.gid)

        request = self.env["shopify.privacy.request"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.customer_gid, zelda.gid)
        self.assertEqual(request.state, "open")
        self.assertEqual(request.due_date, (request.received_at + timedelta(days=30)).date())
        data = json.loads(base64.b64decode(request.attachment_id.datas))
        self.assertEqual(
            sorted(order["shopify_order"] for order in data["orders"]), sorted(o.name for o in zelda_orders)
        )
        self.assertNotIn(bruno_order.name, json.dumps(data))
        self.assertNotIn(BRUNO["email"], json.dumps(data))
        self.assertIn(ZELDA["email"], [contact["email"] for contact in data["contacts"]])
        self.assertEqual(len(data["invoices"]), 1)
        self.assertTrue(data["messages"], "the imported orders' chatter is part of what Odoo holds")
        # The responsible user is told, with the due date.
        activity = request.activity_ids
        self.assertTrue(activity)
        self.assertEqual(activity[0].date_deadline, request.due_date)
        log = self.env["shopify.privacy.log"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(log.topic, "customers/data_request")
        self.assertEqual(log.request_id, request)
        # The stored delivery keeps ids only.
        event = log.webhook_event_id.sudo()
        self.assertNotIn(ZELDA["email"], event.raw_body)
        self.assertIn(str(zelda.id), event.raw_body)

        # Redelivered (Shopify retries with a new webhook id): still one request, logged as such.
        body, headers = self.posted[0]
        self.deliver(body, {**headers, "X-Shopify-Webhook-Id": "redelivery-1"})
        self.assertEqual(len(self.env["shopify.privacy.request"].search([("shop_id", "=", self.shop.id)])), 1)
        self.assertEqual(len(self.env["shopify.privacy.log"].search([("shop_id", "=", self.shop.id)])), 2)

        request.with_user(self.manager).action_mark_sent()
        self.assertEqual(request.state, "sent")
        self.assertFalse(request.activity_ids)


@tagged("post_install", "-at_install")
class TestCustomerRedact(PrivacyEmulatorCase):
    def test_redact_leaves_no_personal_data_and_keeps_invoice_totals(self):
        zelda_order = self.place(ZELDA, 3)
        self.place(ZELDA)
        bruno_order = self.place(BRUNO)
        self.import_orders()
        zelda = self.emu_shop.customers[zelda_order.customer_id]
        sale_orders = self.sale_orders_of(zelda)
        self.assertEqual(len(sale_orders), 2)
        invoice = self.invoice(sale_orders[0])
        totals = (invoice.amount_total, invoice.amount_untaxed, sale_orders[0].amount_total)
        partner = sale_orders.partner_id
        # A data request first: its file and its delivery hold Zelda's data too.
        self.trigger("customers_data_request", customer_id=zelda.gid)
        needles = [ZELDA["email"], "Quorrinova", "5550123", "170 555"]
        self.assertTrue(where_found(self.env.cr, needles), "the check must see the data before")

        self.trigger("customers_redact", customer_id=zelda.gid)
        self.env.flush_all()

        self.assertEqual(where_found(self.env.cr, needles), [])
        self.assertEqual((invoice.amount_total, invoice.amount_untaxed, sale_orders[0].amount_total), totals)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(sale_orders.partner_id, partner, "the documents keep their (now anonymous) contact")
        self.assertNotIn("Quorrinova", invoice.invoice_partner_display_name or "")
        self.assertFalse(
            self.env["shopify.customer.binding"].search(
                [("shop_id", "=", self.shop.id), ("shopify_gid", "=", zelda.gid)]
            )
        )
        request = self.env["shopify.privacy.request"].search([("customer_gid", "=", zelda.gid)])
        self.assertEqual(request.state, "erased")
        self.assertFalse(request.sudo().attachment_id)
        # Bruno is untouched.
        bruno = self.emu_shop.customers[bruno_order.customer_id]
        self.assertEqual(self.sale_orders_of(bruno).partner_id.email, BRUNO["email"])
        self.assertTrue(where_found(self.env.cr, [BRUNO["email"]]))
        log = self.env["shopify.privacy.log"].search([("topic", "=", "customers/redact")])
        self.assertEqual(log.details["contacts_anonymised"], [partner.id])
        self.assertEqual(log.details["bindings_removed"], 1)

        # Run again (a redelivery): nothing left to do, nothing breaks.
        body, headers = self.posted[0]
        self.deliver(body, {**headers, "X-Shopify-Webhook-Id": "redelivery-2"})
        self.assertEqual(where_found(self.env.cr, needles), [])
        second = self.env["shopify.privacy.log"].search([("topic", "=", "customers/redact")], limit=1)
        self.assertEqual(second.details["bindings_removed"], 0)

    def test_customer_of_another_shop_is_only_unlinked(self):
        zelda_order = self.place(ZELDA)
        self.import_orders()
        zelda = self.emu_shop.customers[zelda_order.customer_id]
        partner = self.sale_orders_of(zelda).partner_id
        other_shop = self.create_shop("other-store.myshopify.com")
        self.env["shopify.customer.binding"].create(
            {"shop_id": other_shop.id, "partner_id": partner.id, "shopify_gid": "gid://shopify/Customer/77"}
        )

        self.trigger("customers_redact", customer_id=zelda.gid)

        self.assertEqual(partner.email, ZELDA["email"], "another shop's customer keeps their contact")
        self.assertFalse(
            self.env["shopify.customer.binding"].search(
                [("shop_id", "=", self.shop.id), ("partner_id", "=", partner.id)]
            )
        )
        binding = self.env["shopify.order.binding"].search([("shopify_gid", "=", zelda_order.gid)])
        self.assertFalse(binding.sudo().payload, "this shop's copy of the order loses the personal data")
        log = self.env["shopify.privacy.log"].search([("topic", "=", "customers/redact")])
        self.assertEqual(log.details["contacts_kept"], {str(partner.id): "linked to another Shopify shop"})


@tagged("post_install", "-at_install")
class TestShopRedact(PrivacyEmulatorCase):
    def test_shop_redact_leaves_no_secret_and_no_payload(self):
        self.place(ZELDA)
        self.import_orders()
        sale_order = self.env["shopify.order.binding"].search([("shop_id", "=", self.shop.id)]).sale_order_id
        self.assertTrue(sale_order)
        self.env["shopify.sync.state"].sudo().create(
            {"shop_id": self.shop.id, "kind": "oauth_token", "secret": "shpat_cached_token_value"}
        )
        shop_id = self.shop.id

        self.trigger("shop_redact")
        self.env.flush_all()
        cr = self.env.cr

        cr.execute("SELECT access_token, client_secret, active FROM shopify_shop WHERE id = %s", [shop_id])
        self.assertEqual(cr.fetchone(), (None, None, False))
        cr.execute(
            "SELECT count(*) FROM shopify_sync_state WHERE shop_id = %s AND secret IS NOT NULL", [shop_id]
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute("SELECT raw_body FROM shopify_webhook_event WHERE shop_id = %s", [shop_id])
        self.assertEqual([json.loads(row[0]) for row in cr.fetchall()], [{"redacted": "shop/redact"}])
        for table in (
            "shopify_order_binding",
            "shopify_customer_binding",
            "shopify_api_call",
            "shopify_product_binding",
        ):
            cr.execute(f"SELECT count(*) FROM {table} WHERE shop_id = %s", [shop_id])
            self.assertEqual(cr.fetchone()[0], 0, table)
        self.assertEqual(
            where_found(
                cr, [ZELDA["email"], "Quorrinova", "test-client-secret", "shpat_cached"], extra_tables=()
            ),
            [],
        )
        self.assertTrue(sale_order.exists(), "Odoo's business documents stay")
        shop = self.shop.with_context(active_test=False)
        self.assertEqual(shop.state, "disconnected")
        self.assertTrue(any("shop/redact" in (message.body or "") for message in shop.message_ids))
        log = self.env["shopify.privacy.log"].search([("shop_id", "=", shop_id)])
        self.assertEqual(log.topic, "shop/redact")
        self.assertEqual(log.details["shopify.order.binding"], 1)


@tagged("post_install", "-at_install")
class TestPrivacyWebhooksOverHttp(HttpCase):
    """The emulator posts the privacy webhooks to Odoo's real endpoint: signed ones are stored and handled,
    a forged one is refused without a write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = EmulatorServer(seed=0, clock=FakeClock()).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.emulator.webhooks.backoff = lambda attempt: 0.0
        cls.domain = "privacy-http.myshopify.com"
        cls.emu_shop = cls.emulator.add_shop(cls.domain, access_token="tok", client_secret="privacy-secret")
        cls.shop = cls.env["shopify.shop"].create(
            {
                "name": "privacy",
                "shop_domain": cls.domain,
                "access_token": "tok",
                "client_secret": "privacy-secret",
            }
        )

    def test_signed_redact_is_handled_and_forged_one_refused(self):
        requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.domain}/compliance",
            json={"uri": f"{self.base_url()}/shopify/webhook"},
            timeout=10,
        ).raise_for_status()
        from ...emulator.orders import find_or_create_customer

        with self.emu_shop.lock:
            customer = find_or_create_customer(self.emu_shop, dict(ZELDA))
        partner = self.env["res.partner"].create({"name": "Zelda Quorrinova", "email": ZELDA["email"]})
        self.env["shopify.customer.binding"].create(
            {"shop_id": self.shop.id, "partner_id": partner.id, "shopify_gid": customer.gid}
        )
        requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.domain}/privacy/customers_redact",
            json={"customer_id": customer.id},
            timeout=10,
        ).raise_for_status()
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        log = self.emulator.webhooks.log(self.domain)
        self.assertEqual([(e["topic"], e["state"]) for e in log], [("customers/redact", "delivered")])

        forged = json.dumps({"customer": {"id": customer.id}, "shop_domain": self.domain}).encode()
        with mute_logger("odoo.addons.shopify_sync.controllers.webhook"):
            response = self.url_open(
                "/shopify/webhook",
                data=forged,
                headers={
                    "X-Shopify-Shop-Domain": self.domain,
                    "X-Shopify-Topic": "customers/redact",
                    "X-Shopify-Webhook-Id": "forged-1",
                    "X-Shopify-Hmac-Sha256": "bm90IGEgc2lnbmF0dXJl",
                },
                timeout=30,
            )
        self.assertEqual(response.status_code, 401)
        events = self.env["shopify.webhook.event"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(events.mapped("topic"), ["customers/redact"])

        with mute_logger(QUEUE_LOGGER):
            self.env["shopify.queue.job"]._cron_process_queue()
        self.assertEqual(events.state, "done")
        self.assertTrue(partner.name.startswith("Redacted customer"))
        self.assertFalse(partner.email)
        self.assertNotIn(ZELDA["email"], events.sudo().raw_body)
        self.assertEqual(fields.first(self.env["shopify.privacy.log"].search([])).topic, "customers/redact")
