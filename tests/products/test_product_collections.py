"""Collections ⇄ product categories: a product is a member of the manual collection named like its
category (created when missing); joining such a collection on Shopify moves it there. The default mapping
product type → category keeps working alongside."""

from .test_product_images import ProductImagesCase


class TestCollectionsFromCategories(ProductImagesCase):
    def setUp(self):
        super().setUp()
        self.template.image_1920 = False
        Category = self.env["product.category"]
        self.mugs = Category.create({"name": "Mugs"})
        self.cups = Category.create({"name": "Cups"})
        self.bowls = Category.create({"name": "Bowls"})
        self.template.categ_id = self.mugs
        self.shop.product_collection_source = "category"
        self.cups_collection = self.emu_shop.add_collection("Cups")
        self.sale_collection = self.emu_shop.add_collection("Summer sale")

    def members(self, binding):
        return sorted(c.title for c in self.emu_shop.collections_of(self.emu_product(binding).id))

    def test_membership_follows_the_category_both_ways(self):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(binding.sync_state, "synced", binding.last_error)
        # The collection "Mugs" did not exist: it was created, and the product joined it.
        self.assertEqual(self.members(binding), ["Mugs"])
        self.assertEqual(self.emu_product(binding).product_type, "Mugs")
        self.assertFalse(binding.export_pending)

        # On Shopify: the product joins "Cups" and leaves "Mugs"; a collection that is no category
        # ("Summer sale") is not Odoo's business.
        product = self.emu_product(binding)
        mugs = next(c for c in self.emu_shop.collections.values() if c.title == "Mugs")
        mugs.product_ids.remove(product.id)
        self.cups_collection.product_ids.append(product.id)
        self.sale_collection.product_ids.append(product.id)
        product.updated_at = self.emu_shop.now()
        self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(self.template.categ_id, self.cups)
        # The product type follows the category to Shopify.
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(product.product_type, "Cups")
        self.assertEqual(self.members(binding), ["Cups", "Summer sale"])

        # In Odoo: moved to "Bowls": it joins a new collection "Bowls" and leaves "Cups".
        self.template.categ_id = self.bowls
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.members(binding), ["Bowls", "Summer sale"])
        self.assertEqual(product.product_type, "Bowls")
        self.assertFalse(binding.export_pending)
