"""Shopify Payments payouts against the emulator: orders paid through Shopify (webhooks → invoices and
payments, models/orders), then payouts read by the daily job and written as bank statements whose lines
add up to the payout's net, matched with those payments, exactly once; disputes noted on the order and
booked where Shopify debits and credits them."""

from decimal import Decimal

from odoo import Command, fields
from odoo.tests import tagged

from ...emulator import payouts as emulator_payouts
from ...emulator import webhooks as emulator_webhooks
from ...emulator.orders import refund_order
from ..common import EmulatorCase

HOOK_URI = "https://odoo.example.com/shopify/webhook"
TOPICS = (
    "ORDERS_CREATE",
    "ORDER_TRANSACTIONS_CREATE",
    "REFUNDS_CREATE",
    "DISPUTES_CREATE",
    "DISPUTES_UPDATE",
)


@tagged("post_install", "-at_install")
class TestPayouts(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Journal = cls.env["account.journal"]
        Account = cls.env["account.account"]
        cls.card_journal = Journal.create({"name": "Shopify Payments", "type": "bank", "code": "SHPAY"})
        cls.payout_journal = Journal.create({"name": "Shopify payouts", "type": "bank", "code": "SHPO"})
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.env["res.currency.rate"].create(
            {"currency_id": cls.eur.id, "name": "2020-01-01", "rate": 0.8, "company_id": cls.env.company.id}
        )
        cls.eur_journal = Journal.create(
            {"name": "Shopify payouts EUR", "type": "bank", "code": "SHPOE", "currency_id": cls.eur.id}
        )
        cls.fee_account = Account.create(
            {"name": "Shopify fees", "code": "623900", "account_type": "expense"}
        )
        cls.dispute_account = Account.create(
            {"name": "Disputes in progress", "code": "499900", "account_type": "asset_current"}
        )
        cls.env["shopify.gateway.mapping"].create(
            {"shop_id": cls.shop.id, "gateway": "shopify_payments", "journal_id": cls.card_journal.id}
        )
        cls.shop.write(
            {
                "state": "connected",
                "order_confirmation_policy": "paid",
                "order_invoice_policy": "paid",
                "order_invoice_post": True,
                "order_register_payments": True,
                "payout_journal_id": cls.payout_journal.id,
                "payout_currency_journal_ids": [Command.set(cls.eur_journal.ids)],
                "payout_fee_account_id": cls.fee_account.id,
                "payout_dispute_account_id": cls.dispute_account.id,
            }
        )

    def setUp(self):
        super().setUp()
        self.emu_shop.tax_rate = "0"
        self.emu_shop.payout_currencies = ("USD",)
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

    def run_all(self, deliveries=None):
        for body, headers in self.deliveries() if deliveries is None else deliveries:
            job = self.run_delivery(body, headers)
            self.assertEqual(job.state, "done", job.last_error_message)

    def place(self, quantity=2, **options):
        return self.emu_shop.place_order(
            [{"variant_id": self.variant.id, "quantity": quantity, "price": "10.00"}],
            customer={"first_name": "Ana", "last_name": "Roth", "email": "ana@example.org"},
            shipping={"title": "Standard", "price": "5.00"},
            **options,
        )

    def payment_of(self, transaction_id):
        return self.env["account.payment"].search(
            [
                ("shopify_shop_id", "=", self.shop.id),
                ("shopify_transaction_gid", "=", f"gid://shopify/OrderTransaction/{transaction_id}"),
            ]
        )

    def import_payouts(self):
        counts = self.shop._shopify_import_payouts()
        self.assertEqual(counts["failed"], 0)
        return counts

    def payout(self, emulated):
        return self.env["shopify.payout"].search(
            [("shop_id", "=", self.shop.id), ("shopify_gid", "=", emulated.gid)]
        )

    def assertBooked(self, payout, emulated):
        """The statement's lines add up to the payout's net as Shopify computes it, to the cent."""
        totals = emulator_payouts.payout_totals(self.emu_shop, emulated)
        self.assertEqual(payout.state, "done", payout.error)
        statement_lines = payout.statement_id.line_ids
        self.assertEqual(len(statement_lines), len(emulated.transaction_ids) + (1 if totals["fee"] else 0))
        self.assertEqual(
            sum((Decimal(str(line.amount)) for line in statement_lines), Decimal("0")).quantize(
                Decimal("0.01")
            ),
            totals["net"],
        )
        self.assertAlmostEqual(payout.net, float(totals["net"]), places=2)
        self.assertAlmostEqual(payout.fee, float(totals["fee"]), places=2)
        self.assertEqual(payout.statement_id.journal_id, payout.journal_id)

    def snapshot(self, payout):
        return (
            sorted(
                payout.line_ids.mapped(lambda line: (line.shopify_gid or "", line.state, line.payment_id.id))
            ),
            payout.statement_id.id,
            self.env["account.bank.statement.line"].search_count([("journal_id", "=", payout.journal_id.id)]),
            self.env["account.partial.reconcile"].search_count([]),
            self.env["shopify.payout.line"].search_count([("shop_id", "=", self.shop.id)]),
        )

    # ------------------------------------------------------------------------------------------------
    def test_three_charges_a_refund_and_fees_make_a_matched_statement_once(self):
        orders = [self.place() for _i in range(3)]
        self.run_all()
        refund_order(self.emu_shop, orders[0], lines={orders[0].line_items[0].id: 1})
        self.run_all()
        emulated = emulator_payouts.create_payout(self.emu_shop, status="PAID")
        self.import_payouts()

        payout = self.payout(emulated)
        self.assertBooked(payout, emulated)
        charges = payout.line_ids.filtered(lambda line: line.kind == "CHARGE")
        refunds = payout.line_ids.filtered(lambda line: line.kind == "REFUND")
        fees = payout.line_ids.filtered(lambda line: line.kind == "FEES")
        self.assertEqual((len(charges), len(refunds), len(fees)), (3, 1, 1))
        self.assertEqual(set(payout.line_ids.mapped("state")), {"matched", "booked"})
        self.assertEqual(fees.state, "booked")
        self.assertAlmostEqual(fees.amount, -3 * 1.03, places=2)  # 2.9 % + 0.30 of 25.00, per charge
        self.assertEqual(payout.open_count, 0)

        sales = [self.payment_of(t) for order in orders for t in order.transaction_ids[:1]]
        self.assertEqual(charges.payment_id, self.env["account.payment"].union(*sales))
        refund_payment = self.payment_of(orders[0].transaction_ids[-1])
        self.assertEqual(refund_payment.payment_type, "outbound")
        self.assertEqual(refunds.payment_id, refund_payment)
        for payment in charges.payment_id | refund_payment:
            self.assertTrue(payment.is_matched, payment.name)
            self.assertEqual(payment.state, "paid")
        self.assertTrue(all(payout.statement_id.line_ids.mapped("is_reconciled")))
        fee_move_line = fees.statement_line_id.move_id.line_ids.filtered(
            lambda line: line.account_id == self.fee_account
        )
        self.assertAlmostEqual(fee_move_line.balance, 3.09, places=2)

        before = self.snapshot(payout)
        self.import_payouts()
        self.import_payouts()
        self.assertEqual(self.snapshot(payout), before)
        self.assertEqual(self.env["shopify.payout"].search_count([("shop_id", "=", self.shop.id)]), 1)

    def test_a_charge_of_an_order_never_imported_stays_open_with_its_reason(self):
        imported = self.place()
        self.run_all()
        missing = self.place(quantity=1)
        self.deliveries()  # lost: Odoo never hears of this order
        emulated = emulator_payouts.create_payout(self.emu_shop, status="PAID")
        self.import_payouts()

        payout = self.payout(emulated)
        self.assertBooked(payout, emulated)
        open_lines = payout.line_ids.filtered(lambda line: line.state == "open")
        self.assertEqual(len(open_lines), 1)
        self.assertEqual(open_lines.order_name, missing.name)
        self.assertEqual(open_lines.reason, f"Order {missing.name} not imported.")
        self.assertFalse(open_lines.statement_line_id.is_reconciled)
        matched = payout.line_ids.filtered(lambda line: line.kind == "CHARGE") - open_lines
        self.assertEqual(matched.payment_id, self.payment_of(imported.transaction_ids[0]))
        self.assertEqual(self.shop.payout_open_line_count, 1)

    def test_a_dispute_opened_then_won(self):
        order = self.place()
        self.run_all()
        dispute = emulator_payouts.open_dispute(self.emu_shop, order)
        self.run_all()

        record = self.env["shopify.dispute"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(
            (record.status, record.amount, record.order_name), ("NEEDS_RESPONSE", 25.0, order.name)
        )
        sale_order = record.sale_order_id
        self.assertTrue(sale_order)
        self.assertIn("dispute opened", sale_order.message_ids[0].body)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "shopify.dispute"), ("res_id", "=", record.id)]
        )
        self.assertIn(self.manager, activity.user_id)

        first = emulator_payouts.create_payout(self.emu_shop, status="PAID")
        self.import_payouts()
        withdrawal = self.payout(first).line_ids.filtered(lambda line: line.kind == "DISPUTE_WITHDRAWAL")
        self.assertBooked(self.payout(first), first)
        self.assertEqual(
            (withdrawal.state, withdrawal.dispute_id, withdrawal.amount), ("booked", record, -25.0)
        )

        emulator_payouts.update_dispute(self.emu_shop, dispute, "WON")
        self.run_all()
        self.assertEqual(record.status, "WON")
        self.assertIn("Won", sale_order.message_ids[0].body)

        second = emulator_payouts.create_payout(self.emu_shop, status="PAID")
        self.import_payouts()
        self.assertBooked(self.payout(second), second)
        reversal = self.payout(second).line_ids
        self.assertEqual(
            (reversal.kind, reversal.state, reversal.amount), ("DISPUTE_REVERSAL", "booked", 25.0)
        )
        self.assertEqual(record.line_ids, withdrawal | reversal)
        balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", self.dispute_account.id)])
            .mapped("balance")
        )
        self.assertAlmostEqual(balance, 0.0, places=2)  # won: what was withdrawn came back

    def test_a_payout_in_a_second_currency(self):
        self.emu_shop.payout_currencies = ("USD", "EUR")
        order = self.place(presentment_currency="EUR", exchange_rate="0.9")
        self.run_all()
        payment = self.payment_of(order.transaction_ids[0])
        self.assertEqual((payment.currency_id.name, payment.amount), ("USD", 25.0))
        self.assertEqual(payment.shopify_presentment_currency_id, self.eur)

        emulated = emulator_payouts.create_payout(self.emu_shop, currency="EUR", status="PAID")
        self.import_payouts()
        payout = self.payout(emulated)
        self.assertEqual(payout.currency_id, self.eur)
        self.assertEqual(payout.journal_id, self.eur_journal)
        self.assertBooked(payout, emulated)  # 22.50 - fee 0.95 = 21.55 EUR
        self.assertAlmostEqual(payout.net, 21.55, places=2)
        charge = payout.line_ids.filtered(lambda line: line.kind == "CHARGE")
        self.assertEqual((charge.state, charge.payment_id), ("matched", payment))
        self.assertTrue(payment.is_matched)
        # 22.50 EUR at the company's rate (0.8 EUR per USD) is 28.13 USD; the payment booked 25.00 USD.
        exchange = charge.statement_line_id.move_id.line_ids.filtered(
            lambda line: line.account_id == self.env.company.income_currency_exchange_account_id
        )
        self.assertAlmostEqual(exchange.balance, -3.13, places=2)

    def test_a_payout_read_in_transit_is_booked_when_paid(self):
        self.place()
        self.run_all()
        emulated = emulator_payouts.create_payout(self.emu_shop, status="IN_TRANSIT")
        self.import_payouts()
        payout = self.payout(emulated)
        self.assertEqual((payout.status, payout.state), ("IN_TRANSIT", "waiting"))
        self.assertFalse(payout.statement_id)
        self.assertFalse(payout.line_ids)

        self.clock.advance(86400)
        emulator_payouts.set_payout_status(self.emu_shop, emulated, "PAID")
        self.import_payouts()
        self.assertEqual(payout.status, "PAID")
        self.assertBooked(payout, emulated)
        self.assertEqual(set(payout.line_ids.mapped("state")), {"matched", "booked"})
        self.assertEqual(payout.date, fields.Date.to_date(payout.issued_at))
