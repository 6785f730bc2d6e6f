"""The shop's payout settings (journal, fee and disputes accounts, import start) and the daily payout
read: payouts since the last one booked, their balance transactions, and open disputes."""

import logging
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models

from ...services.mapping import payouts as mapping
from ..core.access import MANAGER, USER, check_shopify_access

_logger = logging.getLogger(__name__)

PAYOUT_IMPORT = "payout_import"  # watermark: payouts issued from it on are read by the next run

# Payouts per page (each ~10 points) and how far back disputes are read again for status changes
# webhooks may have missed (card networks decide within about four months).
PAYOUT_PAGE_SIZE = 25
DISPUTE_WINDOW = timedelta(days=120)
SCOPES = ["read_shopify_payments_payouts", "read_shopify_payments_disputes"]


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    payout_journal_id = fields.Many2one(
        "account.journal",
        string="Payout Journal",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Where Shopify Payments payouts are written as bank statements: the bank account they reach, "
        "or a Shopify Payments clearing journal. Empty: payouts are not imported.",
    )
    payout_currency_journal_ids = fields.Many2many(
        "account.journal",
        "shopify_shop_payout_currency_journal_rel",
        "shop_id",
        "journal_id",
        string="Journals for Other Currencies",
        check_company=True,
        domain="[('type', '=', 'bank'), ('currency_id', '!=', False)]",
        help="Payouts in another currency than the payout journal's go to the journal of that currency.",
    )
    payout_fee_account_id = fields.Many2one(
        "account.account",
        string="Fee Account",
        check_company=True,
        help="Expense account of Shopify Payments fees (one statement line per payout).",
    )
    payout_dispute_account_id = fields.Many2one(
        "account.account",
        string="Disputes Account",
        check_company=True,
        help="Where money withdrawn for a dispute and given back when it is won is booked (a won dispute "
        "nets to zero on it). Empty: dispute lines stay open for the accountant.",
    )
    payout_import_from = fields.Date(
        string="Import Payouts From", help="Payouts issued before this date are not imported."
    )
    payout_ids = fields.One2many("shopify.payout", "shop_id", string="Payouts")
    payout_open_line_count = fields.Integer(
        compute="_compute_payout_open_line_count",
        string="Unmatched Payout Lines",
        help="Statement lines of booked payouts that match nothing yet (each says why).",
    )

    def _compute_payout_open_line_count(self):
        counts = dict(
            self.env["shopify.payout.line"]._read_group(
                [("shop_id", "in", self.ids), ("state", "=", "open")], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.payout_open_line_count = counts.get(shop._origin, 0)

    @api.model
    def _shopify_required_scopes(self):
        scopes = super()._shopify_required_scopes()
        if any(shop.payout_journal_id for shop in self):
            scopes += SCOPES
        return scopes

    def _payout_journal(self, currency):
        """The journal for payouts in `currency`: the payout journal when it is in that currency, else the
        journal of that currency among the other currencies' journals (empty if none)."""
        self.ensure_one()
        for journal in self.payout_journal_id | self.payout_currency_journal_ids:
            if (journal.currency_id or journal.company_id.currency_id) == currency:
                return journal
        return self.env["account.journal"]

    # ------------------------------------------------------------------------------------------------
    # The daily read
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_sync_payouts(self):
        return self._run_sync_for_shops("payouts")

    def _sync_payouts(self):
        """Scheduled sync "payouts" (daily): payouts and disputes of shops that import payouts."""
        if self.state == "draft" or not self.payout_journal_id:
            return {}
        return self._shopify_import_payouts()

    def _shopify_import_payouts(self):
        """Read payouts issued since the watermark (and any still waiting or not booked), book the paid
        ones, refresh disputes; one payout's failure is logged and does not stop the others."""
        self.ensure_one()
        client = self._shopify_client()
        state = self._state_row(PAYOUT_IMPORT)
        Payout = self.env["shopify.payout"]
        unfinished = Payout.search(
            [("shop_id", "=", self.id), ("state", "in", ("waiting", "error"))], order="issued_at", limit=1
        )
        starts = [d for d in (state.watermark, unfinished.issued_at) if d]
        since = min(starts) if starts else None
        if not since and self.payout_import_from:
            since = datetime.combine(self.payout_import_from, time.min)
        query = f"issued_at:>='{since:%Y-%m-%dT%H:%M:%SZ}'" if since else None
        ok = failed = 0
        newest = state.watermark
        for node in client.paginate(
            "payouts_page",
            {"query": query},
            connection_path=("shopifyPaymentsAccount", "payouts"),
            page_size=PAYOUT_PAGE_SIZE,
        ):
            try:
                data = mapping.payout_from_graphql(node)
                if (
                    self.payout_import_from
                    and data["issued_at"]
                    and (data["issued_at"].date() < self.payout_import_from)
                ):
                    continue
                with self.env.cr.savepoint():
                    payout = Payout._receive(self, data, client)
                ok += 1
                if payout.state in ("done", "void"):
                    newest = max(filter(None, (newest, payout.issued_at)))
            except Exception as error:  # one bad payout must not stop the others
                _logger.warning("Shopify shop %s: payout %s failed: %s", self.id, node.get("id"), error)
                failed += 1
        Payout.search(
            [("shop_id", "=", self.id), ("state", "=", "done"), ("line_ids.state", "=", "open")]
        ).line_ids._shopify_match()
        if newest:
            state.watermark = newest
        failed += self._shopify_read_disputes(client)
        return {"ok": ok, "failed": failed}

    def _shopify_read_disputes(self, client):
        """Disputes initiated in the window, so a missed disputes/update still reaches the order; returns
        how many failed."""
        since = fields.Datetime.now() - DISPUTE_WINDOW
        Dispute = self.env["shopify.dispute"]
        failed = 0
        for node in client.paginate(
            "disputes_page",
            {"query": f"initiated_at:>='{since:%Y-%m-%dT%H:%M:%SZ}'"},
            connection_path=("disputes",),
        ):
            try:
                with self.env.cr.savepoint():
                    Dispute._receive(self, mapping.dispute_from_graphql(node))
            except Exception as error:  # one bad dispute must not stop the others
                _logger.warning("Shopify shop %s: dispute %s failed: %s", self.id, node.get("id"), error)
                failed += 1
        return failed

    # ------------------------------------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------------------------------------
    def action_import_payouts(self):
        """Queue a payout read now (the daily one, by hand)."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        self.env["shopify.queue.job"].sudo()._enqueue(self, "payouts_import", dedupe_key="payouts_import")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"message": _("Payouts will be read in a moment."), "type": "info", "sticky": False},
        }

    def action_view_payouts(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_payout")
        action["domain"] = [("shop_id", "=", self.id)]
        return action

    def action_view_open_payout_lines(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_payout_line_open")
        action["domain"] = [("shop_id", "=", self.id), ("state", "=", "open")]
        return action
