"""What a full reconciliation found: how many (variant, location) pairs differed, and the largest gaps."""

from odoo import fields, models


class ShopifyInventoryDrift(models.Model):
    _name = "shopify.inventory.drift"
    _description = "Shopify Inventory Drift Report"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    create_date = fields.Datetime(string="Reconciled At", readonly=True)
    pairs_checked = fields.Integer(readonly=True)
    pairs_differed = fields.Integer(readonly=True)
    pairs_pushed = fields.Integer(readonly=True, help="Differences queued to be pushed to Shopify.")
    largest = fields.Json(readonly=True, help="The largest differences: pair, odoo, shopify, difference.")
    largest_text = fields.Text(string="Largest Differences", compute="_compute_largest_text")

    def _compute_display_name(self):
        for drift in self:
            drift.display_name = f"{drift.shop_id.name} · {drift.create_date or ''}"

    def _compute_largest_text(self):
        for drift in self:
            drift.largest_text = "\n".join(
                f"{item['pair']}: Odoo {item['odoo']}, Shopify "
                f"{'—' if item['shopify'] is None else item['shopify']} ({item['difference']:+d})"
                for item in drift.largest or []
            )
