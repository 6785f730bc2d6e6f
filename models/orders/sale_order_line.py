"""Sale order lines know their Shopify line item (fulfillments and the total check match
lines by it)."""

from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_gid = fields.Char(string="Shopify Line Item GID", copy=False, index="btree_not_null")
