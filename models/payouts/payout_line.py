"""One line of a Shopify payout: a balance transaction (charge, refund, adjustment, dispute withdrawal or
reversal) or the payout's fee total, with the bank statement line it became and what it was matched to.

State: matched (reconciled with the payment of the same Shopify transaction), booked (on the fee or
disputes account), open (left in the journal's suspense account with the reason).
"""

import logging

from odoo import Command, _, fields, models

from ...services.mapping.payouts import DISPUTE_TYPES
from ...services.money import same_amount

_logger = logging.getLogger(__name__)

# Balance transactions a payment of the order can stand for: a charge is the customer's payment, a
# refund the money given back.
PAYMENT_TYPES = {"CHARGE": "inbound", "REFUND": "outbound"}


class ShopifyPayoutLine(models.Model):
    _name = "shopify.payout.line"
    _description = "Shopify Payout Line"
    _order = "payout_id, sequence, id"

    payout_id = fields.Many2one(
        "shopify.payout",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
        string="Payout",
    )
    shop_id = fields.Many2one(related="payout_id.shop_id", store=True, index=True)
    company_id = fields.Many2one(related="payout_id.company_id", store=True, index=True)
    sequence = fields.Integer(readonly=True)
    shopify_gid = fields.Char(
        string="Balance Transaction GID", readonly=True, index=True, help="Empty on the fee total line."
    )
    kind = fields.Char(
        readonly=True,
        help="Shopify's transaction type (CHARGE, REFUND, ADJUSTMENT…) or FEES.",
        string="Line Type",
    )
    order_gid = fields.Char(readonly=True)
    order_name = fields.Char(string="Shopify Order", readonly=True)
    transaction_gid = fields.Char(string="Order Transaction GID", readonly=True)
    dispute_id = fields.Many2one(
        "shopify.dispute", readonly=True, ondelete="set null", index=True, string="Dispute"
    )
    currency_id = fields.Many2one(related="payout_id.currency_id")
    amount = fields.Monetary(
        readonly=True, help="What the statement line holds (the fee total is negative).", string="Amount"
    )
    fee = fields.Monetary(
        readonly=True, help="Shopify's fee on this transaction (in the fee total line).", string="Fee"
    )
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", readonly=True, ondelete="set null", string="Statement Line"
    )
    payment_id = fields.Many2one(
        "account.payment", readonly=True, ondelete="set null", string="Matched Payment"
    )
    state = fields.Selection(
        [("matched", "Matched"), ("booked", "Booked"), ("open", "Open")],
        default="open",
        required=True,
        readonly=True,
        index=True,
        string="Matching",
    )
    reason = fields.Char(readonly=True, help="Why an open line matches nothing.", string="Why It Is Open")

    _sql_constraints = [
        (
            "balance_transaction_unique",
            "unique(shop_id, shopify_gid)",
            "This balance transaction is already in a payout.",
        ),
    ]

    # ------------------------------------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------------------------------------
    def _shopify_match(self):
        """Match or book each open line; a line that cannot be matched keeps its suspense line and gets
        the reason. One line's failure is logged and leaves the others alone."""
        for line in self.filtered(lambda line: line.state == "open" and line.statement_line_id):
            try:
                with self.env.cr.savepoint():
                    line._shopify_match_one()
            except Exception as error:  # one line must not block the payout
                _logger.warning("Shopify payout line %s could not be matched: %s", line.id, error)
                line.reason = _("Matching failed: %s", error)

    def _shopify_match_one(self):
        shop = self.shop_id
        if self.kind == "FEES":
            return self._shopify_book(shop.payout_fee_account_id, _("No fee account set on the shop."))
        if self.kind in DISPUTE_TYPES:
            return self._shopify_book(
                shop.payout_dispute_account_id,
                _(
                    "Dispute on %s: no disputes account set on the shop, book it by hand.",
                    self.order_name or "?",
                ),
            )
        direction = PAYMENT_TYPES.get(self.kind)
        if not direction or not self.transaction_gid:
            self.reason = _(
                "%s: not an order payment, book it by hand.", self.kind.replace("_", " ").capitalize()
            )
            return
        payment = self.env["account.payment"].search(
            [
                ("shopify_shop_id", "=", shop.id),
                ("shopify_transaction_gid", "=", self.transaction_gid),
                ("state", "in", ("in_process", "paid")),
            ],
            limit=1,
        )
        if not payment:
            self.reason = self._shopify_why_no_payment()
            return
        problem = self._shopify_payment_problem(payment, direction)
        if problem:
            self.reason = problem
            return
        self._shopify_reconcile(payment)

    def _shopify_why_no_payment(self):
        shop = self.shop_id
        order = self.order_name or self.order_gid or "?"
        binding = self.env["shopify.order.binding"].search(
            [("shop_id", "=", shop.id), ("shopify_gid", "=", self.order_gid)], limit=1
        )
        if not binding or not binding.sale_order_id:
            return _("Order %s not imported.", order)
        transaction = self.env["shopify.order.transaction"].search(
            [("shop_id", "=", shop.id), ("shopify_gid", "=", self.transaction_gid)], limit=1
        )
        if not transaction:
            return _("Order %s: its Shopify transaction was not received.", order)
        if transaction.state == "held":
            return _(
                "Order %(order)s: payment held (%(reason)s).", order=order, reason=transaction.hold_reason
            )
        return _("Order %s: no payment registered for this transaction yet.", order)

    def _shopify_payment_problem(self, payment, direction):
        """Why `payment` cannot be this line's (None when it can)."""
        if payment.payment_type != direction:
            return _("The payment %s goes the other way.", payment.name)
        currency = self.currency_id
        if payment.currency_id == currency:
            expected = payment.amount
        elif payment.shopify_presentment_currency_id == currency:
            expected = payment.shopify_presentment_amount
        else:
            return _(
                "The payment %(payment)s is in %(currency)s, the payout in %(payout)s.",
                payment=payment.name,
                currency=payment.currency_id.name,
                payout=currency.name,
            )
        if not same_amount(abs(self.amount), expected, currency.rounding):
            return _(
                "The payment %(payment)s is %(expected)s, the payout line %(amount)s.",
                payment=payment.name,
                expected=expected,
                amount=abs(self.amount),
            )
        liquidity = payment._seek_for_lines()[0]
        if not liquidity or all(line.reconciled for line in liquidity):
            return _("The payment %s is already matched with the bank.", payment.name)
        return None

    def _shopify_book(self, account, missing):
        """The statement line's counterpart on `account` (fees, disputes); no account: open, `missing`."""
        if not account:
            self.reason = missing
            return
        statement_line = self.statement_line_id
        _liquidity, suspense, _other = statement_line._seek_for_lines()
        self._shopify_rewrite(statement_line, [Command.update(suspense.id, {"account_id": account.id})])
        self.write({"state": "booked", "reason": False})

    def _shopify_reconcile(self, payment):
        """The statement line's suspense line becomes the payment's outstanding account, in the payment's
        currency and amount, and is reconciled with the payment; when the payout's currency differs, the
        exchange difference between what the bank got and what the payment recorded goes to the company's
        exchange gain / loss account."""
        statement_line = self.statement_line_id
        liquidity, suspense, _other = statement_line._seek_for_lines()
        paid = payment._seek_for_lines()[0].filtered(lambda line: not line.reconciled)[:1]
        commands = [
            Command.update(liquidity.id, {"partner_id": payment.partner_id.id}),
            Command.update(
                suspense.id,
                {
                    "account_id": paid.account_id.id,
                    "partner_id": payment.partner_id.id,
                    "currency_id": paid.currency_id.id,
                    "amount_currency": -paid.amount_currency,
                    "balance": -paid.balance,
                },
            ),
        ]
        difference = liquidity.balance - paid.balance  # company currency: > 0 a gain
        company = statement_line.company_id
        if not company.currency_id.is_zero(difference):
            account = (
                company.income_currency_exchange_account_id
                if difference > 0
                else company.expense_currency_exchange_account_id
            )
            commands.append(
                Command.create(
                    {
                        "name": _("Exchange difference"),
                        "account_id": account.id,
                        "currency_id": company.currency_id.id,
                        "amount_currency": -difference,
                        "balance": -difference,
                    }
                )
            )
        self._shopify_rewrite(statement_line, commands)
        counterpart = statement_line.move_id.line_ids.filtered(
            lambda line: line.account_id == paid.account_id
        )
        (counterpart + paid).reconcile()
        self.write({"state": "matched", "reason": False, "payment_id": payment.id})

    def _shopify_rewrite(self, statement_line, commands):
        move = statement_line.move_id
        move.button_draft()
        move.with_context(skip_readonly_check=True).write({"line_ids": commands})
        move.action_post()
