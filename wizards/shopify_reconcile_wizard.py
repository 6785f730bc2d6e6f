"""“Run reconciliation now”: which parts, dry run or not; the run itself happens in the background."""

from odoo import _, fields, models

from ..models.core.access import MANAGER, check_shopify_access


class ShopifyReconcileWizard(models.TransientModel):
    _name = "shopify.reconcile.wizard"
    _description = "Shopify: Run Reconciliation Now"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", string="Shop")
    reconcile_products = fields.Boolean(string="Products", default=True)
    reconcile_inventory = fields.Boolean(string="Inventory", default=True)
    reconcile_orders = fields.Boolean(string="Orders", default=True)
    reconcile_customers = fields.Boolean(string="Customers", default=True)
    dry_run = fields.Boolean(
        help="Only report what differs: nothing is changed in Odoo or pushed to Shopify.",
        string="Dry Run",
    )

    def _parts(self):
        self.ensure_one()
        return [
            part
            for part, wanted in (
                ("products", self.reconcile_products),
                ("inventory", self.reconcile_inventory),
                ("orders", self.reconcile_orders),
                ("customers", self.reconcile_customers),
            )
            if wanted
        ]

    def action_run(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        self.shop_id._enqueue_reconcile_now(self._parts(), self.dry_run)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Reconciliation queued"),
                "message": _(
                    "It runs in the background; the shop form shows when it is running and its result "
                    "(refresh to update)."
                ),
                "type": "info",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
