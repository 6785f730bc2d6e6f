"""Sale orders know the Shopify order they come from; lines know their Shopify line item."""

from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_gid = fields.Char(string="Shopify Line Item GID", copy=False, index="btree_not_null")
