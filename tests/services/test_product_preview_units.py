"""The pure publish preview: which side changed since the last sync, and which value the export keeps."""

from ...services.mapping import product_preview as preview
from ...services.mapping import products as mapping
from ..pure import PureCase

RULES = {
    "title": (mapping.BOTH, mapping.ODOO_WINS),
    "vendor": (mapping.TO_SHOPIFY, mapping.ODOO_WINS),
    "price": (mapping.BOTH, mapping.NEWEST_WINS),
}
LABELS = {mapping.ODOO_WINS: "Odoo wins", mapping.NEWEST_WINS: "Newest wins"}


def snap(title, vendor, prices):
    return {
        "product": {"title": title, "vendor": vendor},
        "variants": {key: {"price": price} for key, price in prices.items()},
    }


class TestExportDifferences(PureCase):
    def differences(self, base, odoo, shopify, **kwargs):
        return {
            (e["scope"], e["field"]): e
            for e in preview.export_differences(base, odoo, shopify, RULES, **kwargs)
        }

    def test_each_side_and_both(self):
        base = snap("Mug", "Acme", {"S": "10"})
        odoo = snap("Mug", "Acme", {"S": "12"})
        shopify = snap("Big mug", "Acme", {"S": "10"})
        found = self.differences(base, odoo, shopify)
        self.assertEqual(found["product", "title"]["kind"], preview.SHOPIFY_CHANGED)
        self.assertEqual(found["product", "title"]["winner"], "shopify")
        self.assertEqual(found["S", "price"]["kind"], preview.ODOO_CHANGED)
        self.assertEqual(preview.describe(found["S", "price"], LABELS), "price [S]: Odoo '12' → Shopify '10'")
        self.assertEqual(len(found), 2)

    def test_one_way_field_changed_on_shopify_is_sent_back(self):
        base = snap("Mug", "Acme", {"S": "10"})
        found = self.differences(base, base, snap("Mug", "Other", {"S": "10"}))
        entry = found["product", "vendor"]
        self.assertEqual((entry["kind"], entry["winner"]), (preview.SHOPIFY_CHANGED, "odoo"))
        self.assertIn(
            "Odoo's value wins (one-way field): Odoo 'Acme' → Shopify 'Other'",
            preview.describe(entry, LABELS),
        )

    def test_newest_wins_conflict_names_the_policy_and_the_loser(self):
        base = snap("Mug", "Acme", {"S": "10"})
        found = self.differences(
            base,
            snap("Mug", "Acme", {"S": "12"}),
            snap("Mug", "Acme", {"S": "14"}),
            odoo_changed_at="2026-11-01T10:00:00Z",
            shopify_updated_at="2026-11-01T11:00:00Z",
        )
        entry = found["S", "price"]
        self.assertEqual((entry["kind"], entry["winner"]), (preview.BOTH_CHANGED, "shopify"))
        self.assertIn("Odoo's value will lose by policy “Newest wins”", preview.describe(entry, LABELS))

    def test_a_variant_new_in_odoo_is_not_a_conflict(self):
        base = snap("Mug", "Acme", {"S": "10"})
        odoo = snap("Mug", "Acme", {"S": "10", "M": "11"})
        shopify = snap("Mug", "Acme", {"S": "10"})
        self.assertEqual(self.differences(base, odoo, shopify), {})
        self.assertEqual(preview.variant_differences(odoo, shopify), (["M"], []))
