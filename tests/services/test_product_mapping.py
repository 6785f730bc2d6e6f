"""The pure product mapping: payload shapes, money, weights, status, tags, and the three-way merge."""

from datetime import datetime, timezone
from decimal import Decimal

from ...services.mapping import products as mapping
from ..pure import PureCase

GRAPHQL_NODE = {
    "id": "gid://shopify/Product/11",
    "handle": "enamel-mug",
    "title": " Enamel mug ",
    "descriptionHtml": "<p>Blue</p>",
    "vendor": "Acme",
    "productType": "Mugs",
    "tags": ["kitchen", " gift "],
    "status": "ACTIVE",
    "updatedAt": "2026-10-21T09:14:05+02:00",
    "options": [
        {"name": "Size", "position": 2, "optionValues": [{"name": "S"}, {"name": "L"}]},
        {"name": "Color", "position": 1, "optionValues": [{"name": "Blue"}]},
    ],
    "variants": {
        "nodes": [
            {
                "id": "gid://shopify/ProductVariant/21",
                "sku": "MUG-B-S",
                "barcode": "4006381333931",
                "price": "24.90",
                "compareAtPrice": None,
                "selectedOptions": [{"name": "Size", "value": "S"}, {"name": "Color", "value": "Blue"}],
                "inventoryItem": {
                    "id": "gid://shopify/InventoryItem/31",
                    "measurement": {"weight": {"value": 12.0, "unit": "OUNCES"}},
                },
            }
        ]
    },
}

REST_BODY = {
    "id": 11,
    "title": "Enamel mug",
    "body_html": "<p>Blue</p>",
    "vendor": "Acme",
    "product_type": "Mugs",
    "handle": "enamel-mug",
    "updated_at": "2026-10-21T09:14:05+02:00",
    "status": "draft",
    "tags": "kitchen, gift,  ",
    "admin_graphql_api_id": "gid://shopify/Product/11",
    "options": [{"name": "Color", "position": 1, "values": ["Blue"]}, {"name": "Size", "position": 2}],
    "variants": [
        {
            "id": 21,
            "price": "24.90",
            "compare_at_price": "29.90",
            "sku": "MUG-B-S",
            "barcode": "",
            "option1": "Blue",
            "option2": "S",
            "grams": 340,
            "inventory_item_id": 31,
            "position": 1,
        }
    ],
}


class TestScalars(PureCase):
    def test_money_is_a_decimal_string_not_cents(self):
        self.assertEqual(mapping.parse_money("24.90"), Decimal("24.90"))
        self.assertEqual(float(mapping.parse_money("24.90")), 24.90)
        self.assertEqual(mapping.parse_money("29.999"), Decimal("30.00"))
        self.assertEqual(mapping.parse_money("1000", digits=0), Decimal("1000"))
        self.assertEqual(mapping.parse_money("2.5", digits=3), Decimal("2.500"))
        self.assertIsNone(mapping.parse_money(None))
        self.assertEqual(mapping.format_money(24.9), "24.90")
        with self.assertRaises(mapping.MappingError):
            mapping.parse_money("24,90 EUR")

    def test_weights_become_kilograms(self):
        self.assertEqual(mapping.weight_to_kg(340, "GRAMS"), Decimal("0.340"))
        self.assertEqual(mapping.weight_to_kg(1, "lb"), Decimal("0.454"))
        self.assertEqual(mapping.weight_to_kg(12.0, "OUNCES"), Decimal("0.340"))
        self.assertEqual(mapping.kg_to_unit(Decimal("0.45359237"), "POUNDS"), Decimal("1.000"))
        with self.assertRaises(mapping.MappingError):
            mapping.weight_to_kg(1, "STONES")

    def test_status_both_ways(self):
        self.assertEqual(mapping.status_to_odoo("ACTIVE"), {"active": True, "sale_ok": True})
        self.assertEqual(mapping.status_to_odoo("draft"), {"active": True, "sale_ok": False})
        self.assertEqual(mapping.status_to_odoo("ARCHIVED"), {"active": False, "sale_ok": False})
        self.assertEqual(mapping.status_to_odoo("UNLISTED"), {"active": True, "sale_ok": True})
        self.assertEqual(mapping.status_from_odoo(True, True), "ACTIVE")
        self.assertEqual(mapping.status_from_odoo(True, True, previous="UNLISTED"), "UNLISTED")
        self.assertEqual(mapping.status_from_odoo(True, False, previous="UNLISTED"), "DRAFT")
        self.assertEqual(mapping.status_from_odoo(False, True), "ARCHIVED")
        with self.assertRaises(mapping.MappingError):
            mapping.status_to_odoo("HIDDEN")

    def test_tags_are_trimmed_unique_and_sorted(self):
        self.assertEqual(mapping.normalize_tags(" b ,a,, b,A  c "), ["a", "A c", "b"])
        self.assertEqual(mapping.normalize_tags(["x", " x "]), ["x"])

    def test_description_is_compared_as_text(self):
        self.assertEqual(
            mapping.html_to_text("<p>Blue &amp; <b>white</b></p><p>350 ml</p>"), "Blue & white\n350 ml"
        )
        self.assertEqual(mapping.text_to_html("Blue & white\n350 ml"), "<p>Blue &amp; white</p><p>350 ml</p>")
        self.assertEqual(mapping.html_to_text(mapping.text_to_html("a <b>\nb")), "a <b>\nb")

    def test_variant_prices_split_into_base_and_extras(self):
        prices = {
            ("Blue", "S"): Decimal("10"),
            ("Blue", "L"): Decimal("12"),
            ("Red", "S"): Decimal("11"),
            ("Red", "L"): Decimal("13"),
        }
        base, extras, exact = mapping.split_variant_prices(prices)
        self.assertEqual(base, Decimal("10"))
        self.assertEqual(extras, {(0, "Blue"): 0, (0, "Red"): 1, (1, "S"): 0, (1, "L"): 2})
        self.assertTrue(exact)
        prices[("Red", "L")] = Decimal("20")
        self.assertFalse(mapping.split_variant_prices(prices)[2])


class TestPayloadShapes(PureCase):
    def test_graphql_node(self):
        product = mapping.product_from_graphql(GRAPHQL_NODE)
        self.assertEqual(product["gid"], "gid://shopify/Product/11")
        self.assertEqual(product["fields"]["title"], "Enamel mug")
        self.assertEqual(product["fields"]["tags"], ["gift", "kitchen"])
        self.assertEqual(product["fields"]["description_html"], "Blue")
        self.assertEqual([option["name"] for option in product["options"]], ["Color", "Size"])
        variant = product["variants"][0]
        self.assertEqual(variant["option_values"], ["Blue", "S"])
        self.assertEqual(variant["fields"]["price"], Decimal("24.90"))
        self.assertEqual(variant["fields"]["weight"], Decimal("0.340"))
        self.assertEqual(variant["inventory_item_gid"], "gid://shopify/InventoryItem/31")
        self.assertEqual(product["updated_at"], datetime(2026, 10, 21, 7, 14, 5, tzinfo=timezone.utc))

    def test_rest_webhook_body_maps_like_graphql(self):
        rest = mapping.product_from_rest(REST_BODY)
        graphql = mapping.product_from_graphql(GRAPHQL_NODE)
        self.assertEqual(rest["fields"]["status"], "DRAFT")
        self.assertEqual(rest["variants"][0]["fields"]["compare_at_price"], Decimal("29.90"))
        self.assertEqual(rest["variants"][0]["gid"], "gid://shopify/ProductVariant/21")
        for key in ("gid", "handle", "updated_at"):
            self.assertEqual(rest[key], graphql[key])
        self.assertEqual(rest["variants"][0]["option_values"], graphql["variants"][0]["option_values"])
        self.assertEqual(rest["variants"][0]["fields"]["weight"], graphql["variants"][0]["fields"]["weight"])

    def test_default_title_option_means_no_option(self):
        body = dict(REST_BODY, options=[{"name": "Title", "position": 1, "values": ["Default Title"]}])
        body["variants"] = [dict(REST_BODY["variants"][0], option1="Default Title", option2=None)]
        product = mapping.product_from_rest(body)
        self.assertEqual(product["options"], [])
        self.assertEqual(product["variants"][0]["option_values"], [])

    def test_product_set_input_sends_full_variant_list_and_chosen_fields(self):
        product = mapping.product_from_graphql(GRAPHQL_NODE)
        data = mapping.product_set_input(product, {"title", "price", "sku", "weight", "tags"})
        self.assertEqual(data["title"], "Enamel mug")
        self.assertNotIn("vendor", data)
        self.assertEqual(
            data["productOptions"][0], {"name": "Color", "position": 1, "values": [{"name": "Blue"}]}
        )
        variant = data["variants"][0]
        self.assertEqual(variant["price"], "24.90")
        self.assertEqual(variant["id"], "gid://shopify/ProductVariant/21")
        self.assertNotIn("barcode", variant)
        self.assertEqual(variant["optionValues"][1], {"optionName": "Size", "name": "S"})
        self.assertEqual(variant["inventoryItem"]["measurement"]["weight"]["unit"], "KILOGRAMS")

    def test_product_without_options_gets_default_title(self):
        product = mapping.product_from_rest(REST_BODY)
        product["options"], product["variants"][0]["option_values"] = [], []
        data = mapping.product_set_input(product, {"title"})
        self.assertEqual(
            data["productOptions"], [{"name": "Title", "position": 1, "values": [{"name": "Default Title"}]}]
        )
        self.assertEqual(
            data["variants"][0]["optionValues"], [{"optionName": "Title", "name": "Default Title"}]
        )

    def test_more_than_three_options_is_reported_not_dropped(self):
        product = mapping.product_from_graphql(GRAPHQL_NODE)
        product["options"] = [{"name": f"Option {n}", "values": ["x"]} for n in range(4)]
        self.assertIn("4 attributes", mapping.check_limits(product)[0])
        with self.assertRaises(mapping.MappingError):
            mapping.product_set_input(product, {"title"})


RULES = dict.fromkeys(mapping.ALL_FIELDS, (mapping.BOTH, mapping.ODOO_WINS))


def snap(title="Mug", price="24.9", vendor="Acme"):
    return {"product": {"title": title, "vendor": vendor}, "variants": {"Blue": {"price": price}}}


class TestMerge(PureCase):
    def test_nothing_changed(self):
        merged = mapping.merge(snap(), snap(), snap(), RULES)
        self.assertEqual((merged["to_odoo"], merged["to_shopify"], merged["conflicts"]), ({}, {}, []))

    def test_one_sided_changes_flow_to_the_other_side(self):
        merged = mapping.merge(snap(), snap(title="Cup"), snap(price="19.9"), RULES)
        self.assertEqual(merged["to_shopify"], {("product", "title"): "Cup"})
        self.assertEqual(merged["to_odoo"], {("Blue", "price"): "19.9"})
        self.assertEqual(merged["conflicts"], [])
        # The snapshot keeps Shopify's value for the title until the export is done.
        self.assertEqual(merged["result"]["product"]["title"], "Mug")
        self.assertEqual(merged["result"]["variants"]["Blue"]["price"], "19.9")

    def test_same_change_on_both_sides_is_no_conflict(self):
        merged = mapping.merge(snap(), snap(title="Cup"), snap(title="Cup"), RULES)
        self.assertEqual(merged["conflicts"], [])
        self.assertEqual(merged["result"]["product"]["title"], "Cup")

    def test_both_sides_conflict_under_each_policy(self):
        odoo_at = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
        cases = [
            (mapping.ODOO_WINS, "2026-11-01T13:00:00Z", "odoo"),
            (mapping.SHOPIFY_WINS, "2026-11-01T11:00:00Z", "shopify"),
            (mapping.NEWEST_WINS, "2026-11-01T12:10:00Z", "shopify"),
            (mapping.NEWEST_WINS, "2026-11-01T11:50:00Z", "odoo"),
            (mapping.NEWEST_WINS, "2026-11-01T12:01:00Z", "odoo"),  # within the skew tolerance
        ]
        for policy, shopify_at, winner in cases:
            with self.subTest(policy=policy, shopify_at=shopify_at):
                rules = {"title": (mapping.BOTH, policy)}
                merged = mapping.merge(
                    snap(), snap(title="Odoo"), snap(title="Shop"), rules, odoo_at, shopify_at
                )
                (conflict,) = merged["conflicts"]
                self.assertEqual(conflict["winner"], winner)
                self.assertEqual((conflict["odoo_value"], conflict["shopify_value"]), ("Odoo", "Shop"))
                if winner == "odoo":
                    self.assertEqual(merged["to_shopify"], {("product", "title"): "Odoo"})
                    self.assertEqual(merged["to_odoo"], {})
                else:
                    self.assertEqual(merged["to_odoo"], {("product", "title"): "Shop"})
                    self.assertEqual(merged["to_shopify"], {})

    def test_direction_limits_the_flow(self):
        rules = {
            "title": (mapping.TO_SHOPIFY, mapping.SHOPIFY_WINS),
            "vendor": (mapping.TO_ODOO, mapping.ODOO_WINS),
        }
        merged = mapping.merge(
            snap(), snap(title="Odoo", vendor="Odoo"), snap(title="Shop", vendor="Shop"), rules
        )
        self.assertEqual(merged["to_shopify"], {("product", "title"): "Odoo"})
        self.assertEqual(merged["to_odoo"], {("product", "vendor"): "Shop"})
        # Unmapped fields are ignored.
        self.assertNotIn(("Blue", "price"), merged["to_odoo"])

    def test_snapshot_of_a_product_is_stable_for_equal_money(self):
        product = mapping.product_from_graphql(GRAPHQL_NODE)
        again = mapping.product_from_rest(REST_BODY)
        self.assertEqual(
            mapping.snapshot(product)["variants"]["Blue / S"]["price"],
            mapping.snapshot(again)["variants"]["Blue / S"]["price"],
        )
        self.assertEqual(mapping.snapshot(product)["variants"]["Blue / S"]["price"], "24.9")
