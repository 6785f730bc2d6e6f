"""Inventory handlers named in the work registry: `inventory_levels/update` deliveries and the push /
sync jobs.
"""

from odoo import _, models


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_inventory_sync(self):
        """Debounced sync after stock changes: build the pushes and queue one send job each."""
        pushes = self.shop_id._inventory_sync()
        if not pushes:
            return "skipped", _("No stock change to send.")
        return "done", None

    def _shopify_job_inventory_push(self):
        """Send one prepared push; a retry re-sends it under the same idempotency key."""
        push = self.env["shopify.inventory.push"].sudo().browse((self.payload or {}).get("push_id")).exists()
        if not push:
            return "skipped", _("This inventory push no longer exists.")
        outcome = push._send()
        if outcome == "resend":
            # A new key after a stale compare-and-swap: the queue commits it (with this new job) before
            # the re-send, as it committed the first key before the first send.
            self.shop_id._enqueue_inventory_push(push)
        elif outcome == "failed":
            return "done", _("Shopify refused some quantities: see the push %s.", push.display_name)
        return "done", None


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_inventory_levels_update(self, payload):
        return self.env["shopify.inventory.level"]._handle_remote_update(self.shop_id, payload)
