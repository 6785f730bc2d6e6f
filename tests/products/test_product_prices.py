"""Prices and compare-at prices from per-shop pricelists, against the emulator."""

from .test_product_images import ProductImagesCase


class TestPricelistPrices(ProductImagesCase):
    def setUp(self):
        super().setUp()
        self.template.image_1920 = False
        Pricelist = self.env["product.pricelist"]
        currency = self.shop._shopify_currency()
        self.regular = Pricelist.create({"name": "Regular", "currency_id": currency.id})
        self.sale = Pricelist.create(
            {
                "name": "Summer sale",
                "currency_id": currency.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "1_product",
                            "product_tmpl_id": self.template.id,
                            "compute_price": "fixed",
                            "fixed_price": 19.90,
                        },
                    )
                ],
            }
        )
        compare_at = self.shop.with_context(active_test=False).field_mapping_ids.filtered(
            lambda line: line.shopify_field == "compare_at_price"
        )
        compare_at.active = True
        self.shop.write(
            {
                "product_price_pricelist_id": self.sale.id,
                "product_compare_at_source": "pricelist",
                "product_compare_at_pricelist_id": self.regular.id,
            }
        )

    def test_sale_shows_as_compare_at_and_ends_cleanly(self):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_export_pending(client=self.client)
        blue = self.emu_variant(binding, "Blue")
        self.assertEqual((blue.price, blue.compare_at_price), ("19.90", "24.90"))

        # The sale ends (its rule is removed): the product is marked, the strike-through goes away.
        self.sale.item_ids.unlink()
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual((blue.price, blue.compare_at_price), ("24.90", None))

        # A price changed on Shopify is not written back: the pricelist computes it.
        blue.price = "99.00"
        self.emu_product(binding).updated_at = self.emu_shop.now()
        self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(self.template.list_price, 24.90)

    def test_pricelist_rule_change_marks_the_product(self):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_export_pending(client=self.client)
        self.assertFalse(binding.export_pending)
        self.sale.item_ids.fixed_price = 17.50
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.emu_variant(binding, "Red").price, "17.50")
