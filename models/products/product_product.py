"""Variants: their Shopify links and compare-at price; a write on a mapped variant field asks the template
to check for changes to export (writes with the `shopify_import` context key never do: echo suppression).
"""

from odoo import fields, models

from ..core.access import USER_GROUP

VARIANT_TRACKED_FIELDS = {
    "default_code",
    "barcode",
    "weight",
    "shopify_compare_at_price",
    "active",
    "image_1920",
    "image_variant_1920",
}


class ProductProduct(models.Model):
    _inherit = "product.product"

    shopify_compare_at_price = fields.Float(
        string="Compare-at Price",
        digits="Product Price",
        help="Shown struck through on Shopify (its compareAtPrice); 0 means none.",
    )
    shopify_variant_binding_ids = fields.One2many(
        "shopify.variant.binding",
        "product_id",
        string="Shopify Variant Links",
        groups=USER_GROUP,
    )

    def write(self, vals):
        result = super().write(vals)
        if VARIANT_TRACKED_FIELDS.intersection(vals) and not self.env.context.get("shopify_import"):
            self.product_tmpl_id._shopify_track_changes()
        return result
