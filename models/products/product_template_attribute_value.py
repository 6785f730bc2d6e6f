"""Attribute values: a changed price extra changes the variants' Shopify prices, so the template checks for
changes to export (not for writes with the `shopify_import` context key)."""

from odoo import models


class ProductTemplateAttributeValue(models.Model):
    _inherit = "product.template.attribute.value"

    def write(self, vals):
        result = super().write(vals)
        if "price_extra" in vals and not self.env.context.get("shopify_import"):
            self.product_tmpl_id._shopify_track_changes()
        return result
