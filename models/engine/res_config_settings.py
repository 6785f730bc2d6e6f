"""Settings › Shopify › Work queue: how many queue lanes (parallel workers) process the queue."""

from odoo import api, fields, models

from .queue_job import MAX_WORKERS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Computed + inverse rather than config_parameter: saving also makes or pauses the lanes' crons.
    shopify_queue_workers = fields.Integer(
        string="Queue Workers",
        compute="_compute_shopify_queue_workers",
        inverse="_inverse_shopify_queue_workers",
        readonly=False,
        help="How many queue batches run at once, on any of the Odoo servers of this database (one "
        f"scheduled action per worker, 1 to {MAX_WORKERS}). Each needs a free cron thread: give the "
        "servers together at least this many (max_cron_threads) plus one for the other scheduled actions.",
    )

    @api.depends("company_id")
    def _compute_shopify_queue_workers(self):
        workers = self.env["shopify.queue.job"].sudo()._queue_workers()
        for settings in self:
            settings.shopify_queue_workers = workers

    def _inverse_shopify_queue_workers(self):
        for settings in self:
            workers = min(max(settings.shopify_queue_workers, 1), MAX_WORKERS)
            self.env["ir.config_parameter"].sudo().set_param("shopify_sync.queue_workers", workers)
        self.env["shopify.queue.job"].sudo()._sync_queue_lanes()
