"""Order to cash against the emulator: the webhooks Shopify sends for a paid, refunded order (orders/create,
order_transactions/create, refunds/create) become a posted invoice, one payment per transaction on its
gateway's journal, a credit note and its refund payment, all reconciled, exactly once."""

from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from ...emulator import webhooks as emulator_webhooks
from ...emulator.orders import edit_order, refund_order, totals
from ..common import EmulatorCase

HOOK_URI = "https://odoo.example.com/shopify/webhook"
TOPICS = ("ORDERS_CREATE", "ORDERS_UPDATED", "ORDER_TRANSACTIONS_CREATE", "REFUNDS_CREATE")


@tagged("post_install", "-at_install")
class TestOrderToCash(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop.write(
            {
                "state": "connected",
                "order_confirmation_policy": "paid",
                "order_invoice_policy": "paid",
                "order_invoice_post": True,
                "order_register_payments": True,
            }
        )
        Journal = cls.env["account.journal"]
        cls.card_journal = Journal.create({"name": "Shopify Payments", "type": "bank", "code": "SHPAY"})
        cls.gift_journal = Journal.create({"name": "Gift cards", "type": "bank", "code": "SHGFT"})
        cls.Mapping = cls.env["shopify.gateway.mapping"]
        cls.card_mapping = cls.Mapping.create(
            {"shop_id": cls.shop.id, "gateway": "shopify_payments", "journal_id": cls.card_journal.id}
        )
        cls.shop.order_payment_journal_id = cls.gift_journal

    def setUp(self):
        super().setUp()
        self.emu_shop.tax_rate = "0"
        self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(50, 50))
        self.variant = next(iter(self.emu_shop.variants.values()))
        self.env["product.product"].create(
            {
                "name": self.variant.sku,
                "default_code": self.variant.sku,
                "type": "consu",
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        self.posted = self.capture_webhook_deliveries()
        with self.emu_shop.lock:
            for topic in TOPICS:
                _subscription, errors = emulator_webhooks.create_subscription(
                    self.emu_shop, topic, {"uri": HOOK_URI}, self.shop.api_version
                )
                self.assertEqual(errors, [])

    # ------------------------------------------------------------------------------------------------
    def deliveries(self):
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        taken = list(self.posted)
        self.posted.clear()
        return taken

    def run_all(self, deliveries):
        for body, headers in deliveries:
            job = self.run_delivery(body, headers)
            self.assertEqual(job.state, "done", job.last_error_message)

    def place(self, payments, shipping="5.00", **kwargs):
        return self.emu_shop.place_order(
            [{"variant_id": self.variant.id, "quantity": 2, "price": "10.00"}],
            customer={"first_name": "Ana", "last_name": "Roth", "email": "ana@example.org"},
            shipping={"title": "Standard", "price": shipping},
            payments=payments,
            **kwargs,
        )

    def binding(self, order):
        return self.env["shopify.order.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_gid", "=", order.gid)]
        )

    def payments(self, binding):
        return self.env["account.payment"].search(
            [
                ("shopify_shop_id", "=", self.shop.id),
                ("shopify_transaction_gid", "in", binding.transaction_ids.mapped("shopify_gid")),
            ]
        )

    # ------------------------------------------------------------------------------------------------
    def test_card_and_gift_card_make_a_posted_invoice_paid_by_two_payments(self):
        self.Mapping.create(
            {"shop_id": self.shop.id, "gateway": "gift_card", "journal_id": self.gift_journal.id}
        )
        order = self.place(
            [{"gateway": "shopify_payments", "amount": "15.00"}, {"gateway": "gift_card", "amount": "10.00"}]
        )
        self.run_all(self.deliveries())
        binding = self.binding(order)
        invoice = binding.sale_order_id.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.currency_id.name, "USD")
        self.assertAlmostEqual(invoice.amount_total, 25.00, places=2)
        payments = self.payments(binding)
        self.assertEqual(
            sorted((p.journal_id, p.amount, p.payment_type) for p in payments),
            sorted([(self.card_journal, 15.0, "inbound"), (self.gift_journal, 10.0, "inbound")]),
        )
        self.assertEqual(
            set(payments.mapped("shopify_transaction_gid")),
            set(binding.transaction_ids.mapped("shopify_gid")),
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))

    # Shop currency, tax rate, prices including tax, unit price, shipping, (card, gift card), total, tax.
    # Totals worked out by hand from Shopify's rules (tax per line and on shipping, rounded per line).
    MONEY_CASES = (
        ("USD", "0", False, "10.00", "5.00", ("15.00", "10.00"), "25.00", "0.00"),
        # 2 × 9.99 = 19.98 → tax 3.7962 → 3.80; shipping 4.99 → 0.9481 → 0.95.
        ("EUR", "0.19", False, "9.99", "4.99", ("19.72", "10.00"), "29.72", "4.75"),
        # Yen have no decimals: 2000 + 500 shipping + 10 % tax.
        ("JPY", "0.10", False, "1000", "500", ("1750", "1000"), "2750", "250"),
        # Prices include the tax: the total is the prices; the tax inside is 3.19 + 0.80.
        ("EUR", "0.19", True, "9.99", "4.99", ("14.97", "10.00"), "24.97", "3.99"),
    )

    def test_card_and_gift_card_to_the_cent_in_eur_usd_jpy_and_a_tax_included_shop(self):
        self.Mapping.create(
            {"shop_id": self.shop.id, "gateway": "gift_card", "journal_id": self.gift_journal.id}
        )
        Tax = self.env["account.tax"]
        for rate, included in ((19.0, False), (10.0, False), (19.0, True)):
            tax = Tax.create(
                {
                    "name": f"Shopify test {rate}% {'incl.' if included else 'excl.'}",
                    "amount": rate,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_included" if included else "tax_excluded",
                }
            )
            self.env["shopify.tax.mapping"].create(
                {"shop_id": self.shop.id, "rate_percent": rate, "price_include": included, "tax_id": tax.id}
            )
        for currency, rate, included, price, shipping, paid, total, tax in self.MONEY_CASES:
            with self.subTest(currency=currency, rate=rate, taxes_included=included):
                self.emu_shop.currency, self.emu_shop.tax_rate = currency, rate
                self.emu_shop.taxes_included = included
                order = self.emu_shop.place_order(
                    [{"variant_id": self.variant.id, "quantity": 2, "price": price}],
                    customer={"first_name": "Ana", "last_name": "Roth", "email": "ana@example.org"},
                    shipping={"title": "Standard", "price": shipping},
                    payments=[
                        {"gateway": "shopify_payments", "amount": paid[0]},
                        {"gateway": "gift_card", "amount": paid[1]},
                    ],
                )
                self.assertEqual(str(totals(order)["total"]), str(Decimal(total).quantize(Decimal("0.01"))))
                self.run_all(self.deliveries())
                binding = self.binding(order)
                self.assertEqual(binding.state, "imported", binding.hold_reason)
                invoice = binding.sale_order_id.invoice_ids
                self.assertEqual(len(invoice), 1)
                self.assertEqual(invoice.state, "posted")
                money = invoice.currency_id
                self.assertEqual(money.name, currency)
                self.assertEqual(money.compare_amounts(invoice.amount_total, float(total)), 0)
                self.assertEqual(money.compare_amounts(invoice.amount_tax, float(tax)), 0)
                self.assertEqual(money.compare_amounts(binding.amount_total, float(total)), 0)
                payments = self.payments(binding)
                self.assertEqual(
                    sorted((p.journal_id.id, p.currency_id.name, p.amount) for p in payments),
                    sorted(
                        [
                            (self.card_journal.id, currency, float(paid[0])),
                            (self.gift_journal.id, currency, float(paid[1])),
                        ]
                    ),
                )
                self.assertIn(invoice.payment_state, ("paid", "in_payment"))
                self.assertTrue(money.is_zero(invoice.amount_residual))

    def test_unmapped_gateway_holds_the_payment_and_one_click_fixes_it(self):
        order = self.place(
            [{"gateway": "shopify_payments", "amount": "15.00"}, {"gateway": "gift_card", "amount": "10.00"}]
        )
        self.run_all(self.deliveries())
        binding = self.binding(order)
        held = binding.transaction_ids.filtered(lambda t: t.state == "held")
        self.assertEqual(held.mapped("gateway"), ["gift_card"])
        self.assertIn("gift_card", held.hold_reason)
        self.assertTrue(binding.payment_hold)
        self.assertEqual(len(self.payments(binding)), 1)
        invoice = binding.sale_order_id.invoice_ids
        self.assertAlmostEqual(invoice.amount_residual, 10.0, places=2)

        binding.with_user(self.manager).action_fix_gateway_mapping()

        self.assertEqual(self.Mapping._journal_for(self.shop, "gift_card"), self.gift_journal)
        self.assertFalse(binding.payment_hold)
        self.assertEqual(len(self.payments(binding)), 2)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_partial_refund_with_shipping_is_a_credit_note_and_a_refund_payment_once(self):
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.run_all(self.deliveries())
        refund_order(self.emu_shop, order, lines={order.line_items[0].id: 1}, shipping=True)
        refund_deliveries = self.deliveries()
        for _attempt in range(3):  # the same refund delivered three times (new webhook ids each time)
            for body, headers in refund_deliveries:
                headers = {**headers, "X-Shopify-Webhook-Id": f"{headers['X-Shopify-Webhook-Id']}-{_attempt}"}
                job = self.run_delivery(body, headers)
                self.assertEqual(job.state, "done", job.last_error_message)
        binding = self.binding(order)
        self.assertEqual(len(binding.refund_ids), 1)
        credit_note = binding.refund_ids.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertAlmostEqual(credit_note.amount_total, 15.0, places=2)  # 1 × 10.00 + 5.00 shipping
        refund_payment = self.payments(binding).filtered(lambda p: p.payment_type == "outbound")
        self.assertEqual(len(refund_payment), 1)
        self.assertAlmostEqual(refund_payment.amount, 15.0, places=2)
        self.assertIn(credit_note.payment_state, ("paid", "in_payment"))
        invoice = binding.sale_order_id.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(len(binding.sale_order_id.invoice_ids), 2)

    def test_refund_webhook_before_the_order_is_applied_when_the_order_arrives(self):
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        order_deliveries = self.deliveries()
        refund_order(self.emu_shop, order, lines={order.line_items[0].id: 1})
        refund_deliveries = [d for d in self.deliveries() if d[1]["X-Shopify-Topic"] != "orders/updated"]
        self.run_all(refund_deliveries)
        refund = self.env["shopify.order.refund"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual((refund.state, refund.binding_id), ("pending", self.env["shopify.order.binding"]))
        self.run_all(order_deliveries)
        binding = self.binding(order)
        self.assertEqual(refund.binding_id, binding)
        self.assertEqual(refund.state, "done")
        self.assertAlmostEqual(refund.credit_note_id.amount_total, 10.0, places=2)

    # ------------------------------------------------------------------------------------------------
    def ship(self, binding):
        delivery = binding.sale_order_id.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
        delivery.move_ids.picked = True
        delivery._action_done()
        self.assertEqual(delivery.state, "done")
        return delivery

    def mapped_location(self):
        """The emulator's first location, mapped to an Odoo shelf of its own."""
        emu_location = next(iter(self.emu_shop.locations.values()))
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.shop.company_id.id)], limit=1
        )
        shelf = self.env["stock.location"].create(
            {"name": "Returns shelf", "usage": "internal", "location_id": warehouse.view_location_id.id}
        )
        self.env["shopify.location"].create(
            {
                "shop_id": self.shop.id,
                "shopify_gid": f"gid://shopify/Location/{emu_location.id}",
                "name": emu_location.name,
                "location_id": shelf.id,
            }
        )
        return emu_location, shelf

    def test_partial_refund_with_restock_returns_the_unit_into_the_mapped_location(self):
        emu_location, shelf = self.mapped_location()
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.run_all(self.deliveries())
        binding = self.binding(order)
        delivery = self.ship(binding)
        refund_order(
            self.emu_shop,
            order,
            lines={order.line_items[0].id: 1},
            shipping=True,
            restock_type="RETURN",
            location_id=emu_location.id,
        )
        refund_deliveries = self.deliveries()
        self.run_all(refund_deliveries)
        self.run_all(  # delivered again (new webhook ids): nothing more
            [
                (body, {**h, "X-Shopify-Webhook-Id": h["X-Shopify-Webhook-Id"] + "-again"})
                for body, h in refund_deliveries
            ]
        )
        refund = binding.refund_ids
        self.assertEqual(len(refund), 1)
        returns = self.env["stock.picking"].search([("return_id", "=", delivery.id)])
        self.assertEqual(returns, refund.return_picking_id)
        self.assertEqual(returns.state, "done")
        self.assertEqual(returns.location_dest_id, shelf)
        self.assertEqual(returns.move_ids.mapped("quantity"), [1.0])
        sale_line = binding.sale_order_id.order_line.filtered("shopify_line_gid")
        self.assertEqual((sale_line.product_uom_qty, sale_line.qty_delivered), (2.0, 1.0))
        self.assertEqual(refund.credit_note_id.state, "posted")
        self.assertAlmostEqual(refund.credit_note_id.amount_total, 15.0, places=2)
        self.assertIn(refund.credit_note_id.payment_state, ("paid", "in_payment"))
        refund_payment = self.payments(binding).filtered(lambda p: p.payment_type == "outbound")
        self.assertEqual(len(refund_payment), 1)
        self.assertTrue(refund_payment.is_reconciled)

    def test_refund_of_unshipped_units_takes_them_off_the_delivery(self):
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.run_all(self.deliveries())
        binding = self.binding(order)
        refund_order(self.emu_shop, order, lines={order.line_items[0].id: 1}, restock_type="CANCEL")
        self.run_all(self.deliveries())
        delivery = binding.sale_order_id.picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertEqual(
            sum(delivery.move_ids.filtered(lambda m: m.state != "cancel").mapped("product_uom_qty")), 1.0
        )
        self.assertFalse(binding.refund_ids.return_picking_id)
        self.assertAlmostEqual(binding.refund_ids.credit_note_id.amount_total, 10.0, places=2)

    def test_refund_before_invoicing_adjusts_the_sale_order_and_its_delivery(self):
        self.shop.order_invoice_policy = "fulfilled"
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.run_all(self.deliveries())
        binding = self.binding(order)
        self.assertFalse(binding.sale_order_id.invoice_ids)
        refund_order(self.emu_shop, order, lines={order.line_items[0].id: 1}, restock_type="CANCEL")
        self.run_all(self.deliveries())
        self.assertEqual(binding.refund_ids.outcome, "sale_order")
        self.assertAlmostEqual(binding.sale_order_id.amount_total, 15.0, places=2)
        self.ship(binding)
        self.env["shopify.order.workflow"]._run(binding)
        invoice = binding.sale_order_id.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertAlmostEqual(invoice.amount_total, 15.0, places=2)
        self.assertEqual(invoice.state, "posted")

    # ------------------------------------------------------------------------------------------------
    # Orders that changed on Shopify: refunded or edited before they reached Odoo, edited after
    # ------------------------------------------------------------------------------------------------
    def latest_order_body(self, deliveries):
        return [d for d in deliveries if dict(d[1])["X-Shopify-Topic"] == "orders/updated"][-1]

    def test_order_refunded_before_import_imports_at_its_current_total(self):
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        placed = self.deliveries()
        self.clock.advance(60)
        refund_order(self.emu_shop, order, lines={order.line_items[0].id: 1}, restock_type="CANCEL")
        later = self.deliveries()
        # The last state first (the earlier deliveries were late), then everything again.
        self.run_all([self.latest_order_body(later)])
        binding = self.binding(order)
        self.assertFalse(binding.needs_review, binding.review_reason)
        self.assertEqual(binding.sale_order_id.state, "sale")
        self.assertAlmostEqual(binding.sale_order_id.amount_total, 15.0, places=2)
        self.assertAlmostEqual(binding.amount_total, float(totals(order, self.emu_shop)["current"]), places=2)
        for body, headers in placed + later:  # late deliveries: older order bodies are skipped as stale
            job = self.run_delivery(
                body, {**headers, "X-Shopify-Webhook-Id": headers["X-Shopify-Webhook-Id"] + "-late"}
            )
            self.assertIn(job.state, ("done", "skipped"), job.last_error_message)
        refund = binding.refund_ids
        self.assertEqual((len(refund), refund.state, refund.outcome), (1, "done", "order"))
        self.assertFalse(refund.credit_note_id)
        invoice = binding.sale_order_id.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertAlmostEqual(invoice.amount_total, 15.0, places=2)
        payments = self.payments(binding)
        self.assertEqual(
            sorted((p.payment_type, p.amount) for p in payments), [("inbound", 25.0), ("outbound", 10.0)]
        )
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertTrue(all(payments.mapped("is_reconciled")))
        self.assertEqual(sum(binding.sale_order_id.picking_ids.move_ids.mapped("product_uom_qty")), 1.0)

    def test_order_edited_before_import_imports_the_edited_lines(self):
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.deliveries()  # lost: the order reaches Odoo only after the edit
        edit_order(self.emu_shop, order, quantities={order.line_items[0].id: 1})
        self.run_all([self.latest_order_body(self.deliveries())])
        binding = self.binding(order)
        self.assertFalse(binding.needs_review, binding.review_reason)
        self.assertEqual(binding.sale_order_id.order_line.filtered("shopify_line_gid").product_uom_qty, 1.0)
        self.assertAlmostEqual(
            binding.sale_order_id.amount_total, float(totals(order, self.emu_shop)["current"]), places=2
        )
        self.assertEqual(binding.sale_order_id.state, "sale")

    def test_edit_of_a_confirmed_unshipped_order_changes_its_delivery(self):
        self.shop.order_invoice_policy = "fulfilled"
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.run_all(self.deliveries())
        binding = self.binding(order)
        self.clock.advance(60)
        edit_order(
            self.emu_shop,
            order,
            quantities={order.line_items[0].id: 1},
            add=[{"variant_id": self.variant.id, "quantity": 3, "price": "4.00"}],
        )
        self.run_all([self.latest_order_body(self.deliveries())])
        self.assertFalse(binding.needs_review, binding.review_reason)
        lines = binding.sale_order_id.order_line.filtered("shopify_line_gid").sorted("id")
        self.assertEqual(lines.mapped("product_uom_qty"), [1.0, 3.0])
        moves = binding.sale_order_id.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 4.0)
        self.assertAlmostEqual(
            binding.sale_order_id.amount_total, float(totals(order, self.emu_shop)["current"]), places=2
        )

    def test_edit_of_a_shipped_order_is_flagged_with_the_difference(self):
        order = self.place([{"gateway": "shopify_payments", "amount": "25.00"}])
        self.run_all(self.deliveries())
        binding = self.binding(order)
        self.ship(binding)
        self.clock.advance(60)
        edit_order(
            self.emu_shop, order, add=[{"variant_id": self.variant.id, "quantity": 1, "price": "4.00"}]
        )
        self.run_all([self.latest_order_body(self.deliveries())])
        self.assertTrue(binding.needs_review)
        self.assertIn("added 1", binding.review_reason)
        self.assertEqual(len(binding.sale_order_id.order_line.filtered("shopify_line_gid")), 1)

    # ------------------------------------------------------------------------------------------------
    def test_risky_order_is_held_in_draft_and_a_manager_release_continues_the_workflow(self):
        self.shop.order_risk_policy = "hold"
        order = self.place(
            [{"gateway": "shopify_payments", "amount": "25.00"}],
            risk_level="HIGH",
            risk_facts=["The billing address does not match the card's"],
        )
        self.run_all(self.deliveries())
        binding = self.binding(order)
        self.assertTrue(binding.risk_hold)
        self.assertEqual((binding.risk_level, binding.risk_recommendation), ("high", "cancel"))
        self.assertEqual(binding.sale_order_id.state, "draft")
        self.assertFalse(binding.sale_order_id.invoice_ids)
        self.assertTrue(any("high" in (message.body or "") for message in binding.message_ids))

        binding.with_user(self.manager).action_release_risk()

        self.assertFalse(binding.risk_hold)
        self.assertEqual(binding.risk_released_by, self.manager)
        self.assertEqual(binding.sale_order_id.state, "sale")
        invoice = binding.sale_order_id.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_risk_policies_flag_and_low_risk(self):
        self.shop.order_risk_policy = "flag"
        risky = self.place([{"gateway": "shopify_payments", "amount": "25.00"}], risk_level="MEDIUM")
        safe = self.place([{"gateway": "shopify_payments", "amount": "25.00"}], risk_level="LOW")
        self.run_all(self.deliveries())
        flagged, accepted = self.binding(risky), self.binding(safe)
        self.assertFalse(flagged.risk_hold)
        self.assertEqual(flagged.risk_recommendation, "investigate")
        self.assertEqual(flagged.sale_order_id.state, "sale")
        self.assertTrue(flagged.activity_ids)
        self.assertEqual(
            (accepted.risk_level, accepted.risk_hold, accepted.sale_order_id.state), ("low", False, "sale")
        )

    def test_views_show_the_settings_the_holds_and_the_money_rows(self):
        shop_form = self.env["shopify.shop"].get_views([(False, "form")])["views"]["form"]["arch"]
        for name in (
            "order_invoice_policy",
            "order_register_payments",
            "order_risk_policy",
            "gateway_mapping_ids",
        ):
            self.assertIn(f'name="{name}"', shop_form)
        order_form = self.env["shopify.order.binding"].get_views([(False, "form")])["views"]["form"]["arch"]
        for name in ("action_fix_gateway_mapping", "action_release_risk", "transaction_ids", "refund_ids"):
            self.assertIn(f'name="{name}"', order_form)
        for model in ("shopify.gateway.mapping", "shopify.order.transaction", "shopify.order.refund"):
            self.assertTrue(
                self.env[model].get_views([(False, "list"), (False, "form")])["views"]["list"]["arch"]
            )
        menu = self.env.ref
        self.assertEqual(
            menu("shopify_sync.menu_shopify_gateway_mapping").parent_id,
            menu("shopify_sync.menu_shopify_configuration"),
        )
        for xmlid in (
            "menu_shopify_order_transaction",
            "menu_shopify_order_refund",
            "menu_shopify_order_money_hold",
        ):
            self.assertEqual(
                menu(f"shopify_sync.{xmlid}").parent_id, menu("shopify_sync.menu_shopify_orders")
            )
