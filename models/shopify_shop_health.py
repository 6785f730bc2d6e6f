"""The Health tab of the shop form: the same aggregate snapshot as GET /shopify/health."""

import json

from odoo import fields, models


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    health_api_reachable = fields.Boolean(string="API Reachable", compute="_compute_health")
    health_pending_count = fields.Integer(string="Pending Jobs", compute="_compute_health")
    health_failed_count = fields.Integer(string="Failed Jobs", compute="_compute_health")
    health_dead_count = fields.Integer(string="Dead Jobs", compute="_compute_health")
    health_oldest_pending_age_s = fields.Integer(string="Oldest Pending (s)", compute="_compute_health")
    health_error_rate_1h = fields.Float(string="Error Rate (last hour)", compute="_compute_health")
    health_details = fields.Text(
        string="Details",
        compute="_compute_health",
        help="Last sync per kind, last webhook per topic, API bucket.",
    )

    def _compute_health(self):
        snapshot = self.env["shopify.health"].sudo()._snapshot(self.filtered("id"))
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
                    }
                )
                continue
            queue = health["queue"]
            shop.update(
                {
                    "health_api_reachable": health["api"]["reachable"],
                    "health_pending_count": queue["pending"],
                    "health_failed_count": queue["failed"],
                    "health_dead_count": queue["dead"],
                    "health_oldest_pending_age_s": queue["oldest_pending_age_s"] or 0,
                    "health_error_rate_1h": health["error_rate_1h"],
                    "health_details": json.dumps(
                        {key: health[key] for key in ("api", "last_sync", "last_webhook", "api_bucket")},
                        indent=2,
                        sort_keys=True,
                    ),
                }
            )

    def action_open_queue(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_queue_job")
        action["domain"] = [("shop_id", "=", self.id)]
        return action
