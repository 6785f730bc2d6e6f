from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderSecurity(OrderCase):
    def test_shopify_user_reads_orders_but_changes_nothing(self):
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        as_user = binding.with_user(self.shopify_user)
        self.assertEqual(as_user.read(["name"])[0]["name"], "#1042")
        with self.assertRaises(AccessError):
            as_user.write({"needs_review": True})
        with self.assertRaises(AccessError):
            self.env["shopify.tax.mapping"].with_user(self.shopify_user).create(
                {"shop_id": self.eu_shop.id, "rate_percent": 7.0, "tax_id": self.vat19_included.id}
            )

    def test_internal_user_without_shopify_group_sees_no_bindings(self):
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        with self.assertRaises(AccessError):
            binding.with_user(self.internal_user).read(["name"])

    def test_other_company_orders_are_invisible(self):
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        other = self.env["res.company"].create({"name": "Other Co"})
        self.shopify_user.write({"company_ids": [(4, other.id)], "company_id": other.id})
        visible = (
            self.env["shopify.order.binding"]
            .with_user(self.shopify_user)
            .with_context(allowed_company_ids=[other.id])
            .search([])
        )
        self.assertNotIn(binding, visible)
        self.assertIn(binding, self.env["shopify.order.binding"].with_user(self.manager).search([]))

    def test_unknown_currency_is_a_clear_error(self):
        from odoo.exceptions import UserError

        payload = self.payloads.eu_tax_included()
        payload.update(currency="XQQ", total_price_set=None)
        for line in payload["line_items"]:
            line["price_set"] = None
        with self.assertRaisesRegex(UserError, "XQQ"):
            self.import_rest(self.eu_shop, payload)

    def test_stock_and_sales_users_without_shopify_role_work_as_usual(self):
        from odoo.tests import new_test_user

        clerk = new_test_user(
            self.env, login="stock_clerk", groups="stock.group_stock_user,sales_team.group_sale_salesman"
        )
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        picking = binding.sale_order_id.picking_ids.with_user(clerk)
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.shopify_fulfillment_state, "pending")
        plain = (
            self.env["sale.order"]
            .with_user(clerk)
            .create(
                {
                    "partner_id": self.env.user.partner_id.id,
                    "order_line": [(0, 0, {"product_id": self.products["APR-NAT"].id})],
                }
            )
        )
        plain.action_confirm()
        plain.picking_ids.move_ids.quantity = 1
        plain.picking_ids.button_validate()
        self.assertFalse(plain.picking_ids.shopify_fulfillment_state)

    def test_sales_users_without_shopify_role_read_whole_orders_and_products(self):
        """Odoo's own sale tests read() every field of an order as a salesperson: our links must not
        turn that into an AccessError on the binding models."""
        from odoo.tests import new_test_user

        seller = new_test_user(self.env, login="plain_seller", groups="sales_team.group_sale_salesman")
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        binding.sale_order_id.user_id = seller  # a salesperson sees their own orders
        order = binding.sale_order_id.with_user(seller)
        values = order.read()[0]
        self.assertEqual(values["client_order_ref"], "#1042")
        self.assertNotIn("shopify_binding_ids", values)
        # Products: Odoo's own stock.valuation.layer keeps a full read() from salespeople, so check that
        # what a read() may include (fields_get) leaves our links out.
        product = self.products["MUG-BLU-350"].with_user(seller)
        self.assertFalse({"shopify_binding_ids", "shopify_variant_binding_ids"} & set(product.fields_get()))
        self.assertNotIn("shopify_binding_ids", product.product_tmpl_id.fields_get())
        # With the role, the link is there.
        shopify_seller = new_test_user(
            self.env,
            login="shopify_seller",
            groups="shopify_sync.group_shopify_user,sales_team.group_sale_salesman_all_leads",
        )
        linked = binding.sale_order_id.with_user(shopify_seller).read(["shopify_binding_id"])[0]
        self.assertEqual(linked["shopify_binding_id"][0], binding.id)
