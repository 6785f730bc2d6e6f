from datetime import datetime
from decimal import Decimal

from ...services.mapping.orders import (
    OrderPayloadError,
    line_total,
    normalize_phone,
    order_from_graphql,
    order_from_rest,
    tax_keys,
)
from ..payloads import orders as payloads
from ..pure import PureCase


class TestOrderMapping(PureCase):
    def test_rest_order_in_shop_money_as_decimals(self):
        order = order_from_rest(payloads.eu_tax_included())
        self.assertEqual(order["gid"], "gid://shopify/Order/6123456789012")
        self.assertEqual(order["name"], "#1042")
        self.assertEqual(order["total_price"], Decimal("49.75"))
        self.assertTrue(order["taxes_included"])
        # 09:14:03+02:00 is 07:14:03 UTC, stored naive as Odoo does.
        self.assertEqual(order["processed_at"], datetime(2026, 10, 21, 7, 14, 3))
        (line,) = order["lines"]
        self.assertEqual(line["variant_gid"], "gid://shopify/ProductVariant/40011223344")
        self.assertEqual(line["sku"], "MUG-BLU-350")
        self.assertEqual(
            (line["quantity"], line["unit_price"], line["discount"]), (2, Decimal("24.90"), Decimal("5.00"))
        )
        self.assertEqual(
            line["taxes"], [{"title": "MwSt", "rate": Decimal("0.19"), "amount": Decimal("7.15")}]
        )
        self.assertEqual(line_total(line, True), Decimal("44.80"))
        self.assertEqual(order["shipping_lines"][0]["price"], Decimal("4.95"))
        self.assertEqual(order["customer"]["gid"], "gid://shopify/Customer/6120099887")
        self.assertEqual(tax_keys(order), [(Decimal("0.19"), "MwSt")])

    def test_tax_excluded_line_total_adds_tax(self):
        order = order_from_rest(payloads.us_tax_excluded())
        self.assertEqual(
            [line_total(line, False) for line in order["lines"]],
            [Decimal("52.12"), Decimal("31.37"), Decimal("19.21")],
        )
        self.assertEqual(order["email"], "zoe.lukasiewicz@example.com")
        self.assertEqual(order["billing_address"]["state_code"], "CA")

    def test_presentment_currency_kept_apart(self):
        order = order_from_rest(payloads.guest_chf())
        self.assertEqual((order["currency"], order["presentment_currency"]), ("EUR", "CHF"))
        self.assertEqual(
            (order["total_price"], order["presentment_total_price"]), (Decimal("119.00"), Decimal("113.00"))
        )
        self.assertEqual(order["lines"][0]["unit_price"], Decimal("89.00"))
        self.assertTrue(order["lines"][1]["is_gift_card"])
        self.assertEqual(order["lines"][1]["taxes"], [])
        self.assertEqual(order["tip"], Decimal("5.00"))
        self.assertIsNone(order["customer"])

    def test_graphql_node_maps_to_the_same_dict(self):
        rest = order_from_rest(payloads.eu_tax_included())
        graphql = order_from_graphql(payloads.eu_tax_included_graphql())
        for key in ("gid", "name", "currency", "total_price", "processed_at", "updated_at", "taxes_included"):
            self.assertEqual(graphql[key], rest[key], key)
        self.assertEqual(graphql["lines"][0]["discount"], rest["lines"][0]["discount"])
        self.assertEqual(graphql["lines"][0]["taxes"], rest["lines"][0]["taxes"])
        self.assertEqual(graphql["shipping_lines"][0]["taxes"], rest["shipping_lines"][0]["taxes"])
        self.assertEqual(graphql["customer"]["email"], "ana@example.org")
        self.assertEqual(graphql["financial_status"], "paid")

    def test_bad_payloads_say_what_is_wrong(self):
        with self.assertRaisesRegex(OrderPayloadError, "^id: missing: the body names no order$"):
            order_from_rest({"name": "#1"})
        bad = payloads.eu_tax_included()
        bad["line_items"][0]["price_set"]["shop_money"]["amount"] = "24,90"
        with self.assertRaisesRegex(
            OrderPayloadError, r"^line_items\[0\]\.price_set\.shop_money\.amount: '24,90' is not an amount$"
        ):
            order_from_rest(bad)

    def test_phone_normalisation(self):
        self.assertEqual(normalize_phone("+1 (415) 555-0133"), "+14155550133")
        self.assertEqual(normalize_phone("0049 221 1234"), "+492211234")
        self.assertIsNone(normalize_phone(" - "))
