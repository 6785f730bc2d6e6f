"""Shopify customer ⇄ Odoo contact, per shop: the first and strongest rule of customer matching."""

from odoo import fields, models


class ShopifyCustomerBinding(models.Model):
    _name = "shopify.customer.binding"
    _description = "Shopify Customer Binding"
    _rec_name = "partner_id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    shopify_gid = fields.Char(string="Shopify Customer GID", required=True, index=True)

    _sql_constraints = [
        (
            "shopify_gid_unique",
            "unique(shop_id, shopify_gid)",
            "This Shopify customer is already linked to a contact for this shop.",
        ),
    ]
