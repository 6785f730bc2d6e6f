"""What the addon did for each of Shopify's privacy webhooks: one row per handled delivery, for the
record a merchant owes a customer or an authority. Managers read it; nobody edits it.

It names the customer by Shopify GID and Odoo record ids only: a log of an erasure must not keep what
was erased.
"""

from odoo import api, fields, models

from ..core.access import MANAGER_GROUP

PRIVACY_TOPICS = [
    ("customers/data_request", "Customer data request"),
    ("customers/redact", "Customer redaction"),
    ("shop/redact", "Shop redaction"),
]


class ShopifyPrivacyLog(models.Model):
    _name = "shopify.privacy.log"
    _description = "Shopify Privacy Log"
    _order = "id desc"
    _rec_name = "topic"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, index=True, ondelete="cascade", string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    topic = fields.Selection(
        PRIVACY_TOPICS, required=True, readonly=True, index=True, string="Privacy Webhook"
    )
    customer_gid = fields.Char(string="Shopify Customer GID", readonly=True, index=True)
    request_id = fields.Many2one(
        "shopify.privacy.request", readonly=True, ondelete="set null", string="Privacy Request"
    )
    webhook_event_id = fields.Many2one(
        "shopify.webhook.event", readonly=True, ondelete="set null", string="Webhook Delivery"
    )
    summary = fields.Text(
        readonly=True, groups=MANAGER_GROUP, help="What was done, in words.", string="What Was Done"
    )
    details = fields.Json(
        readonly=True, groups=MANAGER_GROUP, help="Counts and Odoo record ids.", string="Details"
    )

    @api.model
    def _record(self, shop, topic, summary, details=None, customer_gid=None, request=None, event=None):
        return self.sudo().create(
            {
                "shop_id": shop.id,
                "topic": topic,
                "summary": summary,
                "details": details or {},
                "customer_gid": customer_gid or False,
                "request_id": request.id if request else False,
                "webhook_event_id": event.id if event else False,
            }
        )
