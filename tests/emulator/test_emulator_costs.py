"""The emulator's cost model: requested/actual cost, the bucket, THROTTLED, MAX_COST_EXCEEDED, limits."""

import graphql

from ...emulator.costs import requested_cost
from ...emulator.schema import load_schema
from ..common import EmulatorServerCase

THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"


def cost_of(document, variables=None):
    schema = load_schema("2026-10")
    parsed = graphql.parse(document)
    return requested_cost(schema, parsed, parsed.definitions[0], variables or {})


class TestEmulatorCosts(EmulatorServerCase):
    emulator_fake_clock = True

    def test_static_cost_rules(self):
        self.assertEqual(cost_of("{ shop { name } }"), 1)  # object 1, scalar 0
        self.assertEqual(cost_of("{ products(first: 10) { edges { node { id title } } } }"), 2 + 10 * 1)
        self.assertEqual(
            cost_of(
                "query($n: Int) { products(first: $n) { nodes { id "
                "variants(first: 5) { nodes { sku } } } } }",
                {"n": 4},
            ),
            2 + 4 * (1 + 2 + 5 * 1),
        )
        self.assertEqual(
            cost_of(
                'mutation { productDelete(input: {id: "gid://shopify/Product/1"}) { deletedProductId } }'
            ),
            10,
        )
        # Interfaces cost the most expensive possible selection.
        self.assertEqual(
            cost_of('{ node(id: "x") { id ... on Product { variants(first: 3) { nodes { id } } } } }'),
            1 + 2 + 3 * 1,
        )

    def test_cost_extension_requested_and_actual(self):
        self.emu_shop.seed_products(3, max_options=1, max_values=1)
        body = self.graphql("{ products(first: 10) { nodes { id } } }")
        cost = body["extensions"]["cost"]
        self.assertEqual(cost["requestedQueryCost"], 12)
        self.assertEqual(cost["actualQueryCost"], 2 + 3)
        self.assertEqual(
            cost["throttleStatus"],
            {"maximumAvailable": 2000.0, "currentlyAvailable": 1995, "restoreRate": 100.0},
        )

    def test_max_cost_exceeded(self):
        body = self.graphql("{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }")
        self.assertNotIn("data", body)
        [error] = body["errors"]
        requested = 2 + 250 * (1 + 2 + 250)
        self.assertTrue(
            error["message"].startswith(
                f"Query cost is {requested}, which exceeds the single query max cost limit (1000)."
            )
        )
        self.assertEqual(
            error["extensions"], {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": 1000}
        )
        self.assertEqual(
            body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"], 2000
        )  # nothing charged

    def test_throttled_shape_and_refill(self):
        self.emu_shop.set_bucket(max_available=200, restore_rate=50)
        query = "{ products(first: 90) { nodes { id } } }"  # requested 92, actual 2 on an empty shop
        self.emu_shop.bucket.try_take(150)
        body = self.graphql(query)
        self.assertEqual(
            body,
            {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOCS},
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": 92,
                        "actualQueryCost": None,
                        "throttleStatus": {
                            "maximumAvailable": 200.0,
                            "currentlyAvailable": 50,
                            "restoreRate": 50.0,
                        },
                    }
                },
            },
        )
        self.assertEqual(self.emu_shop.counters["throttled"], 1)
        self.clock.advance(1)  # +50 points: 100 available
        body = self.graphql(query)
        self.assertEqual(body["data"], {"products": {"nodes": []}})
        # 100 - 92 requested + 90 refunded (actual 2)
        self.assertEqual(body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"], 98)

    def test_page_size_and_input_list_limits(self):
        body = self.graphql("{ products(first: 251) { nodes { id } } }")
        self.assertEqual(body["errors"][0]["extensions"]["code"], "MAX_INPUT_SIZE_EXCEEDED")
        self.assertNotIn("data", body)
        rows = [
            {
                "inventoryItemId": f"gid://shopify/InventoryItem/{n}",
                "locationId": "gid://shopify/Location/1",
                "quantity": 1,
            }
            for n in range(251)
        ]
        body = self.graphql(
            """mutation($q: [InventoryQuantityInput!]!) {
                 inventorySetQuantities(input: {name: "available", reason: "correction", quantities: $q})
                   @idempotent(key: "k") { userErrors { code } } }""",
            {"q": rows},
        )
        [error] = body["errors"]
        self.assertEqual(error["extensions"]["code"], "MAX_INPUT_SIZE_EXCEEDED")
        self.assertEqual(
            error["message"], "The input array size of 251 is greater than the maximum allowed of 250."
        )
        self.assertEqual(self.emu_shop.counters["requests"], 0)  # refused before costing or executing
