"""Quants tell the inventory sync what changed: every quantity or reservation change marks its
(variant, location) pair for the next push, and a count applied in Odoo releases the Shopify holds
on its pairs (see shopify.inventory.change)."""

from odoo import api, models

WATCHED_FIELDS = frozenset({"quantity", "reserved_quantity", "product_id", "location_id"})


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # ------------------------------------------------------------------------------------------------
    # Holds: a count applied in Odoo releases the levels held for it
    # ------------------------------------------------------------------------------------------------
    def _apply_inventory(self):
        pairs = [
            (quant.product_id.id, quant.location_id.id)
            for quant in self
            if quant.location_id.usage == "internal"
        ]
        result = super()._apply_inventory()
        # Our own adjustment of a Shopify change is not a count by a person.
        if not self.env.context.get("shopify_remote_adjust"):
            self.env["shopify.inventory.level"]._release_counted(pairs)
        return result

    # ------------------------------------------------------------------------------------------------
    # Change detection: moves done, inventory adjustments and reservations all end in quant writes or
    # creations, so this one hook sees them all
    # ------------------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        quants = super().create(vals_list)
        quants._shopify_mark_changed()
        return quants

    def write(self, vals):
        watched = WATCHED_FIELDS & set(vals)
        if watched and {"product_id", "location_id"} & watched:
            self._shopify_mark_changed()  # the pair the quant leaves changes too
        result = super().write(vals)
        if watched:
            self._shopify_mark_changed()
        return result

    def _shopify_mark_changed(self):
        self.env["shopify.inventory.pending"]._mark(
            (quant.product_id.id, quant.location_id.id)
            for quant in self
            if quant.location_id.usage == "internal"
        )

    def _shopify_adjust(self, quantity):
        """Set this quant's quantity with an inventory adjustment; returns its stock move."""
        self.ensure_one()
        # Not a count by a person: it must not release a hold (see shopify.inventory.change).
        quant = self.with_context(shopify_remote_adjust=True)
        quant.write({"inventory_quantity": quantity, "inventory_quantity_set": True})
        quant._apply_inventory()
        return (
            self.env["stock.move"]
            .sudo()
            .search(
                [("product_id", "=", self.product_id.id), ("is_inventory", "=", True)],
                order="id desc",
                limit=1,
            )
        )
