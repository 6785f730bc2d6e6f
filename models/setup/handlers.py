"""Setup handlers named in the work registry: the background task a setup step starts."""

from odoo import models


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_setup_task(self):
        task = self.env["shopify.setup.task"].sudo().browse(self.payload["task_id"]).exists()
        if not task:
            return ("skipped", "the setup task no longer exists")
        task._run()
        return None
