"""Quantities changed on Shopify by someone else, as webhooks reported them, and what we did about it."""

from odoo import fields, models


class ShopifyInventoryChange(models.Model):
    _name = "shopify.inventory.change"
    _description = "Shopify-side Inventory Change"
    _order = "id desc"

    level_id = fields.Many2one(
        "shopify.inventory.level", required=True, ondelete="cascade", index=True, readonly=True
    )
    shop_id = fields.Many2one(related="level_id.shop_id", store=True, index=True)
    company_id = fields.Many2one(related="level_id.company_id", store=True, index=True)
    product_id = fields.Many2one(related="level_id.product_id", store=True)
    location_id = fields.Many2one(related="level_id.location_id", store=True, string="Shopify Location")
    quantity_before = fields.Integer(readonly=True, help="What Odoo last knew Shopify held.")
    quantity_after = fields.Integer(readonly=True)
    shopify_updated_at = fields.Char(readonly=True)
    outcome = fields.Selection(
        [
            ("overwritten", "Overwritten by Odoo"),
            ("applied", "Applied to Odoo"),
            ("manual", "To count in Odoo"),
            ("failed", "Not applied"),
        ],
        required=True,
        readonly=True,
    )
    stock_move_id = fields.Many2one("stock.move", string="Odoo Adjustment", readonly=True)
    note = fields.Text(readonly=True)
