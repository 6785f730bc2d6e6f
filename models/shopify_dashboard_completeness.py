"""The order completeness panel of the shop dashboard: the reports of the last 7 days."""

from odoo import _, fields, models

from ..services.completeness import shop_zone, window_days

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

    def action_dash_completeness(self):
        self.ensure_one()
        return self._dash_action(
            "shopify_sync.action_shopify_completeness_report",
            _("Order completeness, last 7 days"),
            [("shop_id", "=", self.id), ("day", ">=", self._dash_completeness_days()[0])],
            view_mode="list,graph,form",
        )
