"""One Shopify Payments payout of one shop and the bank statement it became.

A payout is read while Shopify still schedules or sends it (its totals kept current, nothing booked) and
finalised once PAID: its balance transactions are read, checked to add up to its net amount to the cent,
and written as one bank statement in the shop's payout journal (the journal in the payout's currency):
one statement line per balance transaction and one for the fee total. Each charge / refund line is
reconciled with the Odoo payment of the same Shopify order transaction (models/orders: account.payment
keyed by shop + transaction GID); fee lines go to the fee account, dispute lines to the disputes account;
anything else stays in the journal's suspense account with the reason on the payout line. A finalised
payout is never written again: reading it twice changes nothing.
"""

import logging

from odoo import Command, _, api, fields, models

from ...services.mapping import payouts as mapping
from ...services.money import same_amount
from ..core.access import MANAGER, USER, check_shopify_access

_logger = logging.getLogger(__name__)

# Balance transactions per page: a node is about 12 points, 100 keep a page far below the cost limit.
PAGE_SIZE = 100


STATUSES = [
    ("SCHEDULED", "Scheduled"),
    ("IN_TRANSIT", "In transit"),
    ("PAID", "Paid"),
    ("FAILED", "Failed"),
    ("CANCELED", "Canceled"),
]


class ShopifyPayout(models.Model):
    _name = "shopify.payout"
    _description = "Shopify Payments Payout"
    _order = "issued_at desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, string="Payout")
    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, ondelete="cascade", index=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    shopify_gid = fields.Char(string="Payout GID", required=True, readonly=True, index=True)
    status = fields.Selection(
        STATUSES, readonly=True, help="Shopify's status of the transfer.", string="Status on Shopify"
    )
    issued_at = fields.Datetime(readonly=True, string="Issued At")
    date = fields.Date(compute="_compute_name", store=True, string="Payout Date")
    currency_id = fields.Many2one("res.currency", readonly=True)
    gross = fields.Monetary(
        readonly=True, help="Charges, refunds and adjustments before fees.", string="Gross Amount"
    )
    fee = fields.Monetary(string="Fees", readonly=True)
    net = fields.Monetary(readonly=True, help="What reaches the bank.", string="Net Amount")
    state = fields.Selection(
        [
            ("waiting", "Waiting for Shopify"),
            ("done", "Booked"),
            ("error", "Cannot book"),
            ("void", "Not paid out"),
        ],
        default="waiting",
        required=True,
        readonly=True,
        index=True,
        help="Waiting: scheduled or in transit, read again until paid. Void: failed or canceled.",
        string="Status in Odoo",
    )
    error = fields.Text(
        readonly=True,
        help="Why the payout cannot be booked (fixed, it is booked by the next run).",
        string="Why It Is Not Booked",
    )
    journal_id = fields.Many2one("account.journal", readonly=True, string="Bank Journal")
    statement_id = fields.Many2one(
        "account.bank.statement", readonly=True, ondelete="set null", string="Bank Statement"
    )
    line_ids = fields.One2many("shopify.payout.line", "payout_id", readonly=True, string="Payout Lines")
    matched_count = fields.Integer(compute="_compute_counts", string="Matched Lines")
    open_count = fields.Integer(compute="_compute_counts", string="Open Lines")

    _sql_constraints = [
        ("payout_unique", "unique(shop_id, shopify_gid)", "This Shopify payout is already known."),
    ]

    @api.depends("shopify_gid", "issued_at")
    def _compute_name(self):
        for payout in self:
            payout.name = _("Shopify payout %s", (payout.shopify_gid or "").rsplit("/", 1)[-1])
            payout.date = fields.Date.to_date(payout.issued_at) if payout.issued_at else False

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for payout in self:
            payout.matched_count = len(payout.line_ids.filtered(lambda line: line.state != "open"))
            payout.open_count = len(payout.line_ids.filtered(lambda line: line.state == "open"))

    # ------------------------------------------------------------------------------------------------
    # Reading
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _receive(self, shop, data, client):
        """Record or update one payout read from Shopify (services/mapping/payouts.payout_from_graphql),
        and book it when it is paid. A booked payout is left alone. Returns the payout."""
        payout = self.search([("shop_id", "=", shop.id), ("shopify_gid", "=", data["gid"])], limit=1)
        if payout.state == "done":
            return payout
        currency = self._currency(data["currency"])
        values = {
            "status": data["status"],
            "issued_at": data["issued_at"],
            "currency_id": currency.id,
            "gross": data["gross"],
            "fee": data["fee"],
            "net": data["net"],
        }
        if payout:
            payout.write(values)
        else:
            payout = self.create({**values, "shop_id": shop.id, "shopify_gid": data["gid"]})
        if data["status"] in mapping.NOT_YET:
            payout.state = "waiting"
        elif data["status"] != mapping.PAID:
            payout.state = "void"
        else:
            payout._book(client)
        return payout

    def _currency(self, code):
        return self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1)

    def _read_transactions(self, client):
        numeric = self.shopify_gid.rsplit("/", 1)[-1]
        nodes = client.paginate(
            "payout_balance_transactions",
            {"query": f"payments_transfer_id:{numeric}"},
            connection_path=("shopifyPaymentsAccount", "balanceTransactions"),
            page_size=PAGE_SIZE,
        )
        return [mapping.balance_transaction_from_graphql(node) for node in nodes]

    # ------------------------------------------------------------------------------------------------
    # Booking
    # ------------------------------------------------------------------------------------------------
    def _book(self, client):
        """The paid payout as a bank statement: checked, written, matched. A check that fails leaves it in
        state error with the reason (nothing written); the next run tries again."""
        self.ensure_one()
        transactions = self._read_transactions(client)
        rounding = self.currency_id.rounding
        problem = None
        journal = self.shop_id._payout_journal(self.currency_id)
        total = sum((t["net"] for t in transactions), 0)
        if not journal:
            problem = _(
                "No payout journal in %s: set one in the shop's Payouts settings.", self.currency_id.name
            )
        elif not self.shop_id.payout_fee_account_id:
            problem = _("No fee account: set one in the shop's Payouts settings.")
        elif any(t["currency"] != self.currency_id.name for t in transactions):
            problem = _("Balance transactions in another currency than the payout's.")
        elif not same_amount(total, self.net, rounding):
            problem = _(
                "The balance transactions add up to %(total)s, the payout's net is %(net)s.",
                total=total,
                net=self.net,
            )
        if problem:
            _logger.warning(
                "Shopify shop %s: payout %s not booked: %s", self.shop_id.id, self.shopify_gid, problem
            )
            self.write({"state": "error", "error": problem})
            return
        date = self.date or fields.Date.context_today(self)
        rows = [self._line_values(t, sequence) for sequence, t in enumerate(transactions, start=1)]
        fees = sum((t["fee"] for t in transactions), 0)
        if fees:
            rows.append(
                {
                    "sequence": len(rows) + 1,
                    "kind": "FEES",
                    "amount": -fees,
                    "fee": fees,
                    "ref": _("Shopify Payments fees"),
                }
            )
        statement = self.env["account.bank.statement"].create(
            {
                "name": self.name,
                "reference": self.shopify_gid,
                "line_ids": [
                    Command.create(
                        {
                            "journal_id": journal.id,
                            "date": date,
                            "payment_ref": row.pop("ref"),
                            "amount": row["amount"],
                            "sequence": row["sequence"],
                        }
                    )
                    for row in rows
                ],
            }
        )
        statement_lines = statement.line_ids.sorted(lambda line: line.sequence)
        lines = self.env["shopify.payout.line"].create(
            [
                {**row, "payout_id": self.id, "statement_line_id": statement_line.id}
                for row, statement_line in zip(rows, statement_lines, strict=True)
            ]
        )
        statement.balance_end_real = statement.balance_end
        self.write({"state": "done", "error": False, "journal_id": journal.id, "statement_id": statement.id})
        lines._shopify_match()

    def _line_values(self, transaction, sequence):
        dispute = self.env["shopify.dispute"]
        if transaction["dispute_gid"]:
            dispute = dispute.search(
                [("shop_id", "=", self.shop_id.id), ("shopify_gid", "=", transaction["dispute_gid"])], limit=1
            )
        label = " ".join(
            part
            for part in (
                transaction["type"].replace("_", " ").capitalize(),
                transaction["order_name"],
                transaction["adjustment_reason"],
            )
            if part
        )
        return {
            "sequence": sequence,
            "shopify_gid": transaction["gid"],
            "kind": transaction["type"],
            "order_gid": transaction["order_gid"],
            "order_name": transaction["order_name"],
            "transaction_gid": transaction["transaction_gid"],
            "dispute_id": dispute.id,
            "amount": transaction["amount"],
            "fee": transaction["fee"],
            "ref": label,
        }

    # ------------------------------------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------------------------------------
    def action_open_statement(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.bank.statement.line",
            "view_mode": "list,form",
            "domain": [("statement_id", "=", self.statement_id.id)],
            "name": self.statement_id.name,
        }

    def action_match_again(self):
        """Try the open lines again (an order imported since, a payment registered, an account set)."""
        check_shopify_access(self, MANAGER)
        self.line_ids.filtered(lambda line: line.state == "open").sudo()._shopify_match()
        return True
