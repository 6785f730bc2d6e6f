"""The shop's sales channels (Shopify publications), and which of them products are published to."""

from odoo import fields, models


class ShopifyPublication(models.Model):
    _name = "shopify.publication"
    _description = "Shopify Sales Channel"
    _order = "shop_id, name, id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    name = fields.Char(required=True, string="Sales Channel")
    gid = fields.Char(string="Shopify Publication GID", required=True, index=True)
    publish_products = fields.Boolean(
        string="Publish Products Here",
        help="New products are published to this channel, and a product's “Published on Shopify” flag "
        "publishes it here or withdraws it.",
    )

    _sql_constraints = [
        ("shop_gid_unique", "unique(shop_id, gid)", "This sales channel is already listed for the shop."),
    ]
