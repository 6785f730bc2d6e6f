"""The Publish wizard's dry run lists every change of a product (images, compare-at price, fields) against
what Shopify holds now, and writes nothing, in Odoo or on Shopify (no upload either)."""

import base64

from .test_product_images import ProductImagesCase, png


class TestCatalogDryRun(ProductImagesCase):
    def test_dry_run_lists_each_change_and_writes_nothing(self):
        compare_at = self.shop.with_context(active_test=False).field_mapping_ids.filtered(
            lambda line: line.shopify_field == "compare_at_price"
        )
        compare_at.active = True
        self.variant("Blue").shopify_compare_at_price = 24.90
        binding = self.publish_with_three_images()
        self.variant("Red").image_variant_1920 = base64.b64encode(png("darkred"))
        self.variant("Blue").shopify_compare_at_price = 19.90
        self.template.name = "Enamel mug, large"
        self.assertTrue(binding.export_pending)
        before = (
            binding.synced_values,
            binding.image_binding_ids.read(["media_gid", "checksum", "url"]),
            dict(self.emu_shop.counters),
            [(p.title, p.updated_at, list(p.media_ids)) for p in self.emu_shop.products.values()],
        )
        mutations = self.emu_shop.counters.get("mutations", 0)

        wizard = self.env["shopify.product.export.wizard"].create(
            {"shop_id": self.shop.id, "product_tmpl_ids": [(6, 0, self.template.ids)]}
        )
        wizard.action_preview()

        [line] = wizard.line_ids
        details = line.details.splitlines()
        self.assertEqual(line.action, "update")
        self.assertIn("images [Red] on Shopify: image changed, uploaded", details)
        self.assertIn("compare_at_price [Blue]: Odoo '19.9' → Shopify '24.9'", details)
        self.assertIn("title: Odoo 'Enamel mug, large' → Shopify 'Enamel mug'", details)
        self.assertEqual(len(details), 3, line.details)
        # Nothing written: no mutation, no upload, no download (Shopify's images are all known), the
        # binding and its image rows as they were.
        self.assertEqual(self.emu_shop.counters.get("mutations", 0), mutations)
        counters = dict(self.emu_shop.counters)
        for name in ("uploads", "upload_bytes", "file_downloads"):
            self.assertEqual(counters.get(name), before[2].get(name), name)
        self.assertEqual(
            before[1:2] + before[3:],
            (
                binding.image_binding_ids.read(["media_gid", "checksum", "url"]),
                [(p.title, p.updated_at, list(p.media_ids)) for p in self.emu_shop.products.values()],
            ),
        )
        self.assertEqual(binding.synced_values, before[0])
        self.assertTrue(binding.export_pending)
