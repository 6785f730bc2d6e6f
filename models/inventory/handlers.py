"""Inventory handlers named in the work registry: `inventory_levels/update` deliveries and the push /
sync jobs.

Both push jobs of a shop run under its push lock (`shop._inventory_push_lock`): one worker at a time
prepares or sends that shop's pushes, whatever the number of queue workers or servers. A job that finds
the lock taken is queued again a second later (the holder's snapshot may predate the change it was
asked for), so a change is never left behind by a busy shop.
"""

from odoo import _, models

from .shop import BUSY_RETRY_SECONDS


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_inventory_sync(self):
        """Debounced sync after stock changes: build the pushes and queue one send job each."""
        shop = self.shop_id
        if not shop._inventory_push_lock():
            shop._enqueue_inventory_sync(delay=BUSY_RETRY_SECONDS)
            return "skipped", _("Another worker is pushing this shop's stock: tried again shortly.")
        pushes = shop._inventory_sync()
        if not pushes:
            return "skipped", _("No stock change to send.")
        return "done", None

    def _shopify_job_inventory_push(self):
        """Send one prepared push; a retry re-sends it under the same idempotency key."""
        shop = self.shop_id
        push = self.env["shopify.inventory.push"].sudo().browse((self.payload or {}).get("push_id")).exists()
        if not push:
            return "skipped", _("This inventory push no longer exists.")
        if not shop._inventory_push_lock():
            shop._enqueue_inventory_push(push, delay=BUSY_RETRY_SECONDS)
            return "skipped", _("Another worker is pushing this shop's stock: tried again shortly.")
        outcome = push._send()
        if outcome == "resend":
            # A new key after a stale compare-and-swap: the queue commits it (with this new job) before
            # the re-send, as it committed the first key before the first send.
            shop._enqueue_inventory_push(push)
        elif outcome == "failed":
            shop._schedule_inventory_push()  # its levels stay flagged: a later push tries again
            return "done", _("Shopify refused some quantities: see the push %s.", push.display_name)
        if outcome == "done" and shop._inventory_waiting_behind(push):
            # Changed while this push owned them (or left for it): the next push takes them.
            shop._schedule_inventory_push()
        return "done", None


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_inventory_levels_update(self, payload):
        return self.env["shopify.inventory.level"]._handle_remote_update(self.shop_id, payload)
