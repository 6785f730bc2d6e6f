"""Products seen from Shopify: bindings on templates and variants, and change tracking for export.

A write that touches a mapped field of a bound product compares the product with the binding's last
synced snapshot and marks the binding for export only when a value really differs. Writes made by an
import carry the `shopify_import` context key and are never tracked (echo suppression).
"""

from odoo import fields, models

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
        groups="shopify_sync.group_shopify_user",
    )

    def write(self, vals):
        result = super().write(vals)
        if VARIANT_TRACKED_FIELDS.intersection(vals) and not self.env.context.get("shopify_import"):
            self.product_tmpl_id._shopify_track_changes()
        return result
