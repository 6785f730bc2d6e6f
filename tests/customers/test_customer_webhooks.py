"""Customers from Shopify against the emulator: customers/create|update|delete|merge deliveries through the
engine make, update, unlink and follow contacts; the order import finds a registered customer by binding;
two Shopify customers with one e-mail end on one contact (the documented rule)."""

import json
from datetime import timedelta

import requests

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ...emulator import webhooks
from ...services.queue_policy import PRIORITY_CUSTOMERS
from ..common import EmulatorCase

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"

ANA = {
    "first_name": "Ana",
    "last_name": "Roth",
    "email": "Ana.Roth@Example.org",
    "phone": "+49 221 555 0101",
    "note": "Prefers morning delivery",
    "tags": ["VIP", "Wholesale"],
    "tax_exempt": True,
    "address": {"first_name": "Ana", "last_name": "Roth", "address1": "Domplatz 1", "city": "Köln",
                "zip": "50667", "country_code": "DE", "company": "Roth GmbH"},
    "addresses": [{"first_name": "Ana", "last_name": "Roth", "address1": "Hafenstraße 9", "city": "Hamburg",
                   "zip": "20457", "country_code": "DE"}],
    "email_consent": {"state": "SUBSCRIBED", "opt_in_level": "CONFIRMED_OPT_IN"},
}  # fmt: skip


@tagged("post_install", "-at_install")
class TestCustomerWebhooks(EmulatorCase):
    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        with self.emu_shop.lock:
            for topic in (
                "CUSTOMERS_CREATE",
                "CUSTOMERS_UPDATE",
                "CUSTOMERS_DELETE",
                "CUSTOMERS_MERGE",
                "ORDERS_CREATE",
            ):
                webhooks.create_subscription(
                    self.emu_shop, topic, {"uri": "http://odoo.invalid/hook"}, "2026-10"
                )
        self.posted = self.capture_webhook_deliveries()

    def admin(self, path, body=None):
        response = requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/{path}", json=body or {}, timeout=10
        )
        self.assertLess(response.status_code, 300, response.text)
        return response.json()

    def deliver_all(self):
        """Run every delivery the emulator made since the last call; returns their jobs."""
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        jobs = self.env["shopify.queue.job"]
        with mute_logger(QUEUE_LOGGER):
            for body, headers in self.posted:
                jobs |= self.run_delivery(body, headers)
        self.posted.clear()
        for job in jobs:
            self.assertIn(job.state, ("done", "skipped"), job.last_error_message)
        return jobs

    def binding(self, gid):
        return self.env["shopify.customer.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_gid", "=", gid)]
        )

    def test_created_updated_deleted_on_shopify(self):
        created = self.admin("customers", ANA)
        self.clock.advance(60)
        jobs = self.deliver_all()
        self.assertEqual(jobs.mapped("priority"), [PRIORITY_CUSTOMERS])
        binding = self.binding(created["id"])
        partner = binding.partner_id
        self.assertEqual(binding.match_rule, "created")
        self.assertEqual(
            (
                partner.name,
                partner.email,
                partner.phone,
                partner.street,
                partner.city,
                partner.country_id.code,
            ),
            ("Ana Roth", "ana.roth@example.org", "+49 221 555 0101", "Domplatz 1", "Köln", "DE"),
        )
        self.assertEqual(partner.company_name, "Roth GmbH")
        self.assertIn("morning", partner.comment)
        self.assertTrue(partner.shopify_tax_exempt)
        self.assertEqual(sorted(partner.category_id.mapped("name")), ["VIP", "Wholesale"])
        self.assertEqual(partner.shopify_email_consent, "subscribed")
        self.assertTrue(partner.shopify_email_consent_at)
        self.assertEqual(partner.child_ids.mapped("city"), ["Hamburg"])

        # Update: new phone, a tag dropped, the same other address sent again (no duplicate), SMS consent.
        self.admin(
            f"customers/{created['id'].rsplit('/', 1)[1]}",
            {
                "phone": "+49 221 555 0199",
                "tags": ["VIP"],
                "sms_consent": {"state": "SUBSCRIBED"},
                "addresses": ANA["addresses"],
            },
        )
        self.deliver_all()
        self.assertEqual(partner.phone, "+49 221 555 0199")
        self.assertEqual(partner.category_id.mapped("name"), ["VIP"])
        self.assertEqual(partner.shopify_sms_consent, "subscribed")
        self.assertEqual(len(partner.child_ids), 1)
        # An older delivery replayed changes nothing.
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=ilike", "ana.roth@example.org")]), 1
        )

        self.admin(f"customers/{created['id'].rsplit('/', 1)[1]}/delete")
        self.deliver_all()
        self.assertFalse(self.binding(created["id"]))
        self.assertFalse(partner.active, "a contact only this customer used is archived")

    def test_registered_customer_who_later_orders_is_matched_by_binding(self):
        created = self.admin("customers", {**ANA, "tags": []})
        self.deliver_all()
        partner = self.binding(created["id"]).partner_id
        self.emu_shop.tax_rate = "0"
        self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(5, 5))
        variant = next(iter(self.emu_shop.variants.values()))
        self.env["product.product"].create(
            {"name": variant.sku, "default_code": variant.sku, "type": "consu", "taxes_id": [Command.clear()]}
        )
        # The order's e-mail differs: only the binding can find the contact.
        order = self.emu_shop.place_order(
            [{"variant_id": variant.id, "quantity": 1}],
            customer={"email": ANA["email"]},
            email="other-address@example.org",
        )
        self.deliver_all()
        binding = self.env["shopify.order.binding"].search([("shopify_gid", "=", order.gid)])
        self.assertEqual(binding.customer_match_rule, "binding")
        self.assertEqual(binding.sale_order_id.partner_id, partner)

    def test_two_shopify_customers_with_one_email_share_one_contact(self):
        """Shopify keeps e-mails unique within a shop, so two customers with one e-mail come from two shops
        (or from an e-mail changed since): the second is bound to the contact the first made (rule
        "email"), whose name it does not overwrite."""
        first = self.admin(
            "customers", {"first_name": "Ana", "last_name": "Roth", "email": "Shared@Example.org"}
        )
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        body, _headers = self.posted[0]
        self.deliver_all()
        other_shop = self.create_shop("second-store.myshopify.com")
        payload = json.loads(body)
        payload.update(
            {"id": 99001, "admin_graphql_api_id": "gid://shopify/Customer/99001", "first_name": "A."}
        )
        event = self.env["shopify.webhook.event"]._ingest(
            other_shop, "customers/create", "second-shop-1", json.dumps(payload), payload
        )
        with mute_logger(QUEUE_LOGGER):
            event.job_ids._run()
        self.assertEqual(event.state, "done")
        one = self.binding(first["id"])
        two = self.env["shopify.customer.binding"].search([("shop_id", "=", other_shop.id)])
        self.assertEqual(one.partner_id, two.partner_id)
        self.assertEqual((one.match_rule, two.match_rule), ("created", "email"))
        self.assertEqual(self.env["res.partner"].search_count([("email", "=ilike", "shared@example.org")]), 1)
        self.assertEqual(one.partner_id.name, "Ana Roth")

    def test_merge_on_shopify_is_followed(self):
        kept = self.admin("customers", {"first_name": "Ana", "email": "ana@example.org"})
        gone = self.admin("customers", {"first_name": "Anna", "email": "anna@example.org"})
        self.deliver_all()
        kept_partner, gone_partner = self.binding(kept["id"]).partner_id, self.binding(gone["id"]).partner_id
        self.assertNotEqual(kept_partner, gone_partner)
        self.admin("customers/merge", {"kept": kept["id"], "deleted": gone["id"]})
        self.deliver_all()
        self.assertFalse(self.binding(gone["id"]))
        self.assertEqual(self.binding(kept["id"]).partner_id, kept_partner)
        self.assertIn("merged", gone_partner.message_ids[0].body)

    def test_merge_into_an_unlinked_customer_moves_the_link(self):
        gone = self.admin("customers", {"first_name": "Anna", "email": "anna@example.org"})
        self.deliver_all()
        partner = self.binding(gone["id"]).partner_id
        with self.emu_shop.lock:
            from ...emulator.customers import create_customer

            kept = create_customer(
                self.emu_shop, {"first_name": "Ana", "email": "ana@example.org"}, emit=False
            )
        self.clock.advance(timedelta(minutes=1).total_seconds())
        self.admin("customers/merge", {"kept": kept.gid, "deleted": gone["id"]})
        self.deliver_all()
        self.assertEqual(self.binding(kept.gid).partner_id, partner)
        self.assertFalse(self.binding(gone["id"]))
