"""Vendor ⇄ brand as a product tag marked by a prefix (Odoo 18's product tags have no category),
chosen per shop: both directions against the emulator."""

from odoo.exceptions import ValidationError

from ...services.mapping import products as mapping
from .test_product_export import ProductExportCase


class TestBrandTagMapping(ProductExportCase):
    def setUp(self):
        super().setUp()
        self.shop.write({"product_vendor_source": "tag", "product_vendor_tag_prefix": "Brand: "})
        Tag = self.env["product.tag"]
        self.template.write(
            {
                "product_brand": "Ignored in tag mode",
                "product_tag_ids": [
                    (6, 0, (Tag.create({"name": "Brand: Acme"}) | Tag.create({"name": "mugs"})).ids)
                ],
            }
        )

    def tag_names(self):
        return sorted(self.template.product_tag_ids.mapped("name"))

    def test_split_and_name_of_brand_tags(self):
        self.assertEqual(
            mapping.split_brand_tag(["kitchen", "brand:  Acme Co", "Gift"], "Brand: "),
            ("Acme Co", ["Gift", "kitchen"]),
        )
        self.assertEqual(mapping.split_brand_tag(["kitchen"], "Brand: "), ("", ["kitchen"]))
        self.assertEqual(mapping.split_brand_tag(["Brand: Zeta", "Brand: Alpha"], "Brand:")[0], "Alpha")
        self.assertEqual(mapping.brand_tag_name("Acme", "Brand: "), "Brand: Acme")
        self.assertEqual(mapping.brand_tag_name("", "Brand: "), "")

    def test_brand_tag_is_exported_as_vendor_and_not_as_a_tag(self):
        binding, stats = self.publish()
        self.assertEqual(stats["exported"], 1, binding.last_error)
        fields = self.remote(binding)["fields"]
        self.assertEqual(fields["vendor"], "Acme")
        self.assertEqual(fields["tags"], ["mugs"])
        vendor_line = self.shop.field_mapping_ids.filtered(lambda line: line.shopify_field == "vendor")
        self.assertIn("Brand: ", vendor_line.odoo_field_label)

    def test_changing_the_brand_tag_marks_and_exports_the_vendor(self):
        binding, _stats = self.publish()
        brand = self.template.product_tag_ids.filtered(lambda tag: tag.name == "Brand: Acme")
        self.template.product_tag_ids = [(3, brand.id), (0, 0, {"name": "Brand: Globex"})]
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        fields = self.remote(binding)["fields"]
        self.assertEqual((fields["vendor"], fields["tags"]), ("Globex", ["mugs"]))

    def test_vendor_and_tags_from_shopify_update_the_tags_separately(self):
        binding, _stats = self.publish()
        variables = binding._shopify_product_set_variables()
        variables["input"]["vendor"] = "Initech"
        self.client.execute("product_set", variables)
        self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(self.tag_names(), ["Brand: Initech", "mugs"])
        self.assertEqual(self.template.product_brand, "Ignored in tag mode")  # the field is not used

        variables["input"]["tags"] = ["mugs", "sale"]
        self.client.execute("product_set", variables)
        self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(self.tag_names(), ["Brand: Initech", "mugs", "sale"])
        self.assertFalse(binding.export_pending)  # nothing bounces back

        variables["input"]["vendor"] = ""
        self.client.execute("product_set", variables)
        self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(self.tag_names(), ["mugs", "sale"])

    def test_import_of_a_new_product_creates_the_brand_tag(self):
        [seeded] = self.emu_shop.seed_products(1, max_options=1, max_values=2)
        self.shop._shopify_poll_products(client=self.client)
        binding = self.env["shopify.product.binding"].search([("shopify_gid", "=", seeded.gid)])
        names = binding.product_tmpl_id.product_tag_ids.mapped("name")
        self.assertIn(f"Brand: {seeded.vendor}", names)
        self.assertFalse(binding.product_tmpl_id.product_brand)

    def test_field_mode_keeps_using_the_brand_field(self):
        self.shop.product_vendor_source = "field"
        binding, _stats = self.publish()
        fields = self.remote(binding)["fields"]
        self.assertEqual(fields["vendor"], "Ignored in tag mode")
        self.assertEqual(fields["tags"], ["Brand: Acme", "mugs"])

    def test_tag_mode_needs_a_prefix(self):
        with self.assertRaises(ValidationError):
            self.shop.product_vendor_tag_prefix = " "
