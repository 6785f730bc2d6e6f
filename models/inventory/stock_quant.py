"""Holds: a Shopify-side change left "To count in Odoo" keeps Odoo's number off that pair until counted.

A change on a lot/serial-tracked product that cannot be applied safely is recorded with outcome
`manual` and its quants are marked to count. Pushing Odoo's (uncounted) number over it would silently
undo what happened on Shopify, so the (variant, Shopify location) level is held: pushes and
reconciliations skip it. The hold ends when the count is applied in Odoo (the quants' inventory
adjustment moves the stock) or when a manager dismisses the change; the level is then pushed.
"""
# Stock hook: every quantity or reservation change of a quant marks its (variant, location) pair.
#
# Moves done, inventory adjustments and reservations all end in quant writes or creations, so this
# one hook sees them all.

from odoo import api, models

WATCHED_FIELDS = frozenset({"quantity", "reserved_quantity", "product_id", "location_id"})


class StockQuant(models.Model):
    _inherit = "stock.quant"

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
        # Not a count by a person: it must not release a hold (models/shopify_inventory_hold.py).
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
