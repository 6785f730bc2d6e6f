"""Engine handlers named in the work registry: deliveries that concern the connection itself
(`app/uninstalled`, `bulk_operations/finish`).
"""

from odoo import _, models

from ...services import bulk


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_bulk_operations_finish(self, payload):
        """Shopify finished a bulk operation: read its state (and process its result)."""
        gid = bulk.finished_operation_gid(payload)
        operation = (
            self.env["shopify.bulk.operation"]
            .sudo()
            .search([("shop_id", "=", self.shop_id.id), ("operation_gid", "=", gid)], limit=1)
        )
        if not operation:
            return ("skipped", _("Bulk operation %s was not started by this database.", gid))
        operation._refresh()  # processes a completed result now, or wakes the poll cron (see _refresh)
        return None

    def _shopify_webhook_app_uninstalled(self, payload):
        """The merchant removed the app: its token is revoked, so stop all outbound work for the shop."""
        shop = self.shop_id.sudo()
        shop.write({"state": "disconnected"})
        pending = (
            self.env["shopify.queue.job"]
            .sudo()
            .search([("shop_id", "=", shop.id), ("state", "=", "pending"), ("kind", "!=", "webhook")])
        )
        pending.write({"state": "skipped", "last_error_message": _("The app was uninstalled from the shop.")})
        shop.message_post(
            body=_(
                "The Shopify app was uninstalled from this store: the shop is disconnected "
                "(%s jobs skipped).",
                len(pending),
            )
        )
