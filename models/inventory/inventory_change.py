"""Quantities changed on Shopify by someone else, as webhooks reported them, and what we did about it.

A change that cannot be applied safely (lot/serial-tracked product) is left "To count in Odoo" and holds
its (variant, Shopify location) level until the count is applied or a manager dismisses it.
"""

from odoo import _, api, fields, models

from ..core.access import MANAGER, check_shopify_access

HOLD_STATES = [
    ("held", "Held: to count in Odoo"),
    ("counted", "Counted in Odoo"),
    ("dismissed", "Dismissed"),
]


class ShopifyInventoryChange(models.Model):
    _name = "shopify.inventory.change"
    _description = "Shopify-side Inventory Change"
    _order = "id desc"

    level_id = fields.Many2one(
        "shopify.inventory.level", required=True, ondelete="cascade", index=True, readonly=True
    )
    shop_id = fields.Many2one(related="level_id.shop_id", store=True, index=True, string="Shop")
    company_id = fields.Many2one(related="level_id.company_id", store=True, index=True)
    product_id = fields.Many2one(related="level_id.product_id", store=True)
    location_id = fields.Many2one(related="level_id.location_id", store=True, string="Shopify Location")
    quantity_before = fields.Integer(
        readonly=True, help="What Odoo last knew Shopify held.", string="Quantity Before"
    )
    quantity_after = fields.Integer(readonly=True, string="Quantity After")
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
        string="Outcome",
    )
    stock_move_id = fields.Many2one("stock.move", string="Odoo Adjustment", readonly=True)
    note = fields.Text(readonly=True, string="Note")

    # ------------------------------------------------------------------------------------------------
    # Holds: pushing Odoo's uncounted number would undo what happened on Shopify, so the level waits
    # for the count in Odoo (or a dismissal), then is pushed
    # ------------------------------------------------------------------------------------------------
    hold_state = fields.Selection(
        HOLD_STATES,
        readonly=True,
        index="btree_not_null",
        help="For a change left to count: Odoo's quantity is not pushed to this variant and location "
        "until the count is applied in Odoo or the change is dismissed.",
        string="Push Hold",
    )
    released_at = fields.Datetime(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("outcome") == "manual":
                vals.setdefault("hold_state", "held")
        changes = super().create(vals_list)
        for change in changes.filtered(lambda change: change.hold_state == "held"):
            change.level_id.sudo().hold_change_id = change
        return changes

    @api.depends("product_id", "location_id", "quantity_before", "quantity_after")
    def _compute_display_name(self):
        for change in self:
            change.display_name = _(
                "%(product)s @ %(location)s: %(before)s → %(after)s on Shopify",
                product=change.product_id.display_name,
                location=change.location_id.name,
                before=change.quantity_before,
                after=change.quantity_after,
            )

    def action_dismiss(self):
        """Odoo's quantity stands after all: release the hold and push it to Shopify (managers only)."""
        check_shopify_access(self, MANAGER)
        held = self.filtered(lambda change: change.hold_state == "held")
        held.sudo().write({"hold_state": "dismissed", "released_at": fields.Datetime.now()})
        for level in held.level_id.sudo():
            still_held = level.hold_change_ids.filtered(lambda change: change.hold_state == "held")
            if still_held:
                level.hold_change_id = still_held[:1]
            else:
                level._release_hold()
        return True
