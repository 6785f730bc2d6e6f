"""Stock hook: every quantity or reservation change of a quant marks its (variant, location) pair.

Moves done, inventory adjustments and reservations all end in quant writes or creations, so this
one hook sees them all.
"""

from odoo import api, models

WATCHED_FIELDS = frozenset({"quantity", "reserved_quantity", "product_id", "location_id"})


class StockQuant(models.Model):
    _inherit = "stock.quant"

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
