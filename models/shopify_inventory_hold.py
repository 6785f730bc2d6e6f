"""Holds: a Shopify-side change left "To count in Odoo" keeps Odoo's number off that pair until counted.

A change on a lot/serial-tracked product that cannot be applied safely is recorded with outcome
`manual` and its quants are marked to count. Pushing Odoo's (uncounted) number over it would silently
undo what happened on Shopify, so the (variant, Shopify location) level is held: pushes and
reconciliations skip it. The hold ends when the count is applied in Odoo (the quants' inventory
adjustment moves the stock) or when a manager dismisses the change; the level is then pushed.
"""

import logging

from odoo import _, api, fields, models

from .shopify_access import MANAGER, check_shopify_access

_logger = logging.getLogger(__name__)

HOLD_STATES = [
    ("held", "Held: to count in Odoo"),
    ("counted", "Counted in Odoo"),
    ("dismissed", "Dismissed"),
]


class ShopifyInventoryChange(models.Model):
    _inherit = "shopify.inventory.change"

    hold_state = fields.Selection(
        HOLD_STATES,
        readonly=True,
        index="btree_not_null",
        help="For a change left to count: Odoo's quantity is not pushed to this variant and location "
        "until the count is applied in Odoo or the change is dismissed.",
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


class ShopifyInventoryLevel(models.Model):
    _inherit = "shopify.inventory.level"

    hold_change_id = fields.Many2one(
        "shopify.inventory.change",
        string="Held By",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="A Shopify-side change still to count in Odoo: Odoo's quantity is not pushed here until the "
        "count is applied in Odoo (Inventory › Physical Inventory) or the change is dismissed.",
    )
    hold_change_ids = fields.One2many("shopify.inventory.change", "level_id", string="Shopify Changes")

    def _hold_advice(self):
        """What to do about a held level, for reports."""
        self.ensure_one()
        change = self.hold_change_id
        return _(
            "held since Shopify changed it from %(before)s to %(after)s: count it in Odoo (Inventory › "
            "Physical Inventory, filter “To Count”) and apply the count, or dismiss the change (Shopify › "
            "Inventory › Changes Made On Shopify) to push Odoo's quantity.",
            before=change.quantity_before,
            after=change.quantity_after,
        )

    def _held_delta_outcome(self, delta):
        """A further change on a pair still to count is counted with it: applying it now would adjust
        stock that nobody has checked yet. The outcome for `_apply_delta_to_odoo`."""
        return (
            "manual",
            self.env["stock.move"],
            _(
                "Shopify changed %(product)s by %(delta)+d while an earlier change there is still to "
                "count in Odoo: count it (Inventory › Physical Inventory, filter “To Count”) and apply "
                "the count.",
                product=self.product_id.display_name,
                delta=delta,
            ),
        )

    def _release_hold(self, outcome="dismissed"):
        """End the holds of these levels and push Odoo's quantity to them."""
        if not self:
            return
        open_changes = self.hold_change_ids.filtered(lambda change: change.hold_state == "held")
        open_changes.write({"hold_state": outcome, "released_at": fields.Datetime.now()})
        self.write({"hold_change_id": False, "needs_push": True})
        _logger.info("Shopify inventory: %d held level(s) released (%s)", len(self), outcome)
        for shop in self.shop_id:
            shop._enqueue_inventory_sync()

    @api.model
    def _release_counted(self, product_location_pairs):
        """Release the held levels whose product was counted at (or below) their mapped Odoo location."""
        pairs = set(product_location_pairs)
        if not pairs:
            return
        held = self.sudo().search(
            [("hold_change_id", "!=", False), ("product_id", "in", list({p for p, _loc in pairs}))]
        )
        paths = {
            location.id: location.parent_path or ""
            for location in self.env["stock.location"].sudo().browse({loc for _p, loc in pairs})
        }

        def counted_there(level):
            mapped = level.location_id.stock_location_id
            return mapped and any(
                product_id == level.product_id.id and paths[location_id].startswith(mapped.parent_path)
                for product_id, location_id in pairs
            )

        counted = held.filtered(counted_there)
        counted._release_hold("counted")


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _apply_inventory(self):
        pairs = [
            (quant.product_id.id, quant.location_id.id)
            for quant in self
            if quant.location_id.usage == "internal"
        ]
        result = super()._apply_inventory()
        # Our own adjustment of a Shopify change is not a count by a person.
        if not self.env.context.get("shopify_remote_adjust"):
            self.env["shopify.inventory.level"]._release_counted(pairs)
        return result
