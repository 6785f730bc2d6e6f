"""The pure inventory functions: quantities, batches, mutation input, webhook bodies, drift."""

from ...services import inventory, timestamps
from ..pure import PureCase


class TestInventoryService(PureCase):
    def test_target_quantity(self):
        self.assertEqual(inventory.target_quantity(10.0, 4.0, "free"), (6, False))
        self.assertEqual(inventory.target_quantity(10.0, 4.0, "on_hand"), (10, False))
        self.assertEqual(inventory.target_quantity(2.9999999999, 0, "on_hand"), (3, False))
        self.assertEqual(
            inventory.target_quantity(2.5, 0, "on_hand"), (2, False), "never promise half a unit"
        )
        self.assertEqual(inventory.target_quantity(1.0, 3.0, "free"), (0, True))
        with self.assertRaises(ValueError):
            inventory.target_quantity(1, 0, "forecast")

    def test_batches_of_250(self):
        self.assertEqual([len(chunk) for chunk in inventory.chunked(range(600))], [250, 250, 100])
        self.assertEqual(inventory.chunked([]), [])

    def test_set_quantities_input_always_carries_change_from(self):
        rows = [
            {
                "inventory_item_gid": "gid://shopify/InventoryItem/1",
                "location_gid": "gid://shopify/Location/2",
                "quantity": 5,
                "change_from": None,
            },
            {
                "inventory_item_gid": "gid://shopify/InventoryItem/3",
                "location_gid": "gid://shopify/Location/2",
                "quantity": 0,
                "change_from": 4,
            },
        ]
        value = inventory.set_quantities_input("available", rows, inventory.reference_uri(12))
        self.assertEqual(value["reason"], "correction")
        self.assertEqual(value["referenceDocumentUri"], "gid://shopify-sync/StockSync/12")
        self.assertEqual(
            value["quantities"][0],
            {
                "inventoryItemId": "gid://shopify/InventoryItem/1",
                "locationId": "gid://shopify/Location/2",
                "quantity": 5,
                "changeFromQuantity": None,
            },
        )
        self.assertEqual(value["quantities"][1]["changeFromQuantity"], 4)
        with self.assertRaises(ValueError):
            inventory.set_quantities_input("committed", rows, "x")
        with self.assertRaises(ValueError):
            inventory.set_quantities_input("available", rows * 126, "x")

    def test_parse_level_update(self):
        body = {
            "inventory_item_id": 271878346596884015,
            "location_id": 24826418,
            "available": 6,
            "updated_at": "2026-10-21T09:14:05+02:00",
            "admin_graphql_api_id": "gid://shopify/InventoryLevel/24826418?inventory_item_id=271878346596884015",
        }
        parsed = inventory.parse_level_update(body)
        self.assertEqual(parsed["inventory_item_gid"], "gid://shopify/InventoryItem/271878346596884015")
        self.assertEqual(parsed["location_gid"], "gid://shopify/Location/24826418")
        self.assertEqual(parsed["available"], 6)
        self.assertEqual(str(timestamps.parse(parsed["updated_at"])), "2026-10-21 07:14:05")
        with self.assertRaises(ValueError):
            inventory.parse_level_update({"location_id": 1, "available": 2})
        with self.assertRaises(ValueError):
            inventory.parse_level_update({"inventory_item_id": 1, "location_id": 1, "available": "two"})

    def test_levels_from_item_nodes_and_error_positions(self):
        nodes = [
            {
                "id": "gid://shopify/InventoryItem/1",
                "tracked": True,
                "inventoryLevel": {"quantities": [{"name": "available", "quantity": 4}]},
            },
            {"id": "gid://shopify/InventoryItem/2", "tracked": False, "inventoryLevel": None},
            None,
        ]
        self.assertEqual(
            inventory.levels_from_item_nodes(nodes, "available"),
            {"gid://shopify/InventoryItem/1": (True, 4), "gid://shopify/InventoryItem/2": (False, None)},
        )
        self.assertEqual(inventory.quantity_index(["input", "quantities", "3", "quantity"]), 3)
        self.assertIsNone(inventory.quantity_index(["input", "name"]))
        self.assertEqual(
            inventory.error_codes([{"code": "CHANGE_FROM_QUANTITY_STALE"}, {"message": "x"}]),
            {"CHANGE_FROM_QUANTITY_STALE"},
        )

    def test_drift_summary_ranks_largest_first(self):
        summary = inventory.drift_summary([("a", 5, 4), ("b", 0, 9), ("c", 3, None)], top=2)
        self.assertEqual(summary["pairs_differed"], 3)
        self.assertEqual([item["pair"] for item in summary["largest"]], ["b", "c"])
        self.assertEqual(summary["largest"][0]["difference"], -9)
