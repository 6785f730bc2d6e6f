"""Product images both ways against the emulator: uploaded once (content hash on the binding), unchanged
images cost no call, an import downloads only what changed, a broken image fails alone."""

import base64
import io

from PIL import Image

from ...services import images
from ...services.mapping import products as mapping
from ..common import EmulatorCase


def png(color, size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


class ProductImagesCase(EmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.color = cls.env["product.attribute"].create(
            {"name": "Color", "value_ids": [(0, 0, {"name": n}) for n in ("Blue", "Red", "Green")]}
        )

    def setUp(self):
        super().setUp()
        self.client = self.direct_client()
        self.template = self.env["product.template"].create(
            {
                "name": "Enamel mug",
                "list_price": 24.90,
                "image_1920": base64.b64encode(png("white")),
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": self.color.id, "value_ids": [(6, 0, self.color.value_ids.ids)]})
                ],
            }
        )
        for product in self.template.product_variant_ids:
            product.default_code = "MUG-" + product.product_template_attribute_value_ids.name

    def variant(self, color):
        return self.template.product_variant_ids.filtered(
            lambda p: p.product_template_attribute_value_ids.name == color
        )

    def image_calls(self):
        return (self.emu_shop.operations["StagedUploadsCreate"], self.emu_shop.counters["uploads"])

    def emu_product(self, binding):
        return self.emu_shop.products[int(binding.shopify_gid.rsplit("/", 1)[1])]

    def emu_variant(self, binding, color):
        product = self.emu_product(binding)
        return next(
            self.emu_shop.variants[v]
            for v in product.variant_ids
            if dict(self.emu_shop.variants[v].selected)["Color"] == color
        )

    def publish_with_three_images(self):
        self.variant("Blue").image_variant_1920 = base64.b64encode(png("blue"))
        self.variant("Red").image_variant_1920 = base64.b64encode(png("red"))
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        stats = self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(stats["exported"], 1, binding.last_error)
        return binding


class TestImageExport(ProductImagesCase):
    def test_three_images_uploaded_once_then_no_call_then_one_upload(self):
        binding = self.publish_with_three_images()
        # One staged-upload call for the three images, three uploads.
        self.assertEqual(self.image_calls(), (1, 3))
        product = self.emu_product(binding)
        self.assertEqual(len(product.media_ids), 3)
        media = [self.emu_shop.media[i] for i in product.media_ids]
        self.assertEqual([m.alt for m in media[:1]], ["Enamel mug"])
        self.assertTrue(all(m.status == "READY" for m in media))
        blue, red, green = (self.emu_variant(binding, c) for c in ("Blue", "Red", "Green"))
        self.assertEqual(self.emu_shop.files[blue.media_ids[0]], png("blue"))
        self.assertEqual(self.emu_shop.files[red.media_ids[0]], png("red"))
        self.assertEqual(green.media_ids, [])
        self.assertEqual(self.emu_shop.files[product.media_ids[0]], png("white"))
        self.assertEqual(len(binding.image_binding_ids), 3)
        self.assertEqual(
            set(binding.image_binding_ids.mapped("checksum")),
            {images.checksum(png(c)) for c in ("white", "blue", "red")},
        )

        # Something else changes: the product is exported again, its images cost nothing.
        media_before = list(product.media_ids)
        uploaded_bytes = self.emu_shop.counters["upload_bytes"]
        self.template.name = "Enamel mug, large"
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(product.title, "Enamel mug, large")
        self.assertEqual(self.image_calls(), (1, 3))
        self.assertEqual(self.emu_shop.counters["upload_bytes"], uploaded_bytes)
        self.assertEqual(product.media_ids, media_before)

        # One image replaced: exactly one upload; the two others keep their Shopify media.
        self.variant("Red").image_variant_1920 = base64.b64encode(png("darkred"))
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.image_calls(), (2, 4))
        self.assertEqual(len(product.media_ids), 3)
        self.assertEqual(product.media_ids[:2], media_before[:2])
        red = self.emu_variant(binding, "Red")
        self.assertEqual(self.emu_shop.files[red.media_ids[0]], png("darkred"))
        self.assertEqual(binding.sync_state, "synced")

    def test_image_removed_in_odoo_is_removed_on_shopify(self):
        binding = self.publish_with_three_images()
        self.variant("Blue").image_variant_1920 = False
        self.shop._shopify_export_pending(client=self.client)
        product = self.emu_product(binding)
        self.assertEqual(len(product.media_ids), 2)
        self.assertEqual(self.emu_variant(binding, "Blue").media_ids, [])
        self.assertEqual(self.image_calls(), (1, 3))

    def test_image_shopify_refuses_fails_alone(self):
        self.patch(images, "MAX_IMAGE_BYTES", min(len(png("blue")), len(png("red"))) - 1)
        self.template.image_1920 = base64.b64encode(png("white", (1, 1)))
        binding = self.publish_with_three_images()
        self.assertEqual(binding.sync_state, "synced")
        self.assertIn("Shopify accepts images up to", binding.image_warning)
        # The small main image went; the two variant images too large for the (patched) limit did not.
        self.assertEqual(self.image_calls(), (1, 1))
        self.assertEqual(len(self.emu_product(binding).media_ids), 1)

    def test_export_direction_only_never_imports_images(self):
        line = self.shop.field_mapping_ids.filtered(lambda line: line.shopify_field == "images")
        line.direction = mapping.TO_SHOPIFY
        binding = self.publish_with_three_images()
        product = self.emu_product(binding)
        # The main image is replaced on Shopify.
        main = product.media_ids.pop(0)
        self.emu_shop.media.pop(main)
        self.emu_shop.add_product_image(product, png("yellow"), alt="Replaced on Shopify")
        product.media_ids.insert(0, product.media_ids.pop())
        self.template.name = "Enamel mug, yellow"
        self.shop._shopify_export_pending(client=self.client)
        # Odoo is the master of images: its image goes back (uploaded again), Shopify's is removed.
        self.assertEqual(base64.b64decode(self.template.image_1920), png("white"))
        self.assertEqual(len(product.media_ids), 3)
        self.assertEqual(self.emu_shop.files[product.media_ids[0]], png("white"))
        self.assertEqual(self.image_calls(), (2, 4))


class TestImageImport(ProductImagesCase):
    def shopify_product(self):
        product, _errors = self.emu_product_set()
        return product

    def emu_product_set(self):
        from ...emulator.resolvers.products import product_set

        return product_set(
            self.emu_shop,
            {
                "title": "Teapot",
                "productOptions": [{"name": "Color", "values": [{"name": "Blue"}, {"name": "Red"}]}],
                "variants": [
                    {
                        "optionValues": [{"optionName": "Color", "name": c}],
                        "sku": f"POT-{c}",
                        "price": "30.00",
                    }
                    for c in ("Blue", "Red")
                ],
            },
        )

    def poll(self):
        return self.shop._shopify_poll_products(client=self.client)

    def binding_of(self, product):
        return self.env["shopify.product.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_gid", "=", product.gid)]
        )

    def test_images_imported_and_not_downloaded_again(self):
        product = self.shopify_product()
        variants = [self.emu_shop.variants[v] for v in product.variant_ids]
        self.emu_shop.add_product_image(product, png("white"), alt="Teapot")
        self.emu_shop.add_product_image(product, png("blue"), alt="Blue teapot", variants=[variants[0]])
        self.emu_shop.add_product_image(product, png("red"), alt="Red teapot", variants=[variants[1]])
        self.poll()
        binding = self.binding_of(product)
        template = binding.product_tmpl_id
        self.assertEqual(base64.b64decode(template.image_1920), png("white"))
        by_sku = {p.default_code: p for p in template.product_variant_ids}
        self.assertEqual(base64.b64decode(by_sku["POT-Blue"].image_variant_1920), png("blue"))
        self.assertEqual(base64.b64decode(by_sku["POT-Red"].image_variant_1920), png("red"))
        self.assertEqual(self.emu_shop.counters["file_downloads"], 3)
        self.assertEqual(len(binding.image_binding_ids), 3)
        self.assertFalse(binding.export_pending)

        # Read again (a title changed on Shopify): nothing is downloaded.
        product.title = "Teapot, glazed"
        product.updated_at = self.emu_shop.now()
        self.poll()
        self.assertEqual(template.name, "Teapot, glazed")
        self.assertEqual(self.emu_shop.counters["file_downloads"], 3)

        # One image replaced on Shopify: only that one is downloaded.
        self.emu_shop.media.pop(variants[1].media_ids[0])
        product.media_ids.remove(variants[1].media_ids[0])
        self.emu_shop.add_product_image(product, png("orange"), alt="Red teapot", variants=[variants[1]])
        self.poll()
        self.assertEqual(self.emu_shop.counters["file_downloads"], 4)
        self.assertEqual(base64.b64decode(by_sku["POT-Red"].image_variant_1920), png("orange"))
        self.assertEqual(base64.b64decode(by_sku["POT-Blue"].image_variant_1920), png("blue"))
        # Nothing to send back: Odoo now holds what Shopify holds.
        self.assertFalse(binding.export_pending)

    def test_broken_image_url_fails_only_that_image(self):
        product = self.shopify_product()
        variants = [self.emu_shop.variants[v] for v in product.variant_ids]
        self.emu_shop.add_product_image(product, png("white"))
        self.emu_shop.add_product_image(product, png("blue"), variants=[variants[0]])
        self.emu_shop.add_product_image(
            product, png("red"), variants=[variants[1]], url=f"{self.emulator.url}/_files/missing.png"
        )
        stats = self.poll()
        self.assertEqual(stats["ok"], 1)
        binding = self.binding_of(product)
        template = binding.product_tmpl_id
        by_sku = {p.default_code: p for p in template.product_variant_ids}
        self.assertEqual(base64.b64decode(template.image_1920), png("white"))
        self.assertEqual(base64.b64decode(by_sku["POT-Blue"].image_variant_1920), png("blue"))
        self.assertFalse(by_sku["POT-Red"].image_variant_1920)
        self.assertIn("variant Red", binding.image_warning)
        self.assertIn("HTTP 404", binding.image_warning)
        self.assertEqual(binding.sync_state, "synced")
        # The broken image is not deleted on Shopify by the next export.
        template.name = "Teapot 2"
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(len(product.media_ids), 3)

    def test_image_deleted_on_shopify_is_cleared_in_odoo(self):
        product = self.shopify_product()
        variants = [self.emu_shop.variants[v] for v in product.variant_ids]
        self.emu_shop.add_product_image(product, png("white"))
        blue = self.emu_shop.add_product_image(product, png("blue"), variants=[variants[0]])
        self.poll()
        binding = self.binding_of(product)
        variants[0].media_ids = []
        product.media_ids.remove(blue.id)
        product.updated_at = self.emu_shop.now()
        self.poll()
        by_sku = {p.default_code: p for p in binding.product_tmpl_id.product_variant_ids}
        self.assertFalse(by_sku["POT-Blue"].image_variant_1920)
        self.assertEqual(len(binding.image_binding_ids), 1)
