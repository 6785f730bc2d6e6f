"""A field changed on both sides since the last sync: what each side had, the rule applied, who won."""

import json

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..core.access import MANAGER, check_shopify_access


class ShopifyProductConflict(models.Model):
    _name = "shopify.product.conflict"
    _description = "Shopify Product Conflict"
    _order = "create_date desc, id desc"

    binding_id = fields.Many2one("shopify.product.binding", required=True, ondelete="cascade", index=True)
    shop_id = fields.Many2one(related="binding_id.shop_id", store=True, index=True, string="Shop")
    company_id = fields.Many2one(related="binding_id.company_id", store=True, index=True)
    product_tmpl_id = fields.Many2one(related="binding_id.product_tmpl_id", store=True, string="Product")
    field_name = fields.Char(string="Field", required=True)
    scope = fields.Char(help="“product”, or the variant's option values.", string="Scope")
    odoo_value = fields.Char(help="JSON of the Odoo value", string="Odoo Value")
    shopify_value = fields.Char(help="JSON of the Shopify value", string="Shopify Value")
    policy = fields.Selection(
        [("odoo", "Odoo wins"), ("shopify", "Shopify wins"), ("newest", "Newest wins")],
        required=True,
        string="Policy",
    )
    winner = fields.Selection([("odoo", "Odoo"), ("shopify", "Shopify")], required=True, string="Kept Value")
    state = fields.Selection(
        [("resolved", "Resolved by rule"), ("overridden", "Losing value applied")],
        default="resolved",
        required=True,
        string="Status",
    )

    def _loser(self):
        return "shopify" if self.winner == "odoo" else "odoo"

    def action_apply_losing_value(self):
        """Make the losing value win after all: write it on the side that won."""
        check_shopify_access(self, MANAGER)
        for conflict in self:
            if conflict.state != "resolved":
                raise UserError(_("This conflict was already overridden."))
            loser = conflict._loser()
            value = json.loads(conflict.odoo_value if loser == "odoo" else conflict.shopify_value)
            flat = {(conflict.scope, conflict.field_name): value}
            binding = conflict.binding_id
            binding._shopify_apply_to_odoo(flat)
            # Odoo now holds the chosen value; if Shopify does not, change tracking exports it.
            binding._shopify_track_odoo_changes()
            conflict.state = "overridden"
        return True
