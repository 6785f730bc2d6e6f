"""Products seen from Shopify: bindings on templates and variants, and change tracking for export.

A write that touches a mapped field of a bound product compares the product with the binding's last
synced snapshot and marks the binding for export only when a value really differs. Writes made by an
import carry the `shopify_import` context key and are never tracked (echo suppression).
"""

from odoo import models


class ProductTemplateAttributeValue(models.Model):
    _inherit = "product.template.attribute.value"

    def write(self, vals):
        result = super().write(vals)
        if "price_extra" in vals and not self.env.context.get("shopify_import"):
            self.product_tmpl_id._shopify_track_changes()
        return result
