"""Per Shopify resource, the newest `updated_at` applied so far: the out-of-order guard of the queue.

Shopify guarantees no delivery order, so a job about a resource older than what was already applied
is skipped instead of overwriting newer data.
"""

from odoo import api, fields, models

from ...services import lock_wait


class ShopifyResourceMark(models.Model):
    _name = "shopify.resource.mark"
    _description = "Shopify Resource High-Water Mark"
    _rec_name = "resource_gid"

    shop_id = fields.Many2one("shopify.shop", required=True, index=True, ondelete="cascade")
    resource_gid = fields.Char(required=True)
    updated_at = fields.Datetime(required=True)

    _sql_constraints = [
        ("resource_unique", "unique(shop_id, resource_gid)", "One mark per Shopify resource."),
    ]

    @api.model
    def _lock(self, shop, resource_gid):
        """The mark of this resource (or empty), with the resource locked until the end of the transaction.

        A transaction-level advisory lock on (shop, resource) also covers a resource without a mark
        yet: two workers applying jobs of one resource run one after the other, and the second one
        sees what the first applied.
        """
        with lock_wait.waiting():
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                [shop.id, f"shopify.resource:{resource_gid}"],
            )
        self.env.cr.execute(
            "SELECT id FROM shopify_resource_mark WHERE shop_id = %s AND resource_gid = %s",
            [shop.id, resource_gid],
        )
        row = self.env.cr.fetchone()
        mark = self.browse(row[0]) if row else self.browse()
        mark.invalidate_recordset(["updated_at"])
        return mark

    @api.model
    def _advance(self, shop, resource_gid, updated_at):
        """Move the mark forward to `updated_at` (never backward)."""
        self.env.cr.execute(
            """
            INSERT INTO shopify_resource_mark (shop_id, resource_gid, updated_at, create_date, write_date)
            VALUES (%(shop)s, %(gid)s, %(at)s, now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (shop_id, resource_gid) DO UPDATE
               SET updated_at = GREATEST(shopify_resource_mark.updated_at, EXCLUDED.updated_at),
                   write_date = EXCLUDED.write_date
            """,
            {"shop": shop.id, "gid": resource_gid, "at": updated_at},
        )
        self.invalidate_model(["updated_at"])
