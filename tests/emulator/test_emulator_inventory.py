"""Inventory in the emulator: items, levels, set/adjust quantities with CAS and idempotency keys."""

from ..common import EmulatorServerCase

SET_QUANTITIES = """
mutation SetQuantities($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}
"""
ADJUST_QUANTITIES = """
mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}
"""
LEVEL = """
query Level($item: ID!, $location: ID!) {
  inventoryItem(id: $item) {
    id sku tracked
    inventoryLevel(locationId: $location) { id quantities(names: ["available", "on_hand"]) { name quantity } }
  }
}
"""


class TestEmulatorInventory(EmulatorServerCase):
    def setUp(self):
        super().setUp()
        [self.product] = self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(7, 7))
        variant = self.emu_shop.variants[self.product.variant_ids[0]]
        self.item = self.emu_shop.inventory_items[variant.inventory_item_id]
        self.location = next(iter(self.emu_shop.locations.values()))

    def quantities(self):
        body = self.graphql(LEVEL, {"item": self.item.gid, "location": self.location.gid})
        level = body["data"]["inventoryItem"]["inventoryLevel"]
        return {q["name"]: q["quantity"] for q in level["quantities"]}

    def set_available(self, quantity, change_from, key, **extra):
        row = {"inventoryItemId": self.item.gid, "locationId": self.location.gid, "quantity": quantity}
        row["changeFromQuantity"] = change_from
        data = {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": "gid://shopify-sync/StockSync/1",
            "quantities": [row],
            **extra,
        }
        body = self.graphql(SET_QUANTITIES, {"input": data, "key": key})
        self.assertNotIn("errors", body)
        return body["data"]["inventorySetQuantities"]

    def test_item_and_level_queries(self):
        body = self.graphql(LEVEL, {"item": self.item.gid, "location": self.location.gid})
        item = body["data"]["inventoryItem"]
        self.assertEqual(item["sku"], self.item.sku)
        self.assertTrue(item["inventoryLevel"]["id"].startswith("gid://shopify/InventoryLevel/"))
        self.assertEqual(self.quantities(), {"available": 7, "on_hand": 7})
        level = self.graphql(
            "query($id: ID!) { inventoryLevel(id: $id) { item { sku } location { name } } }",
            {"id": item["inventoryLevel"]["id"]},
        )["data"]["inventoryLevel"]
        self.assertEqual(level, {"item": {"sku": self.item.sku}, "location": {"name": "Main warehouse"}})
        body = self.graphql(
            "query($q: String) { inventoryItems(first: 5, query: $q) { nodes { id } } }",
            {"q": f"sku:{self.item.sku}"},
        )
        self.assertEqual(body["data"]["inventoryItems"]["nodes"], [{"id": self.item.gid}])

    def test_set_quantities(self):
        result = self.set_available(10, 7, "key-1")
        self.assertEqual(result["userErrors"], [])
        changes = result["inventoryAdjustmentGroup"]["changes"]
        self.assertIn({"name": "available", "delta": 3, "quantityAfterChange": 10}, changes)
        self.assertEqual(
            result["inventoryAdjustmentGroup"]["referenceDocumentUri"], "gid://shopify-sync/StockSync/1"
        )
        self.assertEqual(self.quantities(), {"available": 10, "on_hand": 10})

    def test_change_from_quantity_conflict(self):
        result = self.set_available(10, 5, "key-stale")
        self.assertIsNone(result["inventoryAdjustmentGroup"])
        [error] = result["userErrors"]
        self.assertEqual(error["code"], "CHANGE_FROM_QUANTITY_STALE")
        self.assertEqual(error["field"], ["input", "quantities", "0", "changeFromQuantity"])
        self.assertEqual(self.quantities()["available"], 7)
        # null skips the check ("Odoo wins").
        self.assertEqual(self.set_available(3, None, "key-null")["userErrors"], [])
        self.assertEqual(self.quantities()["available"], 3)

    def test_idempotent_replay_returns_first_result(self):
        first = self.set_available(10, 7, "key-replay")
        self.emu_shop.level(self.item.id, self.location.id).quantities["available"] = 4  # someone else sold 6
        replay = self.set_available(10, 7, "key-replay")
        self.assertEqual(replay, first)
        self.assertEqual(self.quantities()["available"], 4)  # not re-applied
        self.assertEqual(self.emu_shop.counters["idempotent_replays"], 1)
        mismatch = self.set_available(11, 7, "key-replay")
        self.assertEqual(mismatch["userErrors"][0]["code"], "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")

    def test_lost_response_applied_once_then_replayed(self):
        self.emu_shop.set_faults(lost_response_rate=1.0, timeout_seconds=0)
        with self.assertRaisesRegex(AssertionError, "HTTP 504"):
            self.set_available(9, 7, "key-lost")
        self.assertEqual(self.emu_shop.counters["lost_responses"], 1)
        self.emu_shop.set_faults(reset=True)
        self.assertEqual(self.quantities()["available"], 9, "executed although the answer was lost")
        self.assertEqual(self.set_available(9, 7, "key-lost")["userErrors"], [], "the retry is a replay")
        self.assertEqual(self.emu_shop.counters["idempotent_replays"], 1)
        self.assertEqual(self.quantities()["available"], 9)

    def test_idempotency_key_and_change_from_required_in_2026_10(self):
        document = SET_QUANTITIES.replace(", $key: String!", "").replace(" @idempotent(key: $key)", "")
        row = {
            "inventoryItemId": self.item.gid,
            "locationId": self.location.gid,
            "quantity": 1,
            "changeFromQuantity": 7,
        }
        data = {"name": "available", "reason": "correction", "quantities": [row]}
        body = self.graphql(document, {"input": data})
        self.assertEqual(body["errors"][0]["extensions"]["code"], "IDEMPOTENCY_KEY_REQUIRED")
        self.assertEqual(body["errors"][0]["path"], ["inventorySetQuantities"])
        body = self.graphql(document, {"input": data}, version="2026-01")
        self.assertEqual(body["data"]["inventorySetQuantities"]["userErrors"], [])
        del row["changeFromQuantity"]
        body = self.graphql(SET_QUANTITIES, {"input": data, "key": "k-missing-cas"})
        self.assertEqual(
            body["data"]["inventorySetQuantities"]["userErrors"][0]["code"], "COMPARE_QUANTITY_REQUIRED"
        )

    def test_invalid_rows_apply_nothing(self):
        good = {
            "inventoryItemId": self.item.gid,
            "locationId": self.location.gid,
            "quantity": 1,
            "changeFromQuantity": None,
        }
        bad = {**good, "inventoryItemId": "gid://shopify/InventoryItem/424242"}
        data = {"name": "available", "reason": "not-a-reason", "quantities": [good, bad]}
        body = self.graphql(SET_QUANTITIES, {"input": data, "key": "k-bad"})
        codes = {e["code"] for e in body["data"]["inventorySetQuantities"]["userErrors"]}
        self.assertEqual(codes, {"INVALID_REASON", "INVALID_INVENTORY_ITEM"})
        self.assertEqual(self.quantities()["available"], 7)

    def test_adjust_quantities(self):
        change = {
            "inventoryItemId": self.item.gid,
            "locationId": self.location.gid,
            "delta": -2,
            "changeFromQuantity": 7,
        }
        data = {"name": "available", "reason": "correction", "changes": [change]}
        body = self.graphql(ADJUST_QUANTITIES, {"input": data, "key": "adj-1"})
        result = body["data"]["inventoryAdjustQuantities"]
        self.assertEqual(result["userErrors"], [])
        self.assertIn(
            {"name": "available", "delta": -2, "quantityAfterChange": 5},
            result["inventoryAdjustmentGroup"]["changes"],
        )
        self.assertEqual(self.quantities(), {"available": 5, "on_hand": 5})
        damaged = {
            "name": "damaged",
            "reason": "damaged",
            "changes": [{**change, "delta": 1, "changeFromQuantity": None}],
        }
        body = self.graphql(ADJUST_QUANTITIES, {"input": damaged, "key": "adj-2"})
        self.assertEqual(
            body["data"]["inventoryAdjustQuantities"]["userErrors"][0]["code"], "INVALID_LEDGER_DOCUMENT"
        )
