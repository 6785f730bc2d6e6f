"""The Health tab of the shop form: the same aggregate snapshot as GET /shopify/health, as readable fields.

The last sync per kind and the last webhook per topic are the dashboard's tables (`dash_sync_kind_ids`,
`dash_webhook_topic_ids`); `health_details` keeps the raw JSON for the developer mode.
"""

import json

from odoo import _, fields, models

from ..services import timestamps
from .shopify_access import USER, check_shopify_access

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
                        {key: health[key] for key in ("api", "last_sync", "last_webhook", "api_bucket")},
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
