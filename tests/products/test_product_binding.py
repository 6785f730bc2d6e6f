from psycopg2 import IntegrityError

from odoo.tools import mute_logger

from ..common import ShopifyCase


class TestProductBinding(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop()
        cls.other_shop = cls.create_shop(domain="other-store.myshopify.com")
        cls.template = cls.env["product.template"].create({"name": "Enamel mug"})
        cls.other_template = cls.env["product.template"].create({"name": "Tea towel"})

    def bind(self, template, shop, gid):
        return self.env["shopify.product.binding"].create(
            {"shop_id": shop.id, "product_tmpl_id": template.id, "shopify_gid": gid}
        )

    def test_one_product_bound_to_several_shops(self):
        first = self.bind(self.template, self.shop, "gid://shopify/Product/1")
        second = self.bind(self.template, self.other_shop, "gid://shopify/Product/1")
        self.assertEqual((first | second).product_tmpl_id, self.template)
        self.assertEqual(first.company_id, self.shop.company_id)

    def test_gid_unique_per_shop(self):
        self.bind(self.template, self.shop, "gid://shopify/Product/7")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.bind(self.other_template, self.shop, "gid://shopify/Product/7")

    def test_template_unique_per_shop(self):
        self.bind(self.template, self.shop, "gid://shopify/Product/8")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.bind(self.template, self.shop, "gid://shopify/Product/9")

    def test_unexported_bindings_have_no_gid_yet(self):
        # Products marked for publication exist before Shopify gave them an id: several may lack one.
        first = self.bind(self.template, self.shop, False)
        second = self.bind(self.other_template, self.shop, False)
        self.assertEqual((first | second).mapped("sync_state"), ["new", "new"])

    def test_variant_binding_unique_per_shop(self):
        binding = self.bind(self.template, self.shop, "gid://shopify/Product/10")
        variant = self.template.product_variant_id
        vals = {
            "product_binding_id": binding.id,
            "product_id": variant.id,
            "shopify_gid": "gid://shopify/ProductVariant/100",
            "inventory_item_gid": "gid://shopify/InventoryItem/200",
            "sku": "MUG-1",
        }
        line = self.env["shopify.variant.binding"].create(vals)
        self.assertEqual(line.shop_id, self.shop)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["shopify.variant.binding"].create(
                dict(vals, shopify_gid="gid://shopify/ProductVariant/101")
            )

    def test_snapshot_hash_is_order_independent(self):
        binding = self.bind(self.template, self.shop, "gid://shopify/Product/11")
        binding._set_snapshot({"title": "Mug", "vendor": "Acme"})
        first = binding.synced_hash
        binding._set_snapshot({"vendor": "Acme", "title": "Mug"})
        self.assertEqual(binding.synced_hash, first)
        binding._set_snapshot({"vendor": "Acme", "title": "Cup"})
        self.assertNotEqual(binding.synced_hash, first)

    def test_user_reads_manager_writes(self):
        binding = self.bind(self.template, self.shop, "gid://shopify/Product/12")
        self.assertEqual(binding.with_user(self.shopify_user).shopify_gid, "gid://shopify/Product/12")
        binding.with_user(self.manager).export_priority = 5
        self.assertEqual(binding.export_priority, 5)

    def test_company_rule_hides_other_company_bindings(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign_shop = self.create_shop(domain="foreign.myshopify.com", company_id=other_company.id)
        binding = self.bind(self.template, foreign_shop, "gid://shopify/Product/13")
        visible = (
            self.env["shopify.product.binding"].with_user(self.manager).search([("id", "=", binding.id)])
        )
        self.assertFalse(visible)
