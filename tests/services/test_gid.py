from ...services.gid import numeric_id, parse_gid, to_gid
from ..pure import PureCase


class TestGid(PureCase):
    def test_round_trip(self):
        gid = to_gid("ProductVariant", "808950810")
        self.assertEqual(gid, "gid://shopify/ProductVariant/808950810")
        self.assertEqual(parse_gid(gid), ("ProductVariant", 808950810))
        self.assertEqual(numeric_id(to_gid("Order", 7)), 7)

    def test_query_suffix_is_ignored(self):
        self.assertEqual(numeric_id("gid://shopify/InventoryItem/12?inventory_item_id=1"), 12)

    def test_rejects_garbage(self):
        for bad in ("", None, "gid://shopify/Order/abc", "12", "gid://other/Order/1"):
            with self.assertRaises(ValueError):
                parse_gid(bad)
        with self.assertRaises(ValueError):
            to_gid("Order", "12a")
