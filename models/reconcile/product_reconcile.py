"""The report of one daily product reconciliation: counts, and one line per product that drifted, failed
or has no counterpart on the other side (what drifted, what was done).
"""

from odoo import fields, models

COUNT_FIELDS = (
    "checked_count",
    "in_sync_count",
    "pending_count",
    "drift_count",
    "conflict_count",
    "unbound_count",
    "gone_count",
    "unexported_count",
    "failed_count",
)


class ShopifyProductReconcile(models.Model):
    _name = "shopify.product.reconcile"
    _description = "Shopify Product Reconciliation"
    _order = "id desc"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, ondelete="cascade", index=True, readonly=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    sync_log_id = fields.Many2one("shopify.sync.log", string="Sync Run", ondelete="set null", readonly=True)
    bulk_operation_id = fields.Many2one(
        "shopify.bulk.operation", ondelete="set null", index=True, readonly=True, string="Bulk Operation"
    )
    dry_run = fields.Boolean(
        readonly=True, help="Only reported: no product, link or export was changed.", string="Dry Run"
    )
    state = fields.Selection(
        [("running", "Waiting for Shopify"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        required=True,
        readonly=True,
        string="Status",
    )
    ended_at = fields.Datetime(readonly=True, string="Ended At")
    error_message = fields.Text(readonly=True, string="Error Message")
    checked_count = fields.Integer(string="Shopify Products Read", readonly=True)
    in_sync_count = fields.Integer(string="In Sync", readonly=True)
    pending_count = fields.Integer(
        string="Export Already Queued", readonly=True, help="Changed in Odoo and already waiting for export."
    )
    drift_count = fields.Integer(string="Drift Corrected", readonly=True)
    conflict_count = fields.Integer(string="Conflicts", readonly=True)
    unbound_count = fields.Integer(string="Not Linked in Odoo", readonly=True)
    gone_count = fields.Integer(string="Missing on Shopify", readonly=True)
    unexported_count = fields.Integer(string="Never Exported", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    line_ids = fields.One2many("shopify.product.reconcile.line", "reconcile_id", string="Lines")

    def _add_counts(self, counts):
        """Add `{count field: n}` to the report (one write per batch)."""
        self.ensure_one()
        values = {name: self[name] + counts[name] for name in COUNT_FIELDS if counts.get(name)}
        if values:
            self.write(values)

    def _reset(self):
        """Forget a previous attempt (processing restarts from the first line of the file)."""
        self.line_ids.unlink()
        self.write({**dict.fromkeys(COUNT_FIELDS, 0), "state": "running", "error_message": False})
