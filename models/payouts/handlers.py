"""Payout handlers named in the work registry: disputes/* deliveries and the payout read job."""

from odoo import models

from ...services.mapping import payouts as mapping


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_disputes_create(self, payload):
        """A dispute opened: recorded, noted on the order, a manager told."""
        self.env["shopify.dispute"]._receive(self.shop_id, mapping.dispute_from_rest(payload))
        return "done", None

    def _shopify_webhook_disputes_update(self, payload):
        """A dispute moved on or ended: its status kept, the change noted on the order."""
        self.env["shopify.dispute"]._receive(self.shop_id, mapping.dispute_from_rest(payload))
        return "done", None


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_payouts_import(self):
        """The payout read asked for by hand (button): the same as the daily run."""
        counts = self.shop_id._shopify_import_payouts()
        return "done", f"{counts.get('ok', 0)} payouts read, {counts.get('failed', 0)} failed"
