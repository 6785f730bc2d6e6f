"""The shop's dashboard and Health tab: queue, failures, last syncs and webhooks, API cost, orders per
day and their completeness.
"""

import json
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ...services import dashboard_charts, timestamps
from ...services.completeness import shop_zone, window_days
from ..core.access import MANAGER, USER, check_shopify_access
from .health import SUMMARY_DAYS

TOP_FAILURES = 5
# The dashboard's inline charts: how far back each looks.
CHART_ORDER_DAYS = 14
CHART_HOURS = 24


def format_age(delta):
    """A short readable age: '45 s', '12 min', '3 h 05 min', '2 d 4 h'."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


API_FIELDS = (
    "health_api_last_success_at",
    "health_api_last_error",
    "health_api_last_error_at",
    "health_api_hint",
    "health_bucket_available",
    "health_bucket_maximum",
    "health_bucket_percent",
    "health_bucket_at",
)


def _api_hint(calls):
    if not calls:
        return _("No API call yet: click Test connection on the Setup tab.")
    return _(
        "The last API call failed: check the access token and the shop domain on the Connection tab, "
        "then click Test connection."
    )


def _datetime(iso):
    """The health JSON's '2026-01-02T03:04:05Z' back to a naive UTC datetime."""
    return timestamps.parse(iso) or False


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    # ------------------------------------------------------------------------------------------------
    # Dashboard: counts per shop (the kanban card and the dashboard form)
    # ------------------------------------------------------------------------------------------------
    dash_jobs_pending = fields.Integer(compute="_compute_dash_queue", string="Queue: Pending")
    dash_jobs_running = fields.Integer(compute="_compute_dash_queue", string="Queue: Running")
    dash_jobs_failed = fields.Integer(compute="_compute_dash_queue", string="Queue: Failed")
    dash_jobs_done_24h = fields.Integer(compute="_compute_dash_queue", string="Jobs Done (24 h)")
    dash_oldest_pending_at = fields.Datetime(compute="_compute_dash_queue", string="Oldest Pending Since")
    dash_oldest_pending_age = fields.Char(compute="_compute_dash_queue", string="Oldest Pending Age")
    dash_failure_ids = fields.Many2many(
        "shopify.dashboard.failure", compute="_compute_dash_failures", string="Top Failure Reasons"
    )
    dash_failure_summary = fields.Text(compute="_compute_dash_failures", string="Top Failures")
    dash_sync_kind_ids = fields.One2many(
        "shopify.dashboard.sync.kind", "shop_id", string="Last Sync per Kind"
    )
    dash_webhook_topic_ids = fields.One2many(
        "shopify.dashboard.webhook.topic", "shop_id", string="Last Webhook per Topic"
    )
    dash_api_calls_24h = fields.Integer(compute="_compute_dash_api", string="API Calls (24 h)")
    dash_api_cost_24h = fields.Float(compute="_compute_dash_api", string="API Cost Used (24 h)")
    dash_api_bucket_min_24h = fields.Float(compute="_compute_dash_api", string="Lowest Bucket (24 h)")
    dash_product_count = fields.Integer(compute="_compute_dash_catalog", string="Products Linked")
    dash_variant_count = fields.Integer(compute="_compute_dash_catalog", string="Variants Linked")
    dash_stock_level_count = fields.Integer(compute="_compute_dash_catalog", string="Stock Levels Synced")
    dash_stock_pending_count = fields.Integer(compute="_compute_dash_catalog", string="Stock Levels To Push")
    dash_stock_oldest_waiting_age = fields.Char(
        compute="_compute_dash_catalog",
        string="Oldest Stock Change Waiting",
        help="How long the oldest Odoo stock change not yet on Shopify has waited (held pairs excluded).",
    )
    dash_stock_held_count = fields.Integer(
        compute="_compute_dash_catalog",
        string="Stock Levels Held",
        help="Shopify changed the stock of a lot/serial-tracked product: count it in Odoo (Inventory › "
        "Physical Inventory) or dismiss the change in Shopify › Inventory › Changes Made On Shopify.",
    )
    dash_conflict_count = fields.Integer(
        compute="_compute_dash_catalog", string="Conflicts Awaiting Decision"
    )
    dash_orders_7d = fields.Integer(compute="_compute_dash_orders", string="Orders (7 days)")
    dash_orders_imported_7d = fields.Integer(compute="_compute_dash_orders", string="Imported (7 days)")
    dash_orders_held = fields.Integer(compute="_compute_dash_orders", string="Orders Held")
    dash_orders_review = fields.Integer(compute="_compute_dash_orders", string="Orders To Review")
    dash_orders_completeness = fields.Float(
        compute="_compute_dash_orders",
        string="Order Completeness (7 days, %)",
        help="Share of the orders received in the last 7 days that became sale orders.",
    )

    # Inline charts on the dashboard form (widget dashboard_graph: JSON of one series).
    dash_chart_orders = fields.Text(
        compute="_compute_dash_charts",
        string="Orders per Day Chart",
        help="Shopify orders received per day over the last 14 days (your timezone).",
    )
    dash_chart_queue = fields.Text(
        compute="_compute_dash_charts",
        string="Queue Backlog Chart",
        help="Jobs waiting or running at each hour of the last 24 hours.",
    )
    dash_chart_api_cost = fields.Text(
        compute="_compute_dash_charts",
        string="API Cost per Hour Chart",
        help="Shopify API cost points charged per hour over the last 24 hours.",
    )

    def _dash_count(self, model, domain):
        """Count in a model of the addon, whatever the user's access to it (the dashboard shows totals)."""
        return self.env[model].sudo().search_count(domain)

    def _compute_dash_queue(self):
        Job = self.env["shopify.queue.job"].sudo()
        now = fields.Datetime.now()
        since = now - timedelta(hours=24)
        for shop in self:
            counts = dict(Job._read_group([("shop_id", "=", shop.id)], ["state"], ["__count"]))
            shop.dash_jobs_pending = counts.get("pending", 0)
            shop.dash_jobs_running = counts.get("running", 0)
            shop.dash_jobs_failed = counts.get("failed", 0) + counts.get("dead", 0)
            shop.dash_jobs_done_24h = Job.search_count(
                [("shop_id", "=", shop.id), ("state", "=", "done"), ("finished_at", ">=", since)]
            )
            oldest = Job.search(
                [("shop_id", "=", shop.id), ("state", "=", "pending")], order="create_date, id", limit=1
            )
            shop.dash_oldest_pending_at = oldest.create_date
            shop.dash_oldest_pending_age = format_age(now - oldest.create_date) if oldest else False

    def _compute_dash_failures(self):
        Failure = self.env["shopify.dashboard.failure"].sudo()
        for shop in self:
            top = Failure.search([("shop_id", "=", shop.id)], limit=TOP_FAILURES)
            shop.dash_failure_ids = top
            shop.dash_failure_summary = "\n".join(
                f"{row.job_count} × {row.kind}: {row.reason}" for row in top
            )

    def _compute_dash_api(self):
        since = fields.Datetime.now() - timedelta(hours=24)
        Call = self.env["shopify.api.call"].sudo()
        for shop in self:
            [(count, cost, lowest)] = Call._read_group(
                [("shop_id", "=", shop.id), ("called_at", ">=", since)],
                [],
                ["__count", "actual_cost:sum", "available_after:min"],
            )
            shop.dash_api_calls_24h = count
            shop.dash_api_cost_24h = cost or 0.0
            shop.dash_api_bucket_min_24h = lowest or 0.0

    def _compute_dash_charts(self):
        now = fields.Datetime.now()
        tz = self.env.user.tz or "UTC"
        hours = dashboard_charts.hour_starts(now, CHART_HOURS)
        today = fields.Datetime.context_timestamp(self, now).date()
        order_days = dashboard_charts.days(today, CHART_ORDER_DAYS)

        def hour_label(hour):
            return fields.Datetime.context_timestamp(self, hour).strftime("%H:%M")

        for shop in self:
            orders = dict(self._dash_sql(self._CHART_ORDERS_SQL, shop, tz=tz, since=order_days[0]))
            shop.dash_chart_orders = dashboard_charts.bar_chart(
                _("Orders"),
                [
                    (format_date(self.env, day, date_format="dd MMM"), count)
                    for day, count in dashboard_charts.fill(order_days, orders)
                ],
            )
            backlog = dict(self._dash_sql(self._CHART_BACKLOG_SQL, shop, points=[*hours[1:], now]))
            shop.dash_chart_queue = dashboard_charts.line_chart(
                _("Jobs waiting"),
                [
                    (hour_label(point), count)
                    for point, count in dashboard_charts.fill([*hours[1:], now], backlog)
                ],
            )
            cost = dict(self._dash_sql(self._CHART_API_COST_SQL, shop, since=hours[0]))
            shop.dash_chart_api_cost = dashboard_charts.bar_chart(
                _("API cost"),
                [
                    (hour_label(hour), round(points or 0.0, 1))
                    for hour, points in dashboard_charts.fill(hours, cost)
                ],
            )

    # Orders received per day, in the viewer's timezone.
    _CHART_ORDERS_SQL = """
        SELECT (create_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day, count(*)
          FROM shopify_order_binding
         WHERE shop_id = %(shop)s AND create_date >= %(since)s::date - interval '1 day'
         GROUP BY 1
    """
    # At each point in time, the jobs created before it and not finished yet (waiting or running).
    _CHART_BACKLOG_SQL = """
        SELECT point, count(job.id)
          FROM unnest(%(points)s::timestamp[]) AS point
          LEFT JOIN shopify_queue_job job
                 ON job.shop_id = %(shop)s
                AND job.create_date <= point
                AND (job.finished_at IS NULL OR job.finished_at > point)
         GROUP BY point
    """
    # Cost points Shopify charged, per UTC hour (what the bucket refills by the hour).
    _CHART_API_COST_SQL = """
        SELECT date_trunc('hour', called_at) AS hour, sum(actual_cost)
          FROM shopify_api_call
         WHERE shop_id = %(shop)s AND called_at >= %(since)s
         GROUP BY 1
    """

    def _dash_sql(self, query, shop, **params):
        """Rows of one of the chart queries for `shop` (totals: whatever the user's access to the rows)."""
        self.env.flush_all()
        self.env.cr.execute(query, {"shop": shop.id, **params})
        return self.env.cr.fetchall()

    def _compute_dash_catalog(self):
        now = fields.Datetime.now()
        waiting = self.env["shopify.inventory.level"].sudo()._oldest_waiting(self._origin.ids)
        for shop in self:
            since = waiting.get(shop._origin.id)
            shop.dash_stock_oldest_waiting_age = format_age(now - since) if since else False
            shop_domain = [("shop_id", "=", shop.id)]
            shop.dash_product_count = self._dash_count("shopify.product.binding", shop_domain)
            shop.dash_variant_count = self._dash_count("shopify.variant.binding", shop_domain)
            # Synced: Shopify's quantity is known (read or pushed) and no Odoo change waits for a push.
            shop.dash_stock_level_count = self._dash_count(
                "shopify.inventory.level",
                [
                    *shop_domain,
                    ("needs_push", "=", False),
                    "|",
                    ("pushed_at", "!=", False),
                    ("remote_known", "=", True),
                ],
            )
            shop.dash_stock_pending_count = self._dash_count(
                "shopify.inventory.level",
                [*shop_domain, ("needs_push", "=", True), ("hold_change_id", "=", False)],
            )
            # Held out of pushes until someone counts the stock in Odoo (a Shopify change on lots/serials).
            shop.dash_stock_held_count = self._dash_count(
                "shopify.inventory.level", [*shop_domain, ("hold_change_id", "!=", False)]
            )
            # Resolved by the shop's rule, not yet confirmed or overridden by someone.
            shop.dash_conflict_count = self._dash_count(
                "shopify.product.conflict", [*shop_domain, ("state", "=", "resolved")]
            )

    def _compute_dash_orders(self):
        since = fields.Datetime.now() - timedelta(days=7)
        for shop in self:
            shop_domain = [("shop_id", "=", shop.id)]
            recent = [*shop_domain, ("create_date", ">=", since)]
            total = self._dash_count("shopify.order.binding", recent)
            imported = self._dash_count("shopify.order.binding", [*recent, ("state", "=", "imported")])
            shop.dash_orders_7d = total
            shop.dash_orders_imported_7d = imported
            shop.dash_orders_completeness = 100.0 * imported / total if total else 100.0
            shop.dash_orders_held = self._dash_count(
                "shopify.order.binding", [*shop_domain, ("state", "=", "held")]
            )
            shop.dash_orders_review = self._dash_count(
                "shopify.order.binding", [*shop_domain, ("needs_review", "=", True)]
            )

    # ------------------------------------------------------------------------------------------------
    # Drill-downs
    # ------------------------------------------------------------------------------------------------
    def _dash_action(self, xmlid, name, domain, view_mode=None, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(
            {"name": f"{self.name}: {name}", "domain": domain, "context": context or {}, "target": "current"}
        )
        if view_mode:
            modes = view_mode.split(",")
            action["view_mode"] = view_mode
            action["views"] = [(False, mode) for mode in modes]
        return action

    def action_dash_queue(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_queue_job",
            _("Queue by state and kind"),
            [("shop_id", "=", self.id)],
            view_mode="pivot,graph,list,form",
        )

    def action_dash_pending(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_queue_job",
            _("Pending jobs"),
            [("shop_id", "=", self.id), ("state", "=", "pending")],
            view_mode="list,form",
        )

    def action_dash_failures(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_dashboard_failure",
            _("Failure reasons"),
            [("shop_id", "=", self.id)],
        )

    def action_dash_api(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_api_call",
            _("API budget, last 24 h"),
            [("shop_id", "=", self.id), ("called_at", ">=", fields.Datetime.now() - timedelta(hours=24))],
            view_mode="graph,pivot,list",
        )

    def action_dash_orders(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_order_binding",
            _("Orders per day, last 7 days"),
            [("shop_id", "=", self.id), ("create_date", ">=", fields.Datetime.now() - timedelta(days=7))],
            view_mode="graph,pivot,list,form",
        )

    def action_dash_products(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_product_binding",
            _("Products"),
            [("shop_id", "=", self.id)],
        )

    def action_dash_stock(self):
        check_shopify_access(self, USER)
        return self._dash_action(
            "shopify_sync.action_shopify_inventory_level",
            _("Stock levels"),
            [("shop_id", "=", self.id)],
        )

    def action_dash_conflicts(self):
        check_shopify_access(self, USER)
        action = self.env.ref("shopify_sync.action_shopify_product_conflict", raise_if_not_found=False)
        if not action:
            return False
        return self._dash_action(
            "shopify_sync.action_shopify_product_conflict",
            _("Conflicts awaiting a decision"),
            [("shop_id", "=", self.id), ("state", "=", "resolved")],
        )

    def action_open_dashboard(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Dashboard: %s", self.name),
            "res_model": "shopify.shop",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref("shopify_sync.shopify_shop_view_form_dashboard").id, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------------------------------------
    # Health tab: the snapshot of GET /shopify/health as readable fields (raw JSON in health_details)
    # ------------------------------------------------------------------------------------------------
    health_api_reachable = fields.Boolean(string="API Reachable", compute="_compute_health")
    health_pending_count = fields.Integer(string="Pending Jobs", compute="_compute_health")
    health_failed_count = fields.Integer(string="Failed Jobs", compute="_compute_health")
    health_dead_count = fields.Integer(string="Dead Jobs", compute="_compute_health")
    health_oldest_pending_age_s = fields.Integer(string="Oldest Pending (s)", compute="_compute_health")
    health_error_rate_1h = fields.Float(string="Error Rate (last hour)", compute="_compute_health")
    health_api_last_success_at = fields.Datetime(string="Last Successful Call", compute="_compute_health")
    health_api_last_error = fields.Char(string="Last Failed Call", compute="_compute_health")
    health_api_last_error_at = fields.Datetime(string="Last Failed Call At", compute="_compute_health")
    health_api_hint = fields.Char(string="What to Do (API)", compute="_compute_health")
    health_bucket_available = fields.Float(
        string="Cost Bucket Available", compute="_compute_health", help="Shopify's query cost points left."
    )
    health_bucket_maximum = fields.Float(string="Cost Bucket Size", compute="_compute_health")
    health_bucket_percent = fields.Float(string="Cost Bucket Left", compute="_compute_health")
    health_bucket_at = fields.Datetime(string="Bucket Read At", compute="_compute_health")
    health_details = fields.Text(
        string="Details (JSON)",
        compute="_compute_health",
        help="Last sync per kind, last webhook per topic, API bucket, as GET /shopify/health returns them.",
    )

    def _compute_health(self):
        Health = self.env["shopify.health"].sudo()
        shops = self.filtered("id")
        snapshot = Health._snapshot(shops)
        api_calls = Health._api_calls(shops.ids) if shops else {}
        for shop in self:
            health = snapshot.get(shop.id)
            if not health:
                shop.update(
                    {
                        "health_api_reachable": False,
                        "health_pending_count": 0,
                        "health_failed_count": 0,
                        "health_dead_count": 0,
                        "health_oldest_pending_age_s": 0,
                        "health_error_rate_1h": 0.0,
                        "health_details": False,
                        **dict.fromkeys(API_FIELDS, False),
                    }
                )
                continue
            queue = health["queue"]
            calls = api_calls.get(shop.id, {})
            bucket = calls.get("bucket") or {}
            shop.update(
                {
                    "health_api_reachable": health["api"]["reachable"],
                    "health_pending_count": queue["pending"],
                    "health_failed_count": queue["failed"],
                    "health_dead_count": queue["dead"],
                    "health_oldest_pending_age_s": queue["oldest_pending_age_s"] or 0,
                    "health_error_rate_1h": health["error_rate_1h"],
                    "health_details": json.dumps(
                        {
                            key: health[key]
                            for key in (
                                "api",
                                "last_sync",
                                "last_webhook",
                                "api_bucket",
                                "sync_latency_1h",
                                "records_per_minute_1h",
                            )
                        },
                        indent=2,
                        sort_keys=True,
                    ),
                    "health_api_last_success_at": calls.get("last_success_at"),
                    "health_api_last_error": calls.get("last_error"),
                    "health_api_last_error_at": calls.get("last_error_at"),
                    "health_api_hint": False if health["api"]["reachable"] else _api_hint(calls),
                    "health_bucket_available": bucket.get("available") or 0.0,
                    "health_bucket_maximum": bucket.get("maximum") or 0.0,
                    "health_bucket_percent": (
                        100.0 * (bucket.get("available") or 0.0) / bucket["maximum"]
                        if bucket.get("maximum")
                        else 0.0
                    ),
                    "health_bucket_at": _datetime(bucket.get("at")),
                }
            )

    def action_open_queue(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_queue_job")
        action["domain"] = [("shop_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------------------------------------
    # Dashboard: the order completeness panel (the reports of the last SUMMARY_DAYS days)
    # ------------------------------------------------------------------------------------------------
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
        return window_days(fields.Datetime.now(), shop_zone(self.timezone_remote), SUMMARY_DAYS)

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
