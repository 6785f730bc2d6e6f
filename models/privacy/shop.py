"""The shop's privacy settings: who answers the customers' data requests."""

from odoo import fields, models


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    privacy_user_id = fields.Many2one(
        "res.users",
        string="Privacy Requests Handled By",
        help="Gets an activity for each customer data request of this shop (empty: every Shopify manager "
        "of the shop's company).",
    )
