"""The numbers of a shop's operations dashboard (Shopify › Dashboard) and the views they open.

Counts come from the features' own tables; a feature that is not installed shows zero.
"""

from datetime import timedelta

from odoo import _, fields, models

from .shopify_access import USER, check_shopify_access

TOP_FAILURES = 5


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


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

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

    def _compute_dash_catalog(self):
        for shop in self:
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
