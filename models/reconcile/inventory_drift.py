"""What a full reconciliation found: how many (variant, location) pairs differed, and the largest gaps.

A paged reconciliation fills its report in one go; a bulk one creates it `running`, adds each batch of the
streamed result to it, and finishes it when the result has been read to the end.
"""

from odoo import _, api, fields, models

from ...services import inventory as inventory_service


class ShopifyInventoryDrift(models.Model):
    _name = "shopify.inventory.drift"
    _description = "Shopify Inventory Drift Report"
    _order = "id desc"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, ondelete="cascade", index=True, readonly=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    create_date = fields.Datetime(string="Reconciled At", readonly=True)
    state = fields.Selection(
        [("running", "Reading Shopify"), ("done", "Done"), ("failed", "Failed")],
        default="done",
        required=True,
        readonly=True,
        string="Status",
    )
    method = fields.Selection(
        [("paged", "Pages of levels"), ("bulk", "Bulk query")],
        default="paged",
        required=True,
        readonly=True,
        help="A bulk query reads every level in one operation when the catalog is large.",
        string="Method",
    )
    started_at = fields.Datetime(readonly=True)
    dry_run = fields.Boolean(readonly=True, help="Only reported: nothing was pushed.", string="Dry Run")
    bulk_operation_id = fields.Many2one(
        "shopify.bulk.operation",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        string="Bulk Operation",
    )
    pairs_checked = fields.Integer(readonly=True, string="Levels Checked")
    pairs_differed = fields.Integer(readonly=True, string="Levels Different")
    pairs_pushed = fields.Integer(
        readonly=True, help="Differences queued to be pushed to Shopify.", string="Levels Pushed"
    )
    largest = fields.Json(readonly=True, help="The largest differences: pair, odoo, shopify, difference.")
    largest_text = fields.Text(string="Largest Differences", compute="_compute_largest_text")
    pairs_held = fields.Integer(
        readonly=True,
        help="Pairs not pushed: a Shopify change there is still to count in Odoo.",
        string="Levels Held",
    )
    held = fields.Json(readonly=True, help="The held pairs: pair, odoo, shopify, advice.")
    held_text = fields.Text(string="Held Pairs", compute="_compute_held_text")

    @api.depends("state", "dry_run", "pairs_checked", "pairs_differed")
    def _compute_display_name(self):
        states = dict(self._fields["state"].selection)
        for drift in self:
            if drift.state == "done":
                status = _(
                    "%(differed)s of %(checked)s differ",
                    differed=drift.pairs_differed,
                    checked=drift.pairs_checked,
                )
            else:
                status = states[drift.state]
            dry = _(", dry run") if drift.dry_run else ""
            drift.display_name = f"{drift.shop_id.name} · {drift.create_date or ''} ({status}{dry})"

    def _compute_largest_text(self):
        for drift in self:
            drift.largest_text = "\n".join(
                f"{item['pair']}: Odoo {item['odoo']}, Shopify "
                f"{'—' if item['shopify'] is None else item['shopify']} ({item['difference']:+d})"
                for item in drift.largest or []
            )

    def _compute_held_text(self):
        for drift in self:
            drift.held_text = "\n".join(
                f"{item['pair']}: Odoo {item['odoo']}, Shopify "
                f"{'—' if item['shopify'] is None else item['shopify']}, {item['advice']}"
                for item in drift.held or []
            )

    def _add(self, checked, differences, pushed, held=()):
        """Add one batch: `checked` pairs, `differences` as (label, odoo, shopify), `pushed` flagged,
        `held` pairs left alone as `{pair, odoo, shopify, advice}`."""
        self.ensure_one()
        known = [(item["pair"], item["odoo"], item["shopify"]) for item in self.largest or []]
        summary = inventory_service.drift_summary(known + list(differences))
        values = {
            "pairs_checked": self.pairs_checked + checked,
            "pairs_differed": self.pairs_differed + len(differences),
            "pairs_pushed": self.pairs_pushed + pushed,
            "largest": summary["largest"],
        }
        if held:
            values.update(pairs_held=self.pairs_held + len(held), held=(self.held or []) + list(held))
        self.write(values)
