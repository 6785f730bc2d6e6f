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
            INSERT INTO shopify_inventory_pending (product_id, location_id)
            SELECT changed.product_id, changed.location_id
              FROM unnest(%s::int[], %s::int[]) AS changed(product_id, location_id)
             WHERE EXISTS (SELECT 1 FROM shopify_variant_binding binding
                            WHERE binding.product_id = changed.product_id AND binding.active)
            ON CONFLICT (product_id, location_id) DO NOTHING
            """,
            [list(product_ids), list(location_ids)],
        )
        if self.env.cr.rowcount:
            self._schedule_push()

    @api.model
    def _schedule_push(self):
        """Queue one debounced inventory sync per shop when this transaction commits.

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
        for shop in shops.filtered("active"):
            shop._enqueue_inventory_sync()

    @api.model
    def _consume(self):
        """Take every pending pair (rows other transactions still hold are left for the next run)."""
        self.env.cr.execute(
            """
            DELETE FROM shopify_inventory_pending
             WHERE id IN (SELECT id FROM shopify_inventory_pending FOR UPDATE SKIP LOCKED)
         RETURNING product_id, location_id
            """
        )
        return self.env.cr.fetchall()
