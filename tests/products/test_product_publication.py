"""Sales channels: a new product is published to the channels the shop chose (2 of 3 here), and its
publish state is a mapped field both ways, against the emulator."""

from .test_product_images import ProductImagesCase


class TestPublication(ProductImagesCase):
    def setUp(self):
        super().setUp()
        self.template.image_1920 = False
        self.online = self.emu_shop.add_publication("Online Store")
        self.pos = self.emu_shop.add_publication("Point of Sale")
        self.wholesale = self.emu_shop.add_publication("Wholesale")
        self.shop.action_shopify_fetch_publications()
        by_name = {p.name: p for p in self.shop.product_publication_ids}
        self.assertEqual(set(by_name), {"Online Store", "Point of Sale", "Wholesale"})
        (by_name["Online Store"] | by_name["Point of Sale"]).publish_products = True

    def test_new_product_published_to_two_of_three_channels_and_state_both_ways(self):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_export_pending(client=self.client)
        product = self.emu_product(binding)
        self.assertEqual(set(product.publication_ids), {self.online.id, self.pos.id})
        self.assertFalse(binding.export_pending)

        # Withdrawn from a channel on Shopify: Odoo's flag follows, nothing is sent back.
        product.publication_ids.remove(self.pos.id)
        product.updated_at = self.emu_shop.now()
        self.shop._shopify_poll_products(client=self.client)
        self.assertFalse(self.template.shopify_published)
        self.assertFalse(binding.export_pending)

        # Published again in Odoo: both chosen channels again, the third left alone.
        self.template.shopify_published = True
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(set(product.publication_ids), {self.online.id, self.pos.id})
        self.template.shopify_published = False
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(product.publication_ids, [])

    def test_fetching_channels_again_keeps_the_choice(self):
        self.emu_shop.add_publication("Facebook")
        self.shop.action_shopify_fetch_publications()
        chosen = self.shop.product_publication_ids.filtered("publish_products").mapped("name")
        self.assertEqual(sorted(chosen), ["Online Store", "Point of Sale"])
        self.assertEqual(len(self.shop.product_publication_ids), 4)
