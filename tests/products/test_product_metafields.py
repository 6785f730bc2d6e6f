"""Metafields in the field mapping: `metafield:<namespace>.<key>` ⇄ an Odoo field, typed, both ways,
against the emulator (metafieldsSet / metafieldsDelete on export, the products' metafields on import)."""

from datetime import date

from odoo.exceptions import ValidationError

from ...services.mapping import products as mapping
from .test_product_images import ProductImagesCase

SPECS = (
    ("custom.care", "single_line_text_field", "description_pickingin"),
    ("custom.pack_size", "number_integer", "x_pack_size"),
    ("custom.abv", "number_decimal", "x_abv"),
    ("custom.organic", "boolean", "x_organic"),
    ("custom.launch", "date", "x_launch"),
    ("custom.specs", "json", "description_purchase"),
)


class TestMetafields(ProductImagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        model = cls.env["ir.model"]._get("product.template")
        for name, ttype in (
            ("x_pack_size", "integer"),
            ("x_abv", "float"),
            ("x_organic", "boolean"),
            ("x_launch", "date"),
        ):
            cls.env["ir.model.fields"].create(
                {"model_id": model.id, "name": name, "ttype": ttype, "field_description": name}
            )
        Fields = cls.env["ir.model.fields"]
        for key, type_name, field_name in SPECS:
            cls.env["shopify.field.mapping"].create(
                {
                    "shop_id": cls.shop.id,
                    "shopify_field": "metafield",
                    "metafield_key": key,
                    "metafield_type": type_name,
                    "odoo_field_id": Fields._get("product.template", field_name).id,
                }
            )

    def setUp(self):
        super().setUp()
        self.template.image_1920 = False
        self.template.write(
            {
                "description_pickingin": "Hand wash only",
                "x_pack_size": 6,
                "x_abv": 4.5,
                "x_organic": True,
                "x_launch": date(2026, 5, 1),
                "description_purchase": '{"volume_ml": 350, "lid": false}',
            }
        )

    def metafields_on_shopify(self, binding):
        return {f"{ns}.{key}": value for (ns, key), value in self.emu_product(binding).metafields.items()}

    def test_round_trip_of_each_type(self):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(binding.sync_state, "synced", binding.last_error)
        found = self.metafields_on_shopify(binding)
        self.assertEqual(found["custom.care"], ("single_line_text_field", "Hand wash only"))
        self.assertEqual(found["custom.pack_size"], ("number_integer", "6"))
        self.assertEqual(found["custom.abv"], ("number_decimal", "4.5"))
        self.assertEqual(found["custom.organic"], ("boolean", "true"))
        self.assertEqual(found["custom.launch"], ("date", "2026-05-01"))
        self.assertEqual(found["custom.specs"], ("json", '{"lid":false,"volume_ml":350}'))
        self.assertEqual(self.emu_shop.operations["MetafieldsSet"], 1)

        # Shopify → Odoo, each type.
        product = self.emu_product(binding)
        product.metafields[("custom", "care")] = ("single_line_text_field", "Dishwasher safe")
        product.metafields[("custom", "pack_size")] = ("number_integer", "12")
        product.metafields[("custom", "abv")] = ("number_decimal", "5.25")
        product.metafields[("custom", "organic")] = ("boolean", "false")
        product.metafields[("custom", "launch")] = ("date", "2026-09-15")
        product.metafields[("custom", "specs")] = ("json", '{"volume_ml": 500}')
        product.updated_at = self.emu_shop.now()
        self.shop._shopify_poll_products(client=self.client)
        template = self.template
        self.assertEqual(template.description_pickingin, "Dishwasher safe")
        self.assertEqual(template.x_pack_size, 12)
        self.assertEqual(template.x_abv, 5.25)
        self.assertFalse(template.x_organic)
        self.assertEqual(template.x_launch, date(2026, 9, 15))
        self.assertEqual(template.description_purchase, '{"volume_ml":500}')
        self.assertFalse(binding.export_pending, "Odoo holds what Shopify holds: nothing to send back")

        # Odoo → Shopify again: one change, one call; an emptied text deletes the metafield.
        template.x_abv = 6.0
        template.description_pickingin = False
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        found = self.metafields_on_shopify(binding)
        self.assertEqual(found["custom.abv"], ("number_decimal", "6"))
        self.assertNotIn("custom.care", found)
        self.assertEqual(found["custom.pack_size"], ("number_integer", "12"))
        self.assertEqual(self.emu_shop.operations["MetafieldsSet"], 2)
        self.assertEqual(self.emu_shop.operations["MetafieldsDelete"], 1)

    def test_conflict_follows_the_policy(self):
        line = self.shop.field_mapping_ids.filtered(
            lambda line: line.rule_key == "metafield:custom.pack_size"
        )
        line.conflict_policy = mapping.SHOPIFY_WINS
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_export_pending(client=self.client)
        self.emu_product(binding).metafields[("custom", "pack_size")] = ("number_integer", "24")
        self.emu_product(binding).updated_at = self.emu_shop.now()
        self.template.x_pack_size = 8
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.template.x_pack_size, 24)
        self.assertEqual(self.metafields_on_shopify(binding)["custom.pack_size"], ("number_integer", "24"))
        conflict = self.env["shopify.product.conflict"].search([("binding_id", "=", binding.id)])
        self.assertEqual(conflict.field_name, "metafield:custom.pack_size")

    def test_a_metafield_type_needs_a_fitting_field(self):
        with self.assertRaises(ValidationError):
            self.env["shopify.field.mapping"].create(
                {
                    "shop_id": self.shop.id,
                    "shopify_field": "metafield",
                    "metafield_key": "custom.flag",
                    "metafield_type": "boolean",
                    "odoo_field_id": self.env["ir.model.fields"]._get("product.template", "name").id,
                }
            )
