"""Sale orders know the Shopify order they come from (through its binding) and link to it in
Shopify's admin."""

from odoo import api, fields, models

from ..core.access import USER_GROUP


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # groups: a plain read() of the order (all fields) by a salesperson without a Shopify role must not
    # touch the binding model (Odoo's own sale tests do exactly that).
    shopify_binding_ids = fields.One2many(
        "shopify.order.binding",
        "sale_order_id",
        string="Shopify Orders",
        groups=USER_GROUP,
    )
    shopify_binding_id = fields.Many2one(
        "shopify.order.binding",
        compute="_compute_shopify_binding_id",
        string="Shopify Order",
        groups=USER_GROUP,
    )
    shopify_admin_url = fields.Char(compute="_compute_shopify_binding_id", string="Open in Shopify")

    @api.depends("shopify_binding_ids.admin_url")
    def _compute_shopify_binding_id(self):
        # Salespeople without a Shopify role confirm and deliver these orders too: read the link as sudo.
        for order in self:
            binding = order.sudo().shopify_binding_ids[:1]
            order.shopify_binding_id = binding.id
            order.shopify_admin_url = binding.admin_url
