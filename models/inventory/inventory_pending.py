"""Stock changes waiting to reach Shopify: one deduplicated row per (Odoo variant, Odoo location).

Stock hooks only insert here (one cheap statement, duplicates collapse), so the next push costs
O(changed pairs), never O(catalog). The push turns rows into `shopify.inventory.level` flags.
"""

from odoo import api, fields, models


class ShopifyInventoryPending(models.Model):
    _name = "shopify.inventory.pending"
    _description = "Shopify Inventory Change To Push"
    _log_access = False

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade", index=True)
    location_id = fields.Many2one("stock.location", required=True, ondelete="cascade")
    marked_at = fields.Datetime(
        readonly=True, help="The first change of this pair since the last push: how long it has waited."
    )

    _sql_constraints = [
        ("product_location_unique", "unique(product_id, location_id)", "This change is already recorded."),
    ]

    @api.model
    def _mark(self, pairs):
        """Record changed (product id, internal location id) pairs of products bound to a shop."""
        pairs = {(product_id, location_id) for product_id, location_id in pairs if product_id and location_id}
        if not pairs:
            return
        product_ids, location_ids = zip(*sorted(pairs), strict=True)
        self.env.cr.execute(
            """
            INSERT INTO shopify_inventory_pending (product_id, location_id, marked_at)
            SELECT changed.product_id, changed.location_id, %s::timestamp
              FROM unnest(%s::int[], %s::int[]) AS changed(product_id, location_id)
             WHERE EXISTS (SELECT 1 FROM shopify_variant_binding binding
                            WHERE binding.product_id = changed.product_id AND binding.active)
            ON CONFLICT (product_id, location_id) DO NOTHING
            """,
            [fields.Datetime.now(), list(product_ids), list(location_ids)],
        )
        if self.env.cr.rowcount:
            self._schedule_push()

    @api.model
    def _schedule_push(self):
        """Queue one debounced inventory sync per shop when this transaction commits
        (`shop._schedule_inventory_push`: due after the shop's push delay).

        The queue keeps a single pending `inventory_sync` job per shop, so a burst of stock moves
        becomes one push of everything that changed.
        """
        data = self.env.cr.precommit.data
        if data.get("shopify_inventory_sync_scheduled"):
            return
        data["shopify_inventory_sync_scheduled"] = True
        self.env.cr.precommit.add(self._enqueue_inventory_sync)

    @api.model
    def _enqueue_inventory_sync(self):
        self.env.cr.precommit.data.pop("shopify_inventory_sync_scheduled", None)
        shops = self.env["shopify.location"].sudo().search([("is_mapped", "=", True)]).shop_id
        shops._schedule_inventory_push()

    @api.model
    def _consume(self):
        """Take every pending pair (rows other transactions still hold are left for the next run).

        Returns [(product id, location id, marked at)]."""
        self.env.cr.execute(
            """
            DELETE FROM shopify_inventory_pending
             WHERE id IN (SELECT id FROM shopify_inventory_pending FOR UPDATE SKIP LOCKED)
         RETURNING product_id, location_id, marked_at
            """
        )
        return self.env.cr.fetchall()

    @api.model
    def _oldest_by_shop(self, shop_ids):
        """{shop id: when its oldest recorded change was made} for changes not yet turned into levels."""
        self.env.cr.execute(
            """
            SELECT shop_location.shop_id, min(pending.marked_at)
              FROM shopify_inventory_pending pending
              JOIN stock_location quant_location ON quant_location.id = pending.location_id
              JOIN shopify_location shop_location
                ON shop_location.is_mapped AND shop_location.active AND shop_location.shop_id = ANY(%s)
              JOIN stock_location mapped ON mapped.id = shop_location.stock_location_id
              JOIN shopify_variant_binding binding
                ON binding.product_id = pending.product_id
               AND binding.shop_id = shop_location.shop_id
               AND binding.active
             WHERE quant_location.parent_path LIKE mapped.parent_path || '%%'
          GROUP BY shop_location.shop_id
            """,
            [list(shop_ids)],
        )
        return dict(self.env.cr.fetchall())
