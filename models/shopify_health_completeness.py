"""Order completeness in the health JSON and the Prometheus metrics: per shop, the last days' reports."""

from datetime import timedelta

from odoo import fields, models

from ..services import prometheus
from ..services.completeness import shop_zone, window_days

# How many days (today included) the health and metrics summarise: the dashboard's week.
SUMMARY_DAYS = 7


class ShopifyHealth(models.AbstractModel):
    _inherit = "shopify.health"

    def _completeness(self, shops, now):
        """{shop_id: summary} of each shop's completeness reports of the last SUMMARY_DAYS days."""
        Report = self.env["shopify.completeness.report"].sudo()
        result = {}
        for shop in shops.sudo():
            days = window_days(now, shop_zone(shop.timezone_remote), SUMMARY_DAYS)
            reports = Report.search([("shop_id", "=", shop.id), ("day", ">=", days[0])], order="day")
            checked = reports.filtered(lambda report: report.state in ("green", "red"))
            last_checked = max(reports.mapped("checked_at"), default=None)
            result[shop.id] = {
                "days_checked": len(checked),
                "days_green": len(checked.filtered(lambda report: report.state == "green")),
                "days_failed_check": len(reports.filtered(lambda report: report.state == "error")),
                # A check in progress (pending) keeps the previous verdict out: only finished days count.
                "green": bool(checked)
                and all(report.state == "green" for report in checked)
                and not reports.filtered(lambda report: report.state == "error"),
                "missing": sum(checked.mapped("missing_count")),
                "extra": sum(checked.mapped("extra_count")),
                "differing": sum(checked.mapped("differing_count")),
                "backfilled": sum(checked.mapped("backfilled_count")),
                "last_checked_at": last_checked,
                "days": [
                    {
                        "day": report.day.isoformat(),
                        "state": report.state,
                        "dry_run": report.dry_run,
                        "shopify_count": report.shopify_count,
                        "shopify_total": report.shopify_total,
                        "odoo_count": report.odoo_count,
                        "odoo_total": report.odoo_total,
                        "missing": report.missing_count,
                        "extra": report.extra_count,
                        "differing": report.differing_count,
                        "backfilled": report.backfilled_count,
                    }
                    for report in reports
                ],
            }
        return result

    def _snapshot_order_completeness(self, result, shops, now):
        """The health snapshot's `order_completeness` part: written into `result` ({shop_id: health dict})."""
        for shop_id, summary in self._completeness(shops, now).items():
            if shop_id in result:
                at = summary["last_checked_at"]
                result[shop_id]["order_completeness"] = {
                    **summary,
                    "last_checked_at": at.isoformat() + "Z" if at else None,
                }

    def _metrics_order_completeness(self, shops, now):
        """The metric families of order completeness (Prometheus text)."""
        summaries = self._completeness(shops, now)
        domain_of = {shop.id: shop.shop_domain for shop in shops.sudo()}

        def samples(key, only_checked=True):
            return [
                ({"shop": domain_of[shop_id]}, summary[key])
                for shop_id, summary in sorted(summaries.items())
                if summary["days_checked"] or not only_checked
            ]

        epoch = fields.Datetime.to_datetime("1970-01-01")
        families = [
            (
                "shopify_order_completeness_green",
                "gauge",
                f"1 when every checked day of the last {SUMMARY_DAYS} has every Shopify order in Odoo "
                "with the same total.",
                [(labels, int(value)) for labels, value in samples("green")],
            ),
            (
                "shopify_order_completeness_days_checked",
                "gauge",
                f"Days of the last {SUMMARY_DAYS} with a finished completeness check.",
                samples("days_checked", only_checked=False),
            ),
            (
                "shopify_order_completeness_days_green",
                "gauge",
                f"Green days among the last {SUMMARY_DAYS} checked.",
                samples("days_green"),
            ),
            (
                "shopify_orders_missing",
                "gauge",
                f"Shopify orders of the last {SUMMARY_DAYS} days with no sale order in Odoo (last check).",
                samples("missing"),
            ),
            (
                "shopify_orders_differing",
                "gauge",
                f"Orders of the last {SUMMARY_DAYS} days whose Odoo total differs from Shopify's.",
                samples("differing"),
            ),
            (
                "shopify_orders_extra",
                "gauge",
                f"Sale orders of the last {SUMMARY_DAYS} days that Shopify does not list for that day.",
                samples("extra"),
            ),
            (
                "shopify_orders_backfilled",
                "gauge",
                f"Orders the checks of the last {SUMMARY_DAYS} days imported (backfill).",
                samples("backfilled"),
            ),
            (
                "shopify_order_completeness_last_check_timestamp_seconds",
                "gauge",
                "Unix time of the last completeness check.",
                [
                    (
                        {"shop": domain_of[shop_id]},
                        (summary["last_checked_at"] - epoch) / timedelta(seconds=1),
                    )
                    for shop_id, summary in sorted(summaries.items())
                    if summary["last_checked_at"]
                ],
            ),
        ]
        return prometheus.render(families)
