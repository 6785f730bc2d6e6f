"""Counters of webhook deliveries that left no event row: rejected, duplicate, or purged by the autovacuum.

Append-only: each occurrence inserts a row, and readers sum them. Updating one shared counter row
instead would make concurrent requests conflict (Odoo runs REPEATABLE READ transactions: the losers
get serialization failures and are replayed with back-off, seconds per request under a burst). The
autovacuum folds old rows into one row per (kind, key, shop), so the table stays small; counts from
every worker and server add up and survive restarts (the metrics endpoint reads them).
"""

from datetime import timedelta

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

    kind = fields.Selection(STAT_KINDS, required=True, readonly=True, index=True)
    key = fields.Char(required=True, readonly=True, help="The rejection reason, or the topic.")
    shop_id = fields.Many2one("shopify.shop", index=True, ondelete="cascade", readonly=True)
    count = fields.Integer(readonly=True)

    def init(self):
        # Early versions kept one upserted row per key; that unique index would refuse appended rows.
        self.env.cr.execute("DROP INDEX IF EXISTS shopify_webhook_stat_key_uniq")

    @api.model
    def _increment(self, kind, key, shop=None, count=1):
        self.env.cr.execute(
            """
            INSERT INTO shopify_webhook_stat (kind, key, shop_id, count, create_date, write_date)
            VALUES (%(kind)s, %(key)s, %(shop)s, %(count)s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            """,
            {"kind": kind, "key": key, "shop": shop.id if shop else None, "count": count},
        )

    @api.model
    def _totals(self, shop_ids):
        """[(kind, key, shop_id or None, count)], counters without shop included."""
        self.env.cr.execute(
            """
            SELECT kind, key, shop_id, sum(count) FROM shopify_webhook_stat
             WHERE shop_id IS NULL OR shop_id = ANY(%s)
          GROUP BY kind, key, shop_id ORDER BY kind, key, shop_id NULLS FIRST
            """,
            [shop_ids],
        )
        return self.env.cr.fetchall()

    @api.autovacuum
    def _gc_fold_counters(self):
        """Fold rows older than an hour into one row per (kind, key, shop); totals are unchanged."""
        limit = fields.Datetime.now() - timedelta(hours=1)
        self.env.cr.execute(
            """
            WITH folded AS (
                DELETE FROM shopify_webhook_stat WHERE create_date < %s RETURNING kind, key, shop_id, count
            )
            INSERT INTO shopify_webhook_stat (kind, key, shop_id, count, create_date, write_date)
                 SELECT kind, key, shop_id, sum(count), %s, %s FROM folded GROUP BY kind, key, shop_id
            """,
            [limit, limit, limit],
        )
