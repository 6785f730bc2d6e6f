"""Inventory facts of a bound variant: whether Shopify tracks its stock, and its levels."""

from odoo import fields, models


class ShopifyVariantBinding(models.Model):
    _inherit = "shopify.variant.binding"

    inventory_tracked = fields.Boolean(
        string="Stock Tracked On Shopify",
        default=True,
        help="Shopify only counts stock of tracked inventory items; untracked ones are never pushed. "
        "Refreshed whenever Odoo reads the item's levels.",
    )
    inventory_level_ids = fields.One2many(
        "shopify.inventory.level", "variant_binding_id", string="Stock Levels"
    )
