"""Pure parts of the catalog breadth: typed metafield values, image hashes and how image changes read."""

from datetime import date

from ...services import images
from ...services.mapping import metafields
from ...services.mapping import product_preview as preview
from ...services.mapping import products as mapping
from ..pure import PureCase

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


class TestMetafieldValues(PureCase):
    def test_both_sides_meet_on_one_canonical_value(self):
        cases = [
            ("single_line_text_field", "Hand wash", "Hand wash", "Hand wash"),
            ("number_integer", "12", 12, "12"),
            ("number_decimal", "4.50", 4.5, "4.5"),
            ("boolean", "false", False, False),
            ("date", "2026-05-01", date(2026, 5, 1), "2026-05-01"),
            ("json", '{"b": 1, "a": [true]}', '{"a":[true],"b":1}', '{"a":[true],"b":1}'),
        ]
        for type_name, shopify, odoo, expected in cases:
            with self.subTest(type_name):
                self.assertEqual(metafields.canonical(type_name, shopify), expected)
                self.assertEqual(metafields.canonical(type_name, odoo), expected)

    def test_empty_is_absent_and_back(self):
        self.assertIsNone(metafields.canonical("single_line_text_field", False))
        self.assertIsNone(metafields.canonical("number_decimal", ""))
        self.assertEqual(metafields.to_shopify("boolean", True), "true")
        self.assertEqual(metafields.to_odoo("number_integer", "12", "integer"), 12)
        self.assertEqual(metafields.to_odoo("json", '{"a":1}', "json"), {"a": 1})
        self.assertFalse(metafields.to_odoo("date", None, "date"))

    def test_wrong_values_name_the_problem(self):
        for type_name, value in (
            ("number_integer", "1.5"),
            ("number_decimal", "abc"),
            ("boolean", "yes"),
            ("date", "01/05/2026"),
            ("json", "{broken"),
        ):
            with self.subTest(type_name), self.assertRaises(mapping.MappingError):
                metafields.canonical(type_name, value)
        with self.assertRaises(mapping.MappingError):
            metafields.split_key("no-dot")
        self.assertEqual(metafields.split_key("metafield:custom.care"), ("custom", "care"))


class TestImageUnits(PureCase):
    def test_check_accepts_images_and_refuses_the_rest(self):
        self.assertEqual(images.check(PNG, "x"), ("image/png", "png"))
        with self.assertRaisesRegex(images.ImageError, "not a PNG"):
            images.check(b"<html>", "The image")
        with self.assertRaisesRegex(images.ImageError, "empty"):
            images.check(b"", "The image")

    def test_image_changes_read_position_by_position(self):
        self.assertEqual(preview.image_changes(["a", "b", "c"], ["a", "x", "c"]), ["image 2 changed"])
        self.assertEqual(preview.image_changes(["a"], ["a", "b"]), ["image 2 added"])
        self.assertEqual(preview.image_changes(["a", "b"], ["b"]), ["image 1 moved", "image 2 removed"])
        self.assertEqual(preview.image_changes(None, "h"), ["image added"])
        self.assertEqual(
            preview.describe_images("Red", "new", "old", "odoo"),
            "images [Red] on Shopify: image changed, uploaded",
        )

    def test_snapshot_compares_images_only_when_read(self):
        product = {
            "fields": dict.fromkeys(mapping.PRODUCT_FIELDS),
            "variants": [{"option_values": [], "fields": {}}],
        }
        self.assertNotIn(mapping.IMAGES, mapping.snapshot(product)["product"])
        product["fields"][mapping.IMAGES] = ["h1"]
        product["variants"][0]["fields"][mapping.IMAGES] = None
        snap = mapping.snapshot(product)
        self.assertEqual(snap["product"][mapping.IMAGES], ["h1"])
        self.assertIn(mapping.IMAGES, snap["variants"][mapping.DEFAULT_OPTION_VALUE])
