"""The orders step of the daily reconciliation: prove every Shopify order of the window is in Odoo.

`shopify.shop._reconcile_part_orders` (the orders part of `_reconcile`) starts one bulk query over the
orders processed in the window (the last `order_reconcile_days` days, today included, in the shop's
timezone) and resets that window's completeness reports (models/shopify_completeness_report.py) to pending.
The rest is asynchronous, driven by the bulk runner (the `bulk_operations/finish` webhook, or the poll
cron when that webhook is lost):

1. `_bulk_process_order_reconcile(batch)`: the batch's orders are recorded on their day's report; the ones
   Odoo has never seen are read whole (`order_by_id`) and imported, each in its own savepoint, so a broken
   order is listed and the others go on. A dry run imports nothing.
2. Once the whole result is processed, each report compares Shopify with Odoo and turns green or red.

Context keys (the "Run reconciliation now" wizard): `shopify_reconcile_dry_run` (report only) and
`shopify_reconcile_parts` (a list among "products", "inventory", "orders"; absent = all).
"""

import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services import completeness, documents
from ..services.errors import ShopifyError
from ..services.mapping.orders import timestamp
from .shopify_access import USER, check_shopify_access

_logger = logging.getLogger(__name__)

BULK_KIND = "order_reconcile"
BULK_DOCUMENT = "bulk_orders_window"
MAX_WINDOW_DAYS = 60
FAILED_BULK_STATUSES = ("failed", "canceled", "expired")


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    order_reconcile_days = fields.Integer(
        string="Reconciliation Window (days)",
        default=completeness.DEFAULT_WINDOW_DAYS,
        help="How many days of orders (today included, in the shop's timezone) the daily reconciliation "
        "compares with Shopify and backfills.",
    )
    completeness_report_ids = fields.One2many("shopify.completeness.report", "shop_id", string="Completeness")
    completeness_report_count = fields.Integer(compute="_compute_completeness_report_count")
    completeness_red_count = fields.Integer(
        compute="_compute_completeness_report_count", string="Incomplete Days"
    )

    @api.constrains("order_reconcile_days")
    def _check_order_reconcile_days(self):
        for shop in self:
            if not 1 <= shop.order_reconcile_days <= MAX_WINDOW_DAYS:
                raise ValidationError(
                    _("The reconciliation window must be between 1 and %s days.", MAX_WINDOW_DAYS)
                )

    def _compute_completeness_report_count(self):
        Report = self.env["shopify.completeness.report"]
        counts = dict(Report._read_group([("shop_id", "in", self.ids)], ["shop_id"], ["__count"]))
        red = dict(
            Report._read_group(
                [("shop_id", "in", self.ids), ("state", "in", ("red", "error"))], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.completeness_report_count = counts.get(shop, 0)
            shop.completeness_red_count = red.get(shop, 0)

    def _completeness_currency(self):
        """The currency of Shopify's shop money: the shop's, else the company's."""
        self.ensure_one()
        currency = self.env["res.currency"]
        if self.currency_code_remote:
            currency = currency.with_context(active_test=False).search(
                [("name", "=", self.currency_code_remote)], limit=1
            )
        return currency or self.company_id.currency_id

    # ------------------------------------------------------------------------------------------------
    # The hook
    # ------------------------------------------------------------------------------------------------
    def _reconcile_part_orders(self):
        """The orders part of the daily reconciliation: start the completeness check of the window."""
        if self.state == "draft":  # never connected: no credentials to read orders with yet
            return {}
        started, failed = self._order_reconcile_start(dry_run=self._reconcile_dry_run())
        return {"ok": started, "failed": failed}

    def _order_reconcile_start(self, dry_run=False, now=None):
        """Reset the window's reports and start the bulk query; returns (days started, days failed).

        A refusal (bulk concurrency limit, API error) marks the window's reports as failed checks.
        """
        self.ensure_one()
        zone = completeness.shop_zone(self.timezone_remote)
        days = completeness.window_days(now or fields.Datetime.now(), zone, self.order_reconcile_days)
        reports = (
            self.env["shopify.completeness.report"].sudo()._prepare_window(self, days, zone.key, dry_run)
        )
        query = completeness.with_search_query(
            documents.text(BULK_DOCUMENT),
            "orders",
            completeness.search_query(completeness.day_start_utc(days[0], zone)),
        )
        try:
            with self.env.cr.savepoint():
                operation = (
                    self.env["shopify.bulk.operation"]
                    .sudo()
                    ._start_query(self, BULK_KIND, BULK_DOCUMENT, query_text=query)
                )
        except (ShopifyError, UserError) as error:
            _logger.warning(
                "Shopify shop %s: order reconciliation could not start (%s)", self.id, type(error).__name__
            )
            reports._mark_error(_("The bulk query could not start: %s", error))
            return 0, len(reports)
        reports.write({"bulk_operation_id": operation.id})
        _logger.info(
            "Shopify shop %s: order reconciliation of %s to %s started (%s%s)",
            self.id,
            days[0],
            days[-1],
            operation.operation_gid,
            ", dry run" if dry_run else "",
        )
        return len(reports), 0

    def action_view_completeness_reports(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_completeness_report"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    completeness_report_ids = fields.One2many(
        "shopify.completeness.report", "bulk_operation_id", string="Completeness Reports"
    )

    def _bulk_process_order_reconcile(self, batch):
        """Record the batch's orders on their day's report and backfill the ones Odoo lacks."""
        reports = self.completeness_report_ids.filtered(lambda report: report.state == "pending")
        if not reports:  # a newer check took the window over
            return 0
        by_day = {report.day: report for report in reports}
        zone = completeness.shop_zone(reports[0].timezone)
        by_report = defaultdict(dict)
        for node in batch:
            processed_at = timestamp(node.get("processedAt")) if not node.get("__orphan") else None
            report = by_day.get(completeness.local_day(processed_at, zone)) if processed_at else None
            if report is None or not node.get("id"):
                continue
            money = (node.get("totalPriceSet") or {}).get("shopMoney") or {}
            by_report[report][node["id"]] = [node.get("name"), money.get("amount") or "0"]
        gids = [gid for orders in by_report.values() for gid in orders]
        known = set(
            self.env["shopify.order.binding"]
            .sudo()
            .search([("shop_id", "=", self.shop_id.id), ("shopify_gid", "in", gids)])
            .mapped("shopify_gid")
        )
        for report, orders in by_report.items():
            report._add_shopify_orders(orders)
            missing = [gid for gid in orders if gid not in known]
            if missing and not report.dry_run:
                report._add_backfill_results({gid: self._backfill_order(gid) for gid in missing})
        return len(batch)

    def _backfill_order(self, gid):
        """Read one order whole and import it in a savepoint: None when imported, else the error text."""
        shop = self.shop_id
        try:
            with self.env.cr.savepoint():
                data = shop._shopify_client().execute("order_by_id", {"id": gid})
                if not data.get("order"):
                    return _("No longer exists on Shopify.")
                self.env["shopify.order.import"]._import_graphql(shop, data["order"])
        except Exception as error:  # one broken order is listed, never stops the others
            _logger.warning(
                "Shopify shop %s: backfill of order %s failed (%s)", shop.id, gid, type(error).__name__
            )
            return f"{type(error).__name__}: {error}"
        return None

    def _bulk_done_order_reconcile(self):
        """Once the whole result is processed (the runner calls it once, also after a resume)."""
        self.completeness_report_ids.filtered(lambda report: report.state == "pending")._finalize()

    def _bulk_refreshed_order_reconcile(self):
        if self.status in FAILED_BULK_STATUSES:
            pending = self.completeness_report_ids.filtered(lambda report: report.state == "pending")
            pending._mark_error(
                _(
                    "The bulk query ended %(status)s (%(error)s): run the reconciliation again.",
                    status=self.status,
                    error=self.error_code or self.error_message or "-",
                )
            )
