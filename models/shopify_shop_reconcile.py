"""The daily reconciliation (`_reconcile`: its parts, in the work registry's order) and reconciliation on
demand: "Run reconciliation now" queues one background run, limited to some parts and optionally a dry
run, and the shop form shows how it went.

The parts and the dry run travel in the context of `_reconcile`: `shopify_reconcile_parts` (a list among
"products", "inventory", "orders"; absent = all) and `shopify_reconcile_dry_run` (report only, change
nothing on either side, what each part honours).
"""

from odoo import _, fields, models
from odoo.exceptions import UserError

from . import work_registry

# As the wizard lists them (they run in the order of work_registry.RECONCILE_PARTS).
from .shopify_access import MANAGER, USER, check_shopify_access

RECONCILE_PARTS = ("products", "inventory", "orders")
RECONCILE_JOB_KIND = "reconcile_now"
COUNT_KEYS = ("ok", "failed", "skipped")


def add_counts(result, counts):
    """The sum of two hook results ({"ok", "failed", "skipped"}; None counts as nothing)."""
    result, counts = result or {}, counts or {}
    return {key: (result.get(key) or 0) + (counts.get(key) or 0) for key in COUNT_KEYS}


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    reconcile_last_run_id = fields.Many2one(
        "shopify.sync.log", compute="_compute_reconcile_status", string="Last Reconciliation Run"
    )
    reconcile_last_run_state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        compute="_compute_reconcile_status",
        string="Last Run State",
    )
    reconcile_job_state = fields.Selection(
        [("queued", "Queued"), ("running", "Running")],
        compute="_compute_reconcile_status",
        string="Reconciliation Now",
        help="A reconciliation asked for with the button, waiting for or running in the background.",
    )
    bulk_operation_count = fields.Integer(compute="_compute_bulk_operation_count")

    def _compute_reconcile_status(self):
        SyncLog = self.env["shopify.sync.log"].sudo()
        Job = self.env["shopify.queue.job"].sudo()
        for shop in self:
            run = SyncLog.search([("shop_id", "=", shop.id), ("kind", "=", "reconcile")], limit=1)
            shop.reconcile_last_run_id = run
            shop.reconcile_last_run_state = run.state
            job = Job.search(
                [
                    ("shop_id", "=", shop.id),
                    ("kind", "=", RECONCILE_JOB_KIND),
                    ("state", "in", ("pending", "running")),
                ],
                limit=1,
            )
            shop.reconcile_job_state = {"pending": "queued", "running": "running"}.get(job.state, False)

    def _compute_bulk_operation_count(self):
        counts = dict(
            self.env["shopify.bulk.operation"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.bulk_operation_count = counts.get(shop, 0)

    # ------------------------------------------------------------------------------------------------
    # The daily run: each part asked for, in order
    # ------------------------------------------------------------------------------------------------
    def _reconcile(self):
        """The scheduled sync of kind "reconcile": every part of `work_registry.RECONCILE_PARTS` the
        context asks for, in that order; returns the sum of their counts."""
        self.ensure_one()
        wanted = self.env.context.get("shopify_reconcile_parts")
        result = dict.fromkeys(COUNT_KEYS, 0)
        for part, handler in work_registry.RECONCILE_PARTS:
            if wanted is None or part in wanted:
                result = add_counts(result, getattr(self, handler.method)())
        return result

    def _reconcile_dry_run(self):
        return bool(self.env.context.get("shopify_reconcile_dry_run"))

    # ------------------------------------------------------------------------------------------------
    # Run now, in the background
    # ------------------------------------------------------------------------------------------------
    def _enqueue_reconcile_now(self, parts, dry_run=False):
        """Queue one reconciliation run of these parts; the queue cron runs it (never the HTTP request)."""
        self.ensure_one()
        parts = [part for part in RECONCILE_PARTS if part in parts]
        if not parts:
            raise UserError(_("Choose at least one part to reconcile: products, inventory or orders."))
        if self.reconcile_job_state:
            raise UserError(_("A reconciliation of %s is already waiting or running.", self.name))
        return (
            self.env["shopify.queue.job"]
            .sudo()
            ._enqueue(
                self,
                RECONCILE_JOB_KIND,
                payload={"parts": parts, "dry_run": bool(dry_run)},
                dedupe_key=RECONCILE_JOB_KIND,
            )
        )

    def action_open_reconcile_wizard(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_reconcile_wizard")
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_bulk_operations(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_bulk_operation")
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_reconcile_runs(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_log")
        action["domain"] = [("shop_id", "=", self.id), ("kind", "=", "reconcile")]
        action["context"] = {}
        return action


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_reconcile_now(self):
        """One reconciliation run (sync log kind "reconcile") with the parts and dry run asked for."""
        payload = self.payload or {}
        shop = self.shop_id.with_context(
            shopify_reconcile_parts=list(payload.get("parts") or RECONCILE_PARTS),
            shopify_reconcile_dry_run=bool(payload.get("dry_run")),
        )
        # A failure is recorded in the run (Sync Runs); failing the job too would roll the run back.
        shop._run_sync("reconcile")
        return "done", None
