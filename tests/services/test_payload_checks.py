"""The payload checks (services/payload_checks.py) and the mappings that run them. Pure: no database."""

from decimal import Decimal

from odoo.tests import BaseCase

from ...services import bulk, inventory
from ...services import payload_checks as checks
from ...services.errors import PayloadError, ShopifyError
from ...services.mapping import orders as order_mapping
from ...services.mapping import products as product_mapping
from ..payloads import orders as payloads
from ..products.test_product_import import rest_product
from .test_product_mapping import GRAPHQL_NODE


class TestVocabulary(BaseCase):
    def assert_refused(self, value, rule, message):
        with self.assertRaises(PayloadError) as caught:
            checks.check({"field": value}, checks.Obj({"field": rule}))
        self.assertEqual(str(caught.exception), f"field: {message}")

    def assert_accepted(self, value, rule):
        self.assertEqual(checks.check({"field": value}, checks.Obj({"field": rule})), [])

    def test_the_error_is_final_and_names_the_path(self):
        error = PayloadError("-1 is not a quantity", path="line_items[2].quantity")
        self.assertIsInstance(error, ShopifyError)
        self.assertIsInstance(error, ValueError)
        self.assertFalse(error.retryable)
        self.assertEqual(str(error), "line_items[2].quantity: -1 is not a quantity")
        error.operation = "orders/create body"
        self.assertEqual(str(error), "orders/create body: line_items[2].quantity: -1 is not a quantity")

    def test_objects_and_lists_say_what_they_got(self):
        schema = checks.Obj(
            {"customer": checks.Obj({"id": checks.Id()}), "lines": checks.ListOf(checks.Obj({}))}
        )
        for body, message in (
            ({"customer": [1]}, "customer: a list is not an object"),
            ({"customer": "abc"}, "customer: 'abc' is not an object"),
            ({"customer": ""}, "customer: '' is not an object"),
            ({"lines": "abc"}, "lines: 'abc' is not a list"),
            ({"lines": {"a": 1}}, "lines: an object is not a list"),
            ({"lines": [{}, None]}, "lines[1]: null is not a list item"),
            ({"lines": [{}, 7]}, "lines[1]: 7 is not an object"),
            ([1, 2], "a list is not an object"),
        ):
            with self.subTest(body=body), self.assertRaises(PayloadError) as caught:
                checks.check(body, schema)
            self.assertEqual(str(caught.exception), message)
        # Keys the schema does not name are not looked at; absent and null values are the mapping's.
        self.assertEqual(checks.check({"other": [1], "customer": None}, schema), [])
        with self.assertRaisesRegex(PayloadError, "^id: missing$"):
            checks.check({}, checks.Obj({"id": checks.Id(required=True)}))

    def test_list_length(self):
        with self.assertRaisesRegex(PayloadError, "^tags: 3 items, more than 2$"):
            checks.check({"tags": ["a", "b", "c"]}, checks.Obj({"tags": checks.ListOf(checks.Text(), 2)}))

    def test_quantities(self):
        quantity = checks.Quantity()
        for value in (1, 2, "3", 4.0, checks.MAX_QUANTITY):
            self.assert_accepted(value, quantity)
        self.assert_refused(
            -999999999, quantity, "-999999999 is not a quantity (a whole number from 1 to 1,000,000)"
        )
        self.assert_refused(0, quantity, "0 is not a quantity (a whole number from 1 to 1,000,000)")
        self.assert_refused(
            1_000_001, quantity, "1000001 is not a quantity (a whole number from 1 to 1,000,000)"
        )
        self.assert_refused(1.5, quantity, "1.5 is not a quantity (a whole number from 1 to 1,000,000)")
        self.assert_refused("two", quantity, "'two' is not a quantity")
        self.assert_refused(True, quantity, "true is not a quantity")
        self.assert_refused([2], quantity, "a list is not a quantity")
        self.assert_accepted(0, checks.Quantity(minimum=0))
        self.assertEqual((checks.as_int("3"), checks.as_int(4.0), checks.as_int(None)), (3, 4, 0))

    def test_amounts(self):
        money = checks.Money()
        for value in ("24.90", "0.00", 0, 12.5, "1000000000000"):
            self.assert_accepted(value, money)
        bounds = "(from 0 to 1,000,000,000,000)"
        self.assert_refused("-4.95", money, f"'-4.95' is not an amount {bounds}")
        self.assert_refused("9.2e18", money, f"'9.2e18' is not an amount {bounds}")
        self.assert_refused(9.2e18, money, f"9.2e+18 is not an amount {bounds}")
        self.assert_refused("abc", money, "'abc' is not an amount")
        self.assert_refused("24,90", money, "'24,90' is not an amount")
        self.assert_refused("NaN", money, "'NaN' is not an amount")
        self.assert_refused("Infinity", money, "'Infinity' is not an amount")
        self.assert_refused({"amount": "1"}, money, "an object is not an amount")
        self.assert_accepted("-5", checks.Money(minimum=-10))
        self.assert_accepted(0.19, checks.Rate())
        self.assert_refused(19, checks.Rate(), "19 is not a tax rate (from 0 to 10)")

    def test_ids_and_gids(self):
        for value in (
            450789469,
            "450789469",
            "gid://shopify/Order/1",
            "gid://shopify/InventoryLevel/2?inventory_item_id=3",
        ):
            self.assert_accepted(value, checks.Id())
        for value in ("²", "12a", "1" * 5000, 0, -3, 2**63, True, 1.5, "gid://shopify/Order/x"):
            with self.subTest(value=value), self.assertRaisesRegex(PayloadError, "is not a Shopify id$"):
                checks.check({"field": value}, checks.Obj({"field": checks.Id()}))
        self.assert_accepted("gid://shopify/Order/1", checks.Gid("Order"))
        self.assert_refused(
            "gid://shopify/Product/1",
            checks.Gid("Order"),
            "'gid://shopify/Product/1' is not a Shopify Order id",
        )
        self.assert_refused(5, checks.Gid(), "5 is not a Shopify id")

    def test_text_timestamps_flags(self):
        self.assert_accepted("Köln", checks.Text())
        self.assert_refused(12, checks.Text(), "12 is not text")
        self.assert_refused("a\x00b", checks.Text(), "contains a NUL character")
        self.assert_refused("\ud800", checks.Text(), "is not valid Unicode (an unpaired surrogate)")
        self.assert_refused("x" * 1001, checks.Text(), "1,001 characters, more than 1,000")
        self.assert_accepted("x" * 5000, checks.Text(None))
        self.assert_refused("ÜSD", checks.Currency(), "'ÜSD' is not a currency code")
        self.assert_accepted("eur", checks.Currency())
        for value in ("2026-11-25T10:00:00-05:00", "2026-11-25T15:00:00Z", "2026-11-25"):
            self.assert_accepted(value, checks.Timestamp())
        for value in ("yesterday", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00", 1700000000):
            with self.subTest(value=value), self.assertRaisesRegex(PayloadError, "is not a timestamp$"):
                checks.check({"field": value}, checks.Obj({"field": checks.Timestamp()}))
        self.assert_accepted(False, checks.Flag())
        self.assert_refused("false", checks.Flag(), "'false' is not true or false")

    def test_a_junk_email_is_a_warning_and_dropped(self):
        schema = checks.Obj({"email": checks.Email()})
        self.assertEqual(checks.check({"email": "Ana@Example.org"}, schema), [])
        for junk in ("ÜSD", "12abc", "a@b", "a b@example.org", "@example.org", 12):
            with self.subTest(junk=junk):
                warnings = checks.check({"email": junk}, schema)
                self.assertEqual(len(warnings), 1)
                self.assertEqual(warnings[0][0], "email")
                self.assertIn("is not an e-mail address: not stored", warnings[0][1])
                self.assertIsNone(checks.email_or_none(junk))
        self.assertEqual(checks.email_or_none(" Ana@Example.org "), "ana@example.org")
        self.assertEqual(checks.email_or_none("zoë@exämple.de"), "zoë@exämple.de")


class TestOrderPayloads(BaseCase):
    def refused(self, payload, mapper=order_mapping.order_from_rest):
        with self.assertRaises(PayloadError) as caught:
            mapper(payload)
        return str(caught.exception)

    def test_valid_orders_map_as_before(self):
        order = order_mapping.order_from_rest(payloads.us_tax_excluded())
        self.assertEqual(order["total_price"], Decimal("114.70"))
        self.assertEqual([line["quantity"] for line in order["lines"]], [3, 1, 2])
        self.assertEqual(order["warnings"], [])
        self.assertEqual(order_mapping.order_from_rest(payloads.guest_chf())["warnings"], [])
        self.assertEqual(order_mapping.order_from_graphql(payloads.eu_tax_included_graphql())["warnings"], [])

    def test_impossible_values_are_named(self):
        cases = []
        body = payloads.us_tax_excluded()
        body["line_items"][2]["quantity"] = body["line_items"][2]["current_quantity"] = -999999999
        cases.append((body, "line_items[2].quantity: -999999999 is not a quantity"))
        body = payloads.us_tax_excluded()
        body["line_items"][0]["current_quantity"] = 5_000_000
        cases.append((body, "line_items[0].current_quantity: 5000000 is not a quantity"))
        body = payloads.us_tax_excluded()
        body["line_items"][1]["discount_allocations"][0]["amount"] = "9223372036854775807"
        cases.append(
            (body, "line_items[1].discount_allocations[0].amount: '9223372036854775807' is not an amount")
        )
        body = payloads.us_tax_excluded()
        body["shipping_lines"][0]["price"] = "-12.00"
        cases.append((body, "shipping_lines[0].price: '-12.00' is not an amount (from 0"))
        body = payloads.us_tax_excluded()
        body["line_items"][0]["price"] = "abc"
        cases.append((body, "line_items[0].price: 'abc' is not an amount"))
        body = payloads.us_tax_excluded()
        body["total_price"] = "-17999999957.50"
        cases.append((body, "total_price: '-17999999957.50' is not an amount"))
        body = payloads.us_tax_excluded()
        body["line_items"] = "abc"
        cases.append((body, "line_items: 'abc' is not a list"))
        body = payloads.us_tax_excluded()
        body["customer"] = [body["customer"]]
        cases.append((body, "customer: a list is not an object"))
        body = payloads.us_tax_excluded()
        body["taxes_included"] = "false"
        cases.append((body, "taxes_included: 'false' is not true or false"))
        body = payloads.us_tax_excluded()
        body["shipping_address"]["country_code"] = {"code": "US"}
        cases.append((body, "shipping_address.country_code: an object is not a country code"))
        body = payloads.us_tax_excluded()
        body["updated_at"] = "9999-12-31T23:59:59-23:00"
        cases.append((body, "updated_at: '9999-12-31T23:59:59-23:00' is not a timestamp"))
        body = payloads.us_tax_excluded()
        body["id"], body["admin_graphql_api_id"] = "²", None
        cases.append((body, "id: '²' is not a Shopify id"))
        for body, message in cases:
            with self.subTest(message=message):
                self.assertTrue(self.refused(body).startswith(message), self.refused(body))
        self.assertEqual(self.refused([1]), "a list is not an object")
        self.assertEqual(self.refused({"name": "#1"}), "id: missing: the body names no order")

    def test_a_discount_above_its_line_is_refused(self):
        body = payloads.eu_tax_included()  # 2 × 24.90
        body["line_items"][0]["discount_allocations"][0]["amount"] = "60.00"
        self.assertEqual(
            self.refused(body),
            "line_items[0].discount_allocations: a discount of 60.00 is more than the line's 49.80",
        )
        body = payloads.eu_tax_included()
        body["shipping_lines"][0]["discount_allocations"] = [{"amount": "5.00"}]
        self.assertIn("shipping_lines[0].discount_allocations: a discount of 5.00", self.refused(body))
        body = payloads.eu_tax_included()
        body["line_items"][0]["price"] = "999999999999"
        body["line_items"][0]["price_set"] = None
        body["line_items"][0]["quantity"] = body["line_items"][0]["current_quantity"] = 1000
        self.assertIn("line_items[0]: 1000 × 999999999999 is more than the largest", self.refused(body))

    def test_a_removed_line_keeps_its_discount(self):
        # After an edit the current quantity is 0 while the discount stays allocated on the ordered units.
        body = payloads.eu_tax_included()
        body["line_items"][0]["current_quantity"] = 0
        self.assertEqual(order_mapping.order_from_rest(body)["lines"][0]["quantity"], 0)

    def test_junk_emails_are_left_out_with_a_warning(self):
        body = payloads.us_tax_excluded()
        body["email"] = "ÜSD"
        body["customer"]["email"] = "12abc"
        order = order_mapping.order_from_rest(body)
        self.assertIsNone(order["email"])
        self.assertIsNone(order["customer"]["email"])
        self.assertEqual([path for path, _message in order["warnings"]], ["email", "customer.email"])
        self.assertEqual(order["total_price"], Decimal("114.70"))
        node = payloads.eu_tax_included_graphql()
        node["customer"]["defaultEmailAddress"]["emailAddress"] = "12abc"
        order = order_mapping.order_from_graphql(node)
        self.assertIsNone(order["customer"]["email"])
        self.assertEqual(order["warnings"][0][0], "customer.defaultEmailAddress.emailAddress")

    def test_graphql_nodes_name_their_paths(self):
        node = payloads.eu_tax_included_graphql()
        node["lineItems"]["nodes"][0]["currentQuantity"] = -2
        self.assertTrue(
            self.refused(node, order_mapping.order_from_graphql).startswith(
                "lineItems.nodes[0].currentQuantity: -2 is not a quantity"
            )
        )
        node = payloads.eu_tax_included_graphql()
        node["lineItems"] = {"edges": [{"node": node["lineItems"]["nodes"][0]}]}
        node["lineItems"]["edges"][0]["node"]["originalUnitPriceSet"]["shopMoney"]["amount"] = "abc"
        self.assertEqual(
            self.refused(node, order_mapping.order_from_graphql),
            "lineItems.edges[0].node.originalUnitPriceSet.shopMoney.amount: 'abc' is not an amount",
        )
        node = payloads.eu_tax_included_graphql()
        node["customer"] = "Ana"
        self.assertEqual(
            self.refused(node, order_mapping.order_from_graphql), "customer: 'Ana' is not an object"
        )

    def test_orders_edited_and_partial_bodies(self):
        self.assertEqual(
            order_mapping.edited_order_gid({"order_edit": {"id": 9, "order_id": 5550001112223}}),
            "gid://shopify/Order/5550001112223",
        )
        for body, message in (
            ({"order_edit": "abc"}, "order_edit: 'abc' is not an object"),
            ({"order_edit": {"order_id": [1]}}, "order_edit.order_id: a list is not a Shopify id"),
            ({}, "order_edit: missing"),
        ):
            with self.subTest(body=body):
                self.assertEqual(self.refused(body, order_mapping.edited_order_gid), message)
        self.assertEqual(
            self.refused({"id": 12, "admin_graphql_api_id": 5}, order_mapping.order_gid_from_rest),
            "admin_graphql_api_id: 5 is not a Shopify Order id",
        )


class TestOtherTopics(BaseCase):
    def refused(self, mapper, payload):
        with self.assertRaises(PayloadError) as caught:
            mapper(payload)
        return str(caught.exception)

    def test_product_bodies(self):
        self.assertEqual(
            product_mapping.product_from_rest(rest_product())["gid"], "gid://shopify/Product/501"
        )
        self.assertIs(product_mapping.MappingError, PayloadError)
        body = rest_product()
        body["variants"][3]["price"] = "abc"
        self.assertEqual(
            self.refused(product_mapping.product_from_rest, body), "variants[3].price: 'abc' is not an amount"
        )
        body = rest_product()
        body["variants"][0]["price"] = "-1.00"
        self.assertIn(
            "variants[0].price: '-1.00' is not an amount",
            self.refused(product_mapping.product_from_rest, body),
        )
        self.assertEqual(
            self.refused(product_mapping.product_from_rest, rest_product(variants="abc")),
            "variants: 'abc' is not a list",
        )
        self.assertEqual(
            self.refused(product_mapping.product_from_rest, rest_product(options=[{"values": ["S"]}])),
            "options[0].name: missing",
        )
        self.assertEqual(
            self.refused(product_mapping.product_from_rest, rest_product(status=["active"])),
            "status: a list is not a product status",
        )
        self.assertEqual(
            self.refused(product_mapping.product_gid_from_rest, {"id": "abc"}),
            "id: 'abc' is not a Shopify id",
        )
        self.assertEqual(self.refused(product_mapping.product_gid_from_rest, "501"), "'501' is not an object")
        node = dict(
            GRAPHQL_NODE,
            variants={"nodes": [dict(GRAPHQL_NODE["variants"]["nodes"][0], selectedOptions="S")]},
        )
        self.assertEqual(
            self.refused(product_mapping.product_from_graphql, node),
            "variants.nodes[0].selectedOptions: 'S' is not a list",
        )

    def test_inventory_level_bodies(self):
        body = {
            "inventory_item_id": 1,
            "location_id": "2",
            "available": -3,
            "updated_at": "2026-11-01T10:00:00Z",
        }
        self.assertEqual(inventory.parse_level_update(body)["available"], -3)
        for changes, message in (
            ({"location_id": [2]}, "location_id: a list is not a Shopify id"),
            ({"available": "abc"}, "available: 'abc' is not a stock quantity"),
            ({"available": 10**12}, "available: 1000000000000 is not a stock quantity"),
            ({"inventory_item_id": None}, "inventory_item_id: missing"),
            ({"updated_at": "soon"}, "updated_at: 'soon' is not a timestamp"),
        ):
            with self.subTest(changes=changes):
                self.assertTrue(
                    self.refused(inventory.parse_level_update, {**body, **changes}).startswith(message)
                )

    def test_bulk_finish_bodies(self):
        gid = "gid://shopify/BulkOperation/77"
        self.assertEqual(
            bulk.finished_operation_gid({"admin_graphql_api_id": gid, "status": "completed"}), gid
        )
        self.assertEqual(
            self.refused(bulk.finished_operation_gid, {"admin_graphql_api_id": {"id": 77}}),
            "admin_graphql_api_id: an object is not a Shopify BulkOperation id",
        )
        self.assertEqual(self.refused(bulk.finished_operation_gid, {}), "admin_graphql_api_id: missing")
