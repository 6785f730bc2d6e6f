"""The order completeness panel of the shop dashboard: the reports of the last 7 days."""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..services.completeness import shop_zone, window_days
from .shopify_access import MANAGER, USER, check_shopify_access

DASHBOARD_DAYS = 7


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    dash_completeness_ids = fields.Many2many(
        "shopify.completeness.report",
        compute="_compute_dash_completeness",
        string="Completeness (7 days)",
    )
    dash_completeness_summary = fields.Char(
        compute="_compute_dash_completeness", string="Complete Days (7 days)"
    )
    dash_completeness_missing = fields.Integer(
        compute="_compute_dash_completeness", string="Orders Missing (7 days)"
    )
    dash_completeness_line = fields.Char(
        compute="_compute_dash_completeness",
        string="Completeness Check",
        help="Days of the last 7 whose check found every Shopify order in Odoo, or the days that are not.",
    )
    dash_completeness_state = fields.Selection(
        [("none", "Not checked"), ("pending", "Checking"), ("green", "Complete"), ("red", "Incomplete")],
        compute="_compute_dash_completeness",
        string="Order Completeness State",
    )
    dash_completeness_hint = fields.Char(
        compute="_compute_dash_completeness", string="What to Do (completeness)"
    )

    def _dash_completeness_days(self):
        self.ensure_one()
        return window_days(fields.Datetime.now(), shop_zone(self.timezone_remote), DASHBOARD_DAYS)

    def _compute_dash_completeness(self):
        Report = self.env["shopify.completeness.report"].sudo()
        for shop in self:
            if not shop.id:
                shop.update(
                    {
                        "dash_completeness_ids": False,
                        "dash_completeness_summary": False,
                        "dash_completeness_missing": 0,
                        "dash_completeness_line": False,
                        "dash_completeness_state": "none",
                        "dash_completeness_hint": False,
                    }
                )
                continue
            first_day = shop._dash_completeness_days()[0]
            reports = Report.search([("shop_id", "=", shop.id), ("day", ">=", first_day)])
            checked = reports.filtered(lambda report: report.state in ("green", "red"))
            green = checked.filtered(lambda report: report.state == "green")
            shop.dash_completeness_ids = reports
            shop.dash_completeness_summary = (
                _("%(green)s of %(checked)s checked days complete", green=len(green), checked=len(checked))
                if checked
                else _("Not checked yet")
            )
            shop.dash_completeness_missing = sum(checked.mapped("missing_count"))
            shop._dash_completeness_verdict(reports)

    def _dash_completeness_verdict(self, reports):
        """The one-line verdict of the week's reports, its state and the next step when days are red."""
        self.ensure_one()
        # A failed check counts as a red day: nobody knows whether that day is complete.
        red = reports.filtered(lambda report: report.state in ("red", "error")).sorted("day")
        green = reports.filtered(lambda report: report.state == "green")
        finished = len(red) + len(green)
        if red:
            days = ", ".join(format_date(self.env, report.day) for report in red)
            line = _(
                "Orders incomplete: %(red)s of %(days)s days red (%(list)s)",
                red=len(red),
                days=finished,
                list=days,
            )
            state, hint = "red", red[0].hint
        elif green:
            line = _("Orders complete: %(green)s/%(days)s days green", green=len(green), days=finished)
            state, hint = "green", False
        elif reports:
            line, state, hint = _("Order completeness: checking…"), "pending", False
        else:
            line = _("Order completeness: not checked yet")
            state = "none"
            hint = _("Click “Check orders now” on the dashboard, or wait for the nightly check.")
        self.update(
            {"dash_completeness_line": line, "dash_completeness_state": state, "dash_completeness_hint": hint}
        )

    def action_dash_check_completeness(self):
        """Queue the orders part of the reconciliation (what "Run reconciliation now" does for orders);
        the days turn green or red once the queue cron started it and its bulk query was read."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        if self.state == "draft":
            raise UserError(_("Test the connection on the shop's Setup tab first."))
        self._enqueue_reconcile_now(["orders"])
        return self._notify(
            _("Orders check queued"),
            _(
                "It runs in the background: the days of the last %s turn green or red once Shopify's "
                "answer is read (reload the dashboard in a minute).",
                self.order_reconcile_days,
            ),
            "success",
        )

    def action_dash_completeness(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        return self._dash_action(
            "shopify_sync.action_shopify_completeness_report",
            _("Order completeness, last 7 days"),
            [("shop_id", "=", self.id), ("day", ">=", self._dash_completeness_days()[0])],
            view_mode="list,graph,form",
        )
