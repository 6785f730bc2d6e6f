from datetime import datetime

from odoo.tests import tagged

from ..order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderImport(OrderCase):
    def test_tax_included_order_with_fixed_discount_and_paid_shipping(self):
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        order = binding.sale_order_id
        self.assertEqual(binding.state, "imported")
        self.assertEqual(order.client_order_ref, "#1042")
        self.assertIn("#1042", order.origin)
        self.assertEqual(order.currency_id.name, "EUR")
        self.assertEqual(order.pricelist_id.currency_id.name, "EUR")
        self.assertEqual(order.company_id, self.eu_shop.company_id)
        self.assertEqual(order.date_order, datetime(2026, 10, 21, 7, 14, 3))
        shipping = self.eu_shop.order_delivery_product_id
        self.assertLines(
            order,
            [
                (self.products["MUG-BLU-350"], 2, 24.90, 10.04, self.vat19_included, 44.80),
                (shipping, 1, 4.95, 0, self.vat19_included, 4.95),
            ],
        )
        self.assertAlmostEqual(order.amount_total, 49.75, places=2)
        self.assertAlmostEqual(order.amount_tax, 7.94, places=2)
        self.assertAlmostEqual(order.amount_untaxed, 41.81, places=2)
        # Paid + policy "when paid" → confirmed.
        self.assertEqual(order.state, "sale")
        self.assertFalse(binding.needs_review)
        partner = order.partner_id
        self.assertEqual((partner.name, partner.email, partner.city), ("Ana Roth", "ana@example.org", "Köln"))
        self.assertEqual(partner.country_id.code, "DE")
        self.assertEqual(order.partner_invoice_id, partner)
        self.assertEqual(order.partner_shipping_id, partner)
        self.assertEqual(binding.customer_match_rule, "created")
        self.assertEqual(
            self.env["shopify.customer.binding"].search([("shop_id", "=", self.eu_shop.id)]).partner_id,
            partner,
        )
        self.assertEqual(order.shopify_admin_url, "https://eu-store.myshopify.com/admin/orders/6123456789012")

    def test_tax_excluded_multi_line_percentage_discount_unicode_customer(self):
        binding = self.import_rest(self.us_shop, self.payloads.us_tax_excluded())
        order = binding.sale_order_id
        shipping = self.us_shop.order_delivery_product_id
        tax = self.ca_tax_excluded
        self.assertLines(
            order,
            [
                (self.products["APR-NAT"], 3, 18.00, 10.0, tax, 52.12),
                (self.products["BWL-WHT-16"], 1, 32.50, 10.0, tax, 31.37),
                (self.products["TWL-STR"], 2, 9.95, 10.0, tax, 19.21),
                (shipping, 1, 12.00, 0, self.env["account.tax"], 12.00),
            ],
        )
        self.assertAlmostEqual(order.amount_untaxed, 107.76, places=2)
        self.assertAlmostEqual(order.amount_tax, 6.94, places=2)
        self.assertAlmostEqual(order.amount_total, 114.70, places=2)
        self.assertEqual(order.state, "draft", "pending payment and policy 'when paid'")
        partner = order.partner_id
        self.assertEqual(partner.name, "Zoë Łukasiewicz-Müller")
        self.assertEqual(partner.state_id.code, "CA")
        self.assertEqual(order.partner_invoice_id, partner)
        delivery = order.partner_shipping_id
        self.assertEqual(
            (delivery.parent_id, delivery.type, delivery.street), (partner, "delivery", "88 Bryant St")
        )
        self.assertFalse(binding.needs_review)

    def test_guest_order_in_foreign_presentment_currency_with_gift_card_tip_free_shipping(self):
        binding = self.import_rest(self.eu_shop, self.payloads.guest_chf())
        order = binding.sale_order_id
        shop = self.eu_shop
        no_tax = self.env["account.tax"]
        self.assertLines(
            order,
            [
                (self.products["BLK-WOOL-GRY"], 1, 89.00, 0, self.vat19_included, 89.00),
                (shop.order_gift_card_product_id, 1, 25.00, 0, no_tax, 25.00),
                (shop.order_delivery_product_id, 1, 0.00, 0, no_tax, 0.00),
                (shop.order_tip_product_id, 1, 5.00, 0, no_tax, 5.00),
            ],
        )
        self.assertEqual(order.currency_id.name, "EUR", "shop money, not the presentment currency")
        self.assertAlmostEqual(order.amount_total, 119.00, places=2)
        self.assertAlmostEqual(order.amount_tax, 14.21, places=2)
        self.assertEqual(binding.presentment_currency_id.name, "CHF")
        self.assertAlmostEqual(binding.presentment_amount_total, 113.00, places=2)
        self.assertEqual(binding.customer_match_rule, "guest")
        self.assertEqual(
            (order.partner_id.name, order.partner_id.email), ("Luca Brunner", "guest.buyer@example.net")
        )
        self.assertEqual(order.partner_id.country_id.code, "CH")
        self.assertFalse(
            self.env["shopify.customer.binding"].search([("partner_id", "=", order.partner_id.id)])
        )
        self.assertEqual(order.state, "sale")

    def test_customer_matched_by_email_then_phone_then_binding(self):
        existing = self.env["res.partner"].create({"name": "Zoe L.", "email": "ZOE.Lukasiewicz@example.com"})
        binding = self.import_rest(self.us_shop, self.payloads.us_tax_excluded())
        self.assertEqual(binding.sale_order_id.partner_id, existing)
        self.assertEqual(binding.customer_match_rule, "email")
        # The next order of that customer goes through the customer binding.
        second = self.payloads.us_tax_excluded()
        second.update(
            id=5550001119999, admin_graphql_api_id="gid://shopify/Order/5550001119999", name="#2090"
        )
        self.assertEqual(self.import_rest(self.us_shop, second).customer_match_rule, "binding")
        # Phone: another customer whose e-mail is unknown to Odoo.
        by_phone = self.env["res.partner"].create({"name": "Phone Person", "phone": "+1 415-555-0177"})
        third = self.payloads.us_tax_excluded()
        third.update(id=5550001118888, admin_graphql_api_id="gid://shopify/Order/5550001118888", name="#2091")
        third["email"] = None
        third["customer"].update(
            id=7230009999,
            admin_graphql_api_id="gid://shopify/Customer/7230009999",
            email=None,
            phone="(415) 555 0177",
        )
        third["customer"]["phone"] = "+14155550177"
        binding3 = self.import_rest(self.us_shop, third)
        self.assertEqual(
            (binding3.customer_match_rule, binding3.sale_order_id.partner_id), ("phone", by_phone)
        )

    def test_identical_addresses_reuse_the_child_contact(self):
        first = self.import_rest(self.us_shop, self.payloads.us_tax_excluded())
        second = self.payloads.us_tax_excluded()
        second.update(
            id=5550001117777, admin_graphql_api_id="gid://shopify/Order/5550001117777", name="#2095"
        )
        again = self.import_rest(self.us_shop, second)
        self.assertEqual(again.sale_order_id.partner_shipping_id, first.sale_order_id.partner_shipping_id)
        self.assertEqual(len(first.sale_order_id.partner_id.child_ids), 1)

    def test_discount_as_separate_line(self):
        self.eu_shop.order_discount_mode = "product"
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        order = binding.sale_order_id
        self.assertLines(
            order,
            [
                (self.products["MUG-BLU-350"], 2, 24.90, 0, self.vat19_included, 49.80),
                (self.eu_shop.order_discount_product_id, 1, -5.00, 0, self.vat19_included, -5.00),
                (self.eu_shop.order_delivery_product_id, 1, 4.95, 0, self.vat19_included, 4.95),
            ],
        )
        self.assertAlmostEqual(order.amount_total, 49.75, places=2)
        self.assertAlmostEqual(order.amount_tax, 7.94, places=2)

    def test_variant_binding_wins_over_sku(self):
        bound = self.env["product.product"].create({"name": "Mug (bound variant)", "type": "consu"})
        product_binding = self.env["shopify.product.binding"].create(
            {
                "shop_id": self.eu_shop.id,
                "product_tmpl_id": bound.product_tmpl_id.id,
                "shopify_gid": "gid://shopify/Product/7001122334",
            }
        )
        self.env["shopify.variant.binding"].create(
            {
                "product_binding_id": product_binding.id,
                "product_id": bound.id,
                "shopify_gid": "gid://shopify/ProductVariant/40011223344",
            }
        )
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        self.assertEqual(binding.sale_order_id.order_line[0].product_id, bound)

    def test_unknown_sku_gets_a_placeholder_and_is_flagged_not_confirmed(self):
        payload = self.payloads.eu_tax_included()
        payload["line_items"][0]["sku"] = "MUG-GONE"
        binding = self.import_rest(self.eu_shop, payload)
        order = binding.sale_order_id
        self.assertEqual(order.order_line[0].product_id, self.eu_shop.order_placeholder_product_id)
        self.assertIn("MUG-GONE", order.order_line[0].name)
        self.assertAlmostEqual(order.amount_total, 49.75, places=2)
        self.assertTrue(binding.needs_review)
        self.assertIn("MUG-GONE", binding.review_reason)
        self.assertEqual(order.state, "draft", "a flagged order is not confirmed automatically")
        self.assertTrue(self.binding_activities(binding))
        binding.action_mark_reviewed()
        self.assertEqual(order.state, "sale")

    def test_unknown_sku_holds_when_configured_then_retry_imports(self):
        self.eu_shop.order_unknown_item_policy = "hold"
        payload = self.payloads.eu_tax_included()
        payload["line_items"][0]["sku"] = "MUG-NEW"
        binding = self.import_rest(self.eu_shop, payload)
        self.assertEqual((binding.state, binding.hold_kind), ("held", "unknown_item"))
        self.assertFalse(binding.sale_order_id)
        self.assertIn("MUG-NEW", binding.hold_reason)
        self.products["MUG-BLU-350"].default_code = "MUG-NEW"
        binding.action_retry_import()
        self.assertEqual(binding.state, "imported")
        self.assertEqual(binding.sale_order_id.order_line[0].product_id, self.products["MUG-BLU-350"])
        self.assertEqual(binding.sale_order_id.state, "sale")

    def test_missing_tax_mapping_holds_with_one_click_fix(self):
        self.us_mapping.unlink()
        binding = self.import_rest(self.us_shop, self.payloads.us_tax_excluded())
        self.assertEqual((binding.state, binding.hold_kind), ("held", "tax_mapping"))
        self.assertFalse(binding.sale_order_id)
        self.assertIn("CA State Tax 7.25%", binding.hold_reason)
        self.assertTrue(self.binding_activities(binding))
        binding.action_fix_tax_mapping()
        mapping = self.env["shopify.tax.mapping"].search([("shop_id", "=", self.us_shop.id)])
        self.assertEqual(mapping.tax_id, self.ca_tax_excluded, "the existing 7.25 % tax is reused")
        self.assertEqual(binding.state, "imported")
        self.assertAlmostEqual(binding.sale_order_id.amount_total, 114.70, places=2)

    def test_one_click_fix_creates_a_tax_when_none_fits(self):
        payload = self.payloads.us_tax_excluded()
        for line in payload["line_items"]:
            line["tax_lines"][0].update(rate=0.0825, title="TX State Tax")
        binding = self.import_rest(self.us_shop, payload)
        self.assertEqual(binding.hold_kind, "tax_mapping")
        binding.action_fix_tax_mapping()
        tax = binding.sale_order_id.order_line[0].tax_id
        self.assertEqual((tax.amount, tax.price_include), (8.25, False))

    def test_total_mismatch_keeps_draft_and_explains(self):
        payload = self.payloads.us_tax_excluded()
        payload["line_items"][0]["tax_lines"][0].update(price="3.62", price_set=None)
        payload.update(total_tax="7.04", total_price="114.80", total_price_set=None, financial_status="paid")
        binding = self.import_rest(self.us_shop, payload)
        order = binding.sale_order_id
        self.assertEqual(order.state, "draft")
        self.assertTrue(binding.needs_review)
        self.assertIn("114.70", binding.review_reason)
        self.assertIn("114.80", binding.review_reason)
        self.assertIn("Linen apron", binding.review_reason)
        self.assertIn("Tax 7.25%", binding.review_reason)
        self.assertTrue(self.binding_activities(binding))

    def test_currency_activated_when_needed(self):
        chf = self.env.ref("base.CHF")
        chf.active = False
        payload = self.payloads.eu_tax_included()
        payload.update(currency="CHF", total_price_set=None)
        for line in payload["line_items"]:
            line["price_set"] = None
        binding = self.import_rest(self.eu_shop, payload)
        self.assertEqual(binding.sale_order_id.currency_id, chf)
        self.assertTrue(chf.active)
