"""One row per sync run or queue batch: what was done, what failed, and what it cost in API budget."""

import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# What a sync hook may report and a run records: {"ok": n, "failed": n, "skipped": n}.
COUNT_KEYS = ("ok", "failed", "skipped")


class ShopifySyncLog(models.Model):
    _name = "shopify.sync.log"
    _description = "Shopify Sync Run"
    _order = "started_at desc, id desc"
    _rec_name = "kind"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, index=True, ondelete="cascade", readonly=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    kind = fields.Char(
        required=True,
        index=True,
        readonly=True,
        help="What ran: products, inventory, orders, reconcile, queue, or a feature's own kind.",
        string="Sync Kind",
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="running",
        required=True,
        index=True,
        readonly=True,
        string="Status",
    )
    started_at = fields.Datetime(
        required=True, default=fields.Datetime.now, index=True, readonly=True, string="Started At"
    )
    ended_at = fields.Datetime(readonly=True, string="Ended At")
    duration_s = fields.Float(string="Duration (s)", readonly=True, aggregator="avg")
    ok_count = fields.Integer(string="Records OK", readonly=True)
    failed_count = fields.Integer(string="Records Failed", readonly=True)
    skipped_count = fields.Integer(string="Records Skipped", readonly=True)
    api_call_count = fields.Integer(string="API Calls", readonly=True)
    cost_used = fields.Float(string="API Cost Used", readonly=True)
    bucket_min = fields.Float(
        string="Bucket Minimum",
        readonly=True,
        aggregator="min",
        help="Lowest API budget left during the run.",
    )
    error_summary = fields.Text(readonly=True, string="Errors")
    # Queue runs only: the lane's time on this batch, and the part spent claiming or waiting for locks.
    busy_s = fields.Float(string="Busy (s)", readonly=True, aggregator="sum")
    wait_s = fields.Float(string="Claim and Lock Wait (s)", readonly=True, aggregator="sum")

    @api.model
    def _open(self, shop, kind):
        """Start a run; pass `shopify_sync_log_id=run.id` in the context so API calls are attributed to it."""
        shop.ensure_one()
        return self.sudo().create({"shop_id": shop.id, "kind": kind}).with_env(self.env)

    def _close(self, ok=0, failed=0, skipped=0, error_summary=None):
        """Finish the run (failed when an error summary is given); API usage is summed from its calls."""
        self.ensure_one()
        ended_at = fields.Datetime.now()
        values = {
            "state": "failed" if error_summary else "done",
            "ended_at": ended_at,
            "duration_s": (ended_at - self.started_at).total_seconds(),
            "ok_count": ok,
            "failed_count": failed,
            "skipped_count": skipped,
            "error_summary": error_summary or False,
            **self._api_usage(),
        }
        self.sudo().write(values)
        return self

    def _api_usage(self):
        """API calls, cost and lowest bucket level of this run, from shopify.api.call."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT count(*), COALESCE(sum(actual_cost), 0), min(available_after)
              FROM shopify_api_call WHERE sync_log_id = %s
            """,
            [self.id],
        )
        count, cost, bucket_min = self.env.cr.fetchone()
        return {"api_call_count": count, "cost_used": cost, "bucket_min": bucket_min or 0.0}
