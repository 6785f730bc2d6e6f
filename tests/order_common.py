"""Shops, taxes and products the order tests share (a German tax-included shop, a Californian one)."""

import json

from odoo import Command
from odoo.tools import mute_logger

from ..services import webhook_signature
from .common import ShopifyCase
from .payloads import orders as payloads


class SignedDeliveries:
    """Mixed into HttpCase: deliveries signed with the shop's secret, POSTed to the real endpoint."""

    def deliver(self, shop, topic, payload, webhook_id):
        raw = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Shop-Domain": shop.shop_domain,
            "X-Shopify-Topic": topic,
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": f"event-{webhook_id}",
            "X-Shopify-Triggered-At": "2026-11-03T02:40:12.000Z",
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Hmac-Sha256": webhook_signature.sign(shop.client_secret, raw),
        }
        with mute_logger("odoo.addons.shopify_sync.controllers.webhook"):
            response = self.url_open("/shopify/webhook", data=raw, headers=headers, timeout=30)
        self.assertEqual(response.status_code, 200)

    def process_queue(self):
        return self.env["shopify.queue.job"]._cron_process_queue()


class OrderFixtures:
    """Mixed into TransactionCase and HttpCase test classes; call setup_order_fixtures() once."""

    @classmethod
    def setup_order_fixtures(cls):
        cls.company = cls.env.company
        cls.importer = cls.env["shopify.order.import"]
        Tax = cls.env["account.tax"]
        cls.vat19_included = Tax.create(
            {
                "name": "MwSt 19% incl.",
                "amount": 19.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": cls.company.id,
            }
        )
        cls.ca_tax_excluded = Tax.create(
            {
                "name": "CA State Tax 7.25%",
                "amount": 7.25,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
                "company_id": cls.company.id,
            }
        )
        Shop = cls.env["shopify.shop"]
        cls.eu_shop, cls.us_shop = (
            Shop.create(
                {
                    "name": domain.split(".")[0],
                    "shop_domain": domain,
                    "access_token": "test-access-token",
                    "client_secret": f"secret-of-{domain}",
                    "order_confirmation_policy": "paid",
                }
            )
            for domain in ("eu-store.myshopify.com", "us-store.myshopify.com")
        )
        Mapping = cls.env["shopify.tax.mapping"]
        Mapping.create(
            {
                "shop_id": cls.eu_shop.id,
                "rate_percent": 19.0,
                "price_include": True,
                "tax_id": cls.vat19_included.id,
            }
        )
        cls.us_mapping = Mapping.create(
            {
                "shop_id": cls.us_shop.id,
                "rate_percent": 7.25,
                "price_include": False,
                "title": "CA State Tax",
                "tax_id": cls.ca_tax_excluded.id,
            }
        )
        Product = cls.env["product.product"]
        cls.products = {
            sku: Product.create(
                {"name": name, "default_code": sku, "type": "consu", "taxes_id": [Command.clear()]}
            )
            for sku, name in (
                ("MUG-BLU-350", "Enamel mug blue 350 ml"),
                ("APR-NAT", "Linen apron"),
                ("BWL-WHT-16", "Ceramic bowl"),
                ("TWL-STR", "Tea towel"),
                ("BLK-WOOL-GRY", "Wool blanket"),
            )
        }
        cls.payloads = payloads

    def import_rest(self, shop, payload):
        return self.importer._import_rest(shop, payload)

    def assertLines(self, sale_order, expected):
        """expected: [(product, qty, price_unit, discount, taxes, price_total)] in line order."""
        actual = [
            (
                line.product_id,
                line.product_uom_qty,
                line.price_unit,
                line.discount,
                line.tax_id,
                line.price_total,
            )
            for line in sale_order.order_line
        ]
        self.assertEqual(len(actual), len(expected), actual)
        for got, want in zip(actual, expected, strict=True):
            self.assertEqual(got[0], want[0])
            self.assertAlmostEqual(got[1], want[1], places=3)
            self.assertAlmostEqual(got[2], want[2], places=2)
            self.assertAlmostEqual(got[3], want[3], places=2)
            self.assertEqual(got[4], want[4])
            self.assertAlmostEqual(got[5], want[5], places=2)

    def binding_activities(self, binding):
        return self.env["mail.activity"].search(
            [("res_model", "=", binding._name), ("res_id", "=", binding.id)]
        )


class OrderCase(OrderFixtures, ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_order_fixtures()
