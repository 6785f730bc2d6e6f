"""The order completeness report: one row per shop and day (in the shop's timezone).

The orders part of the reconciliation (reconcile/shop.py, reconcile/handlers.py) resets the rows of its
window to *pending*, fills in what Shopify holds while the bulk result is processed, then compares with
Odoo's bound sale orders and sets the row green or red. Re-running updates the same rows. A green day means:
every Shopify order of that day is in Odoo with the same total (the total the importer validates: Shopify's
`totalPriceSet` in shop money against the sale order's `amount_total`).
"""

from decimal import Decimal

from odoo import _, api, fields, models

from ...services import completeness
from ..core.access import USER, check_shopify_access

STATES = [
    ("pending", "Checking"),
    ("green", "Complete"),
    ("red", "Incomplete"),
    ("error", "Check failed"),
]


# The form shows at most this many orders per list; the JSON details keep all of them.
LISTED_ORDERS = 200


def _backfill_text(imported, failed):
    parts = []
    if imported:
        parts.append(_("Imported: %s", ", ".join(imported)))
    if failed:
        parts.append(_("Could not import:\n%s", completeness.format_entries(failed)))
    return "\n".join(parts) or False


def _listed(entries):
    if not entries:
        return False
    text = completeness.format_entries(entries[:LISTED_ORDERS])
    more = len(entries) - LISTED_ORDERS
    return f"{text}\n… {more} more (see the details)" if more > 0 else text


class ShopifyCompletenessReport(models.Model):
    _name = "shopify.completeness.report"
    _description = "Shopify Order Completeness Report"
    _order = "day desc, shop_id"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, ondelete="cascade", index=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    day = fields.Date(
        required=True, readonly=True, index=True, help="Calendar day in the shop's timezone.", string="Day"
    )
    timezone = fields.Char(
        readonly=True, help="The shop timezone the day was cut in.", string="Shop Timezone"
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    state = fields.Selection(
        STATES, default="pending", required=True, readonly=True, index=True, string="Result"
    )
    dry_run = fields.Boolean(
        string="Dry Run", readonly=True, help="Only reported: missing orders were not imported."
    )
    checked_at = fields.Datetime(string="Last Checked At", readonly=True)
    bulk_operation_id = fields.Many2one(
        "shopify.bulk.operation", readonly=True, ondelete="set null", string="Bulk Operation"
    )
    error_message = fields.Text(readonly=True, string="Error Message")

    shopify_count = fields.Integer(string="Shopify Orders", readonly=True)
    shopify_total = fields.Monetary(string="Shopify Total", readonly=True)
    odoo_count = fields.Integer(string="Odoo Orders", readonly=True)
    odoo_total = fields.Monetary(string="Odoo Total", readonly=True)
    difference_count = fields.Integer(
        string="Count Difference", readonly=True, help="Shopify orders minus Odoo orders."
    )
    difference_total = fields.Monetary(
        string="Total Difference", readonly=True, help="Shopify total minus Odoo total."
    )
    missing_count = fields.Integer(string="Missing", readonly=True)
    extra_count = fields.Integer(string="Extra", readonly=True)
    differing_count = fields.Integer(string="Differing", readonly=True)
    backfilled_count = fields.Integer(string="Backfilled", readonly=True)
    backfill_failed_count = fields.Integer(string="Backfill Failed", readonly=True)
    missing_orders = fields.Text(
        readonly=True,
        help="Shopify orders of the day with no sale order in Odoo (after the backfill).",
        string="Orders Missing in Odoo",
    )
    extra_orders = fields.Text(
        readonly=True,
        help="Sale orders Odoo dates on this day that Shopify lacks.",
        string="Orders Only in Odoo",
    )
    differing_orders = fields.Text(
        readonly=True, help="Orders whose Odoo total is not Shopify's.", string="Orders With Different Totals"
    )
    backfilled_orders = fields.Text(
        readonly=True,
        help="Orders this check imported, and the ones it could not.",
        string="Orders Backfilled",
    )
    details = fields.Json(readonly=True, help="The lists above, complete and machine-readable.")
    # Filled batch by batch while the bulk result is processed: {gid: [name, total]}, {gid: error or None}.
    shopify_orders = fields.Json(string="Orders Read From Shopify", readonly=True)
    backfill_results = fields.Json(string="Backfill Results", readonly=True)

    hint = fields.Char(
        compute="_compute_hint", string="What to Do", help="How to turn an incomplete or failed day green."
    )

    _sql_constraints = [
        ("shop_day_unique", "unique(shop_id, day)", "There is one completeness report per shop and day."),
    ]

    @api.depends("shop_id.name", "day")
    def _compute_display_name(self):
        for report in self:
            report.display_name = f"{report.shop_id.name} {report.day}" if report.day else report.shop_id.name

    @api.depends("state", "dry_run", "missing_count", "differing_count", "backfill_failed_count")
    def _compute_hint(self):
        for report in self:
            report.hint = report._what_to_do()

    def _what_to_do(self):
        """The admin's next step for a red or failed day; nothing for green or pending days."""
        self.ensure_one()
        again = _("then click “Check orders now” on the shop's dashboard (or wait for the nightly check).")
        if self.state == "error":
            return _(
                "The check itself failed (see the message): test the shop's connection; if Shopify already "
                "runs 5 bulk operations, wait for them to finish; %s",
                again,
            )
        if self.state != "red":
            return False
        steps = []
        if self.missing_count and self.dry_run:
            steps.append(_("Dry run: the missing orders were only listed; check again without dry run."))
        if self.backfill_failed_count:
            steps.append(
                _("Fix why the orders in the Backfilled tab could not be imported (the error names it).")
            )
        if self.missing_count and not self.dry_run and not self.backfill_failed_count:
            steps.append(
                _(
                    "Held orders name the mapping or product to fix (Shopify › Orders › Needing "
                    "Attention): fix it and Retry the order."
                )
            )
        if self.differing_count:
            steps.append(
                _(
                    "Orders in the Differing tab have another total in Odoo: open the sale order, correct "
                    "the lines, taxes or shipping to match Shopify."
                )
            )
        steps.append(again[:1].upper() + again[1:])
        return " ".join(steps)

    # ------------------------------------------------------------------------------------------------
    # A check: reset, fill, compare
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _prepare_window(self, shop, days, zone_name, dry_run):
        """The reports of `days` for `shop`, created or reset to pending (their previous figures dropped)."""
        existing = {
            report.day: report for report in self.search([("shop_id", "=", shop.id), ("day", "in", days)])
        }
        reset = {
            "state": "pending",
            "timezone": zone_name,
            "currency_id": shop._completeness_currency().id,
            "dry_run": bool(dry_run),
            "bulk_operation_id": False,
            "error_message": False,
            "shopify_orders": {},
            "backfill_results": {},
        }
        reports = self.browse()
        for day in days:
            report = existing.get(day) or self.create({"shop_id": shop.id, "day": day, **reset})
            report.write(reset)
            reports |= report
        return reports

    def _add_shopify_orders(self, orders):
        """Record Shopify orders of this day read from the bulk result ({gid: [name, total]})."""
        self.ensure_one()
        self.shopify_orders = {**(self.shopify_orders or {}), **orders}

    def _add_backfill_results(self, results):
        """{gid: None (imported) or the error text}."""
        self.ensure_one()
        self.backfill_results = {**(self.backfill_results or {}), **results}

    def _mark_error(self, message):
        self.write({"state": "error", "error_message": message, "checked_at": fields.Datetime.now()})

    def _finalize(self):
        """Compare what Shopify holds with Odoo's bound sale orders and set each report green or red."""
        Binding = self.env["shopify.order.binding"].sudo()
        for report in self:
            zone = completeness.shop_zone(report.timezone)
            start, end = completeness.day_bounds_utc(report.day, zone)
            shopify = {gid: tuple(value) for gid, value in (report.shopify_orders or {}).items()}
            # The day's Shopify orders wherever Odoo dates them, and whatever else Odoo dates on the day.
            bindings = Binding.search(
                [
                    ("shop_id", "=", report.shop_id.id),
                    "|",
                    ("shopify_gid", "in", list(shopify)),
                    "&",
                    ("shopify_processed_at", ">=", start),
                    ("shopify_processed_at", "<", end),
                ]
            )
            odoo, held = {}, {}
            for binding in bindings:
                if binding.sale_order_id:
                    odoo[binding.shopify_gid] = (
                        binding.name,
                        Decimal(str(binding.sale_order_id.amount_total)),
                    )
                else:
                    reason = (binding.hold_reason or "").split("\n")[0]
                    held[binding.shopify_gid] = _("held in Odoo: %s", reason) if reason else _("held in Odoo")
            rounding = Decimal(str(report.currency_id.rounding or 0.01))
            result = completeness.compare_day(shopify, odoo, held, rounding=rounding)
            backfill = report.backfill_results or {}
            imported = sorted(
                (shopify.get(gid, (gid,))[0] or gid) for gid, error in backfill.items() if not error
            )
            failed = [
                completeness._entry(gid, shopify.get(gid, (gid,))[0], None, None, error)
                for gid, error in sorted(backfill.items())
                if error
            ]
            report.write(
                {
                    "state": "green" if result.green else "red",
                    "checked_at": fields.Datetime.now(),
                    "shopify_count": result.shopify_count,
                    "shopify_total": float(result.shopify_total),
                    "odoo_count": result.odoo_count,
                    "odoo_total": float(result.odoo_total),
                    "difference_count": result.shopify_count - result.odoo_count,
                    "difference_total": float(result.shopify_total - result.odoo_total),
                    "missing_count": len(result.missing),
                    "extra_count": len(result.extra),
                    "differing_count": len(result.differing),
                    "backfilled_count": len(imported),
                    "backfill_failed_count": len(failed),
                    "missing_orders": _listed(result.missing),
                    "extra_orders": _listed(result.extra),
                    "differing_orders": _listed(result.differing),
                    "backfilled_orders": _backfill_text(imported, failed),
                    "details": {
                        "missing": result.missing,
                        "extra": result.extra,
                        "differing": result.differing,
                        "backfilled": sorted(gid for gid, error in backfill.items() if not error),
                        "backfill_failed": failed,
                    },
                }
            )

    # ------------------------------------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------------------------------------
    def action_open_day_orders(self):
        """The Shopify orders Odoo dates on this day."""
        check_shopify_access(self, USER)
        self.ensure_one()
        start, end = completeness.day_bounds_utc(self.day, completeness.shop_zone(self.timezone))
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_order_binding")
        action["domain"] = [
            ("shop_id", "=", self.shop_id.id),
            ("shopify_processed_at", ">=", start),
            ("shopify_processed_at", "<", end),
        ]
        action["context"] = {}
        return action
