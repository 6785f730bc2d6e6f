"""The last delivery of each webhook topic per shop (a PostgreSQL view over the webhook inbox), shown on the
shop dashboard."""

from odoo import fields, models, tools

from ..core.access import USER, check_shopify_access


class ShopifyDashboardWebhookTopic(models.Model):
    """Per shop and topic: the last webhook delivery received and how many arrived in 24 hours."""

    _name = "shopify.dashboard.webhook.topic"
    _description = "Shopify Last Webhook per Topic"
    _auto = False
    _order = "shop_id, topic"
    _rec_name = "topic"

    shop_id = fields.Many2one("shopify.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    topic = fields.Char(readonly=True, string="Topic")
    last_received_at = fields.Datetime(readonly=True, string="Last Received At")
    count_24h = fields.Integer(string="Received (24 h)", readonly=True)
    problem_count = fields.Integer(string="Failed", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT min(event.id) AS id, event.shop_id, event.company_id, event.topic,
                   max(event.received_at) AS last_received_at,
                   count(*) FILTER (
                       WHERE event.received_at > (now() at time zone 'UTC') - interval '24 hours'
                   ) AS count_24h,
                   count(*) FILTER (WHERE event.state IN ('failed', 'dead')) AS problem_count
              FROM shopify_webhook_event event
             GROUP BY event.shop_id, event.company_id, event.topic
            """
        )

    def action_open_events(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_webhook_event")
        action["domain"] = [("shop_id", "=", self.shop_id.id), ("topic", "=", self.topic)]
        action["context"] = {}
        return action
