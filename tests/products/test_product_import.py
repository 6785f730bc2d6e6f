"""Shopify → Odoo: webhook-shaped products applied through the binding's three-way merge."""

import copy
from datetime import datetime

from odoo.exceptions import UserError

from ...services.mapping import products as mapping
from ..common import ShopifyCase


def rest_product(**changes):
    """A products/update body: 2 options × 3 values = 9 variants, prices as decimal strings."""
    colors, sizes = ["Blue", "Red", "Green"], ["S", "M", "L"]
    variants = []
    number = 0
    for color in colors:
        for size in sizes:
            number += 1
            variants.append(
                {
                    "id": 900 + number,
                    "position": number,
                    "option1": color,
                    "option2": size,
                    "price": "24.90" if size != "L" else "26.90",
                    "compare_at_price": None,
                    "sku": f"MUG-{color[0]}-{size}",
                    "barcode": f"40063813{number:05d}",
                    "grams": 340,
                    "inventory_item_id": 700 + number,
                }
            )
    body = {
        "id": 501,
        "admin_graphql_api_id": "gid://shopify/Product/501",
        "title": "Enamel mug",
        "body_html": "<p>Blue &amp; white</p>",
        "vendor": "Acme",
        "product_type": "Mugs",
        "handle": "enamel-mug",
        "status": "active",
        "tags": "kitchen, gift",
        "updated_at": "2026-11-01T10:00:00Z",
        "options": [
            {"name": "Color", "position": 1, "values": colors},
            {"name": "Size", "position": 2, "values": sizes},
        ],
        "variants": variants,
    }
    body.update(changes)
    return body


class ProductImportCase(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop()
        cls.Binding = cls.env["shopify.product.binding"]

    def import_body(self, body, dry_run=False):
        return self.Binding._shopify_import(self.shop, mapping.product_from_rest(body), dry_run=dry_run)

    def variant(self, template, color, size):
        return template.product_variant_ids.filtered(
            lambda product: set(product.product_template_attribute_value_ids.mapped("name")) == {color, size}
        )


class TestImportCreates(ProductImportCase):
    def test_create_with_two_options_three_values_and_every_field(self):
        result = self.import_body(rest_product())
        self.assertEqual(result["action"], "create")
        template = result["binding"].product_tmpl_id
        self.assertEqual(template.name, "Enamel mug")
        self.assertEqual(template.description_sale, "Blue & white")
        self.assertEqual(template.product_brand, "Acme")
        self.assertEqual(template.categ_id.name, "Mugs")
        self.assertEqual(sorted(template.product_tag_ids.mapped("name")), ["gift", "kitchen"])
        self.assertTrue(template.sale_ok and template.active)
        self.assertEqual(template.attribute_line_ids.mapped("attribute_id.name"), ["Color", "Size"])
        self.assertEqual(len(template.product_variant_ids), 9)
        red_large = self.variant(template, "Red", "L")
        self.assertAlmostEqual(red_large.lst_price, 26.90)  # "26.90" is 26.90, not cents
        self.assertAlmostEqual(self.variant(template, "Red", "S").lst_price, 24.90)
        self.assertEqual(red_large.default_code, "MUG-R-L")
        self.assertEqual(red_large.barcode, "4006381300006")
        self.assertAlmostEqual(red_large.weight, 0.34)
        binding = result["binding"]
        self.assertEqual(len(binding.variant_binding_ids), 9)
        line = binding.variant_binding_ids.filtered(lambda line: line.product_id == red_large)
        self.assertEqual(line.shopify_gid, "gid://shopify/ProductVariant/906")
        self.assertEqual(line.inventory_item_gid, "gid://shopify/InventoryItem/706")
        self.assertEqual(binding.shopify_updated_at, datetime(2026, 11, 1, 10, 0))
        # An import is not an Odoo change: nothing to export.
        self.assertFalse(binding.export_pending)
        self.assertEqual(binding.sync_state, "synced")

    def test_status_draft_and_archived(self):
        binding = self.import_body(rest_product(status="draft"))["binding"]
        template = binding.product_tmpl_id
        self.assertFalse(template.sale_ok)
        self.assertTrue(template.active)
        self.import_body(rest_product(status="archived", updated_at="2026-11-01T11:00:00Z"))
        self.assertFalse(template.active)
        self.import_body(rest_product(status="unlisted", updated_at="2026-11-01T12:00:00Z"))
        self.assertTrue(template.active and template.sale_ok)
        self.assertEqual(binding._shopify_odoo_product()["fields"]["status"], "UNLISTED")

    def test_each_field_updates_odoo(self):
        binding = self.import_body(rest_product())["binding"]
        template = binding.product_tmpl_id
        self.shop.field_mapping_ids.filtered(
            lambda line: line.shopify_field == "compare_at_price"
        ).active = True
        body = rest_product(
            title="Enamel cup",
            body_html="<p>Green</p>",
            vendor="Bcme",
            product_type="Cups",
            tags=" gift ,new",
            updated_at="2026-11-01T11:00:00Z",
        )
        for variant in body["variants"]:
            variant.update(price="30.00", compare_at_price="35.50", weight=1, weight_unit="lb")
        body["variants"][0].update(sku="NEW-SKU", barcode="5012345678900")
        result = self.import_body(body)
        self.assertEqual(result["action"], "update")
        self.assertEqual(
            (template.name, template.description_sale, template.product_brand, template.categ_id.name),
            ("Enamel cup", "Green", "Bcme", "Cups"),
        )
        self.assertEqual(sorted(template.product_tag_ids.mapped("name")), ["gift", "new"])
        blue_small = self.variant(template, "Blue", "S")
        self.assertEqual((blue_small.default_code, blue_small.barcode), ("NEW-SKU", "5012345678900"))
        self.assertAlmostEqual(blue_small.lst_price, 30.0)
        self.assertAlmostEqual(self.variant(template, "Green", "L").lst_price, 30.0)
        self.assertAlmostEqual(blue_small.shopify_compare_at_price, 35.5)
        self.assertAlmostEqual(blue_small.weight, 0.45)  # 1 lb, at Odoo's weight precision
        self.assertFalse(binding.export_pending)
        self.assertFalse(binding.conflict_ids)

    def test_older_payload_is_skipped(self):
        binding = self.import_body(rest_product(updated_at="2026-11-01T10:00:00Z"))["binding"]
        result = self.import_body(rest_product(title="Stale", updated_at="2026-11-01T09:00:00Z"))
        self.assertEqual(result["action"], "skipped")
        self.assertEqual(binding.product_tmpl_id.name, "Enamel mug")

    def test_same_payload_twice_changes_nothing(self):
        binding = self.import_body(rest_product())["binding"]
        snapshot_hash = binding.synced_hash
        result = self.import_body(rest_product(updated_at="2026-11-01T10:05:00Z"))
        self.assertEqual(result["action"], "nothing")
        self.assertEqual(binding.synced_hash, snapshot_hash)
        self.assertFalse(binding.export_pending)

    def test_new_option_value_on_shopify_adds_variants(self):
        binding = self.import_body(rest_product())["binding"]
        body = rest_product(updated_at="2026-11-01T11:00:00Z")
        body["options"][1]["values"].append("XL")
        body["variants"].append(
            dict(body["variants"][0], id=999, option2="XL", sku="MUG-B-XL", price="28.90", barcode="")
        )
        self.import_body(body)
        template = binding.product_tmpl_id
        self.assertEqual(
            self.env["product.product"].search_count([("product_tmpl_id", "=", template.id)]), 10
        )
        blue_xl = self.variant(template, "Blue", "XL")
        self.assertEqual(blue_xl.default_code, "MUG-B-XL")
        self.assertAlmostEqual(blue_xl.lst_price, 28.90)
        self.assertFalse(binding.export_pending)

    def test_delete_archives_product_and_binding(self):
        binding = self.import_body(rest_product())["binding"]
        template = binding.product_tmpl_id
        self.Binding._shopify_archive_deleted(self.shop, "gid://shopify/Product/501")
        self.assertFalse(template.active)
        self.assertFalse(binding.active)
        self.assertEqual(binding.sync_state, "archived")
        self.assertTrue(template.exists())


class TestMatching(ProductImportCase):
    def test_first_sync_matches_by_sku(self):
        existing = self.env["product.template"].create({"name": "Mug in Odoo", "default_code": "SOLO-1"})
        body = rest_product(options=[{"name": "Title", "position": 1, "values": ["Default Title"]}])
        body["variants"] = [
            dict(body["variants"][0], option1="Default Title", option2=None, sku="SOLO-1", barcode="")
        ]
        result = self.import_body(body)
        self.assertEqual(result["action"], "update")
        self.assertEqual(result["binding"].product_tmpl_id, existing)
        self.assertEqual(result["binding"].variant_binding_ids.product_id, existing.product_variant_id)

    def test_matches_by_barcode_when_no_sku_matches(self):
        existing = self.env["product.template"].create({"name": "Barcoded", "barcode": "4006381333931"})
        body = rest_product(options=[{"name": "Title", "position": 1, "values": ["Default Title"]}])
        body["variants"] = [
            dict(
                body["variants"][0],
                option1="Default Title",
                option2=None,
                sku="UNKNOWN",
                barcode="4006381333931",
            )
        ]
        self.assertEqual(self.import_body(body)["binding"].product_tmpl_id, existing)

    def test_ambiguous_sku_is_reported_not_guessed(self):
        self.env["product.template"].create({"name": "First", "default_code": "DUP"})
        self.env["product.template"].create({"name": "Second", "default_code": "DUP"})
        body = rest_product(options=[{"name": "Title", "position": 1, "values": ["Default Title"]}])
        body["variants"] = [
            dict(body["variants"][0], option1="Default Title", option2=None, sku="DUP", barcode="")
        ]
        templates_before = self.env["product.template"].search_count([])
        result = self.import_body(body)
        self.assertEqual(result["action"], "ambiguous")
        self.assertIn("DUP", result["message"])
        self.assertIn("First", result["message"])
        self.assertFalse(self.Binding.search([("shopify_gid", "=", "gid://shopify/Product/501")]))
        self.assertEqual(self.env["product.template"].search_count([]), templates_before)

    def test_dry_run_writes_nothing(self):
        templates_before = self.env["product.template"].search_count([])
        result = self.import_body(rest_product(), dry_run=True)
        self.assertEqual(result["action"], "create")
        self.assertIn(("product", "title", None, "Enamel mug", "odoo"), result["diffs"])
        self.assertEqual(self.env["product.template"].search_count([]), templates_before)
        self.assertFalse(self.Binding.search([]))
        binding = self.import_body(rest_product())["binding"]
        snapshot = copy.deepcopy(binding.synced_values)
        preview = self.import_body(
            rest_product(title="Renamed", updated_at="2026-11-02T00:00:00Z"), dry_run=True
        )
        self.assertEqual(preview["action"], "update")
        self.assertIn(("product", "title", "Enamel mug", "Renamed", "odoo"), preview["diffs"])
        self.assertEqual(binding.product_tmpl_id.name, "Enamel mug")
        self.assertEqual(binding.synced_values, snapshot)


class TestOdooChangesAndConflicts(ProductImportCase):
    def setUp(self):
        super().setUp()
        self.binding = self.import_body(rest_product())["binding"]
        self.template = self.binding.product_tmpl_id

    def policy(self, field, policy):
        self.shop.field_mapping_ids.filtered(
            lambda line: line.shopify_field == field
        ).conflict_policy = policy

    def test_only_real_changes_mark_for_export(self):
        self.template.name = "Enamel mug"  # same value
        self.assertFalse(self.binding.export_pending)
        self.template.description_sale = "Blue & white"  # same text
        self.assertFalse(self.binding.export_pending)
        self.template.name = "Enamel mug, large"
        self.assertTrue(self.binding.export_pending)
        self.assertEqual(self.binding.sync_state, "pending")
        self.assertTrue(self.binding.odoo_changed_at)

    def test_variant_field_change_marks_for_export(self):
        self.variant(self.template, "Blue", "M").default_code = "MUG-B-M2"
        self.assertTrue(self.binding.export_pending)

    def test_unmapped_field_change_does_not_mark(self):
        self.template.description = "Internal notes"
        self.template.list_price = self.template.list_price  # unchanged mapped field
        self.assertFalse(self.binding.export_pending)

    def test_true_conflict_odoo_wins(self):
        self.template.name = "Odoo title"
        self.import_body(rest_product(title="Shopify title", updated_at="2026-11-01T11:00:00Z"))
        self.assertEqual(self.template.name, "Odoo title")
        conflict = self.binding.conflict_ids
        self.assertEqual(len(conflict), 1)
        self.assertEqual((conflict.field_name, conflict.winner, conflict.policy), ("title", "odoo", "odoo"))
        self.assertEqual(conflict.shopify_value, '"Shopify title"')
        self.assertTrue(self.binding.export_pending)  # Odoo's value still has to reach Shopify

    def test_true_conflict_shopify_wins_and_apply_losing_value(self):
        self.policy("title", "shopify")
        self.template.name = "Odoo title"
        self.import_body(rest_product(title="Shopify title", updated_at="2026-11-01T11:00:00Z"))
        self.assertEqual(self.template.name, "Shopify title")
        conflict = self.binding.conflict_ids
        self.assertEqual(conflict.winner, "shopify")
        conflict.action_apply_losing_value()
        self.assertEqual(self.template.name, "Odoo title")
        self.assertEqual(conflict.state, "overridden")
        self.assertTrue(self.binding.export_pending)
        with self.assertRaises(UserError):
            conflict.action_apply_losing_value()

    def test_true_conflict_newest_wins(self):
        self.policy("title", "newest")
        self.template.name = "Odoo title"
        self.binding.odoo_changed_at = datetime(2026, 11, 1, 12, 0)
        self.import_body(rest_product(title="Older Shopify title", updated_at="2026-11-01T11:00:00Z"))
        self.assertEqual(self.template.name, "Odoo title")
        self.import_body(rest_product(title="Newer Shopify title", updated_at="2026-11-01T13:00:00Z"))
        self.assertEqual(self.template.name, "Newer Shopify title")
        self.assertEqual(self.binding.conflict_ids.mapped("winner"), ["shopify", "odoo"])

    def test_same_value_on_both_sides_is_not_a_conflict(self):
        self.template.name = "Agreed title"
        self.import_body(rest_product(title="Agreed title", updated_at="2026-11-01T11:00:00Z"))
        self.assertFalse(self.binding.conflict_ids)

    def test_direction_shopify_to_odoo_never_marks_export(self):
        self.shop.field_mapping_ids.filtered(
            lambda line: line.shopify_field == "title"
        ).direction = "shopify_to_odoo"
        self.template.name = "Local edit"
        self.assertFalse(self.binding.export_pending)
