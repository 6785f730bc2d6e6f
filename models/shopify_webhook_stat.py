"""Counters of webhook deliveries that left no event row: rejected, duplicate, or purged by the autovacuum.

One row per (kind, key, shop), incremented in place by the database, so counts from every worker and
server add up and survive restarts (the metrics endpoint reads them).
"""

from odoo import api, fields, models

STAT_KINDS = [
    ("rejected", "Rejected"),
    ("duplicate", "Duplicate"),
    ("purged", "Purged by retention"),
]


class ShopifyWebhookStat(models.Model):
    _name = "shopify.webhook.stat"
    _description = "Shopify Webhook Counter"
    _order = "kind, key"

    kind = fields.Selection(STAT_KINDS, required=True, readonly=True)
    key = fields.Char(required=True, readonly=True, help="The rejection reason, or the topic.")
    shop_id = fields.Many2one("shopify.shop", index=True, ondelete="cascade", readonly=True)
    count = fields.Integer(readonly=True)

    def init(self):
        # Rejected requests often have no shop: NULL shops share one counter per reason.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS shopify_webhook_stat_key_uniq
                ON shopify_webhook_stat (kind, key, COALESCE(shop_id, 0))
            """
        )

    @api.model
    def _increment(self, kind, key, shop=None, count=1):
        self.env.cr.execute(
            """
            INSERT INTO shopify_webhook_stat (kind, key, shop_id, count, create_date, write_date)
            VALUES (%(kind)s, %(key)s, %(shop)s, %(count)s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (kind, key, COALESCE(shop_id, 0))
            DO UPDATE SET count = shopify_webhook_stat.count + EXCLUDED.count,
                          write_date = EXCLUDED.write_date
            """,
            {"kind": kind, "key": key, "shop": shop.id if shop else None, "count": count},
        )
