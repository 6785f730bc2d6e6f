"""Order webhooks and jobs: thin handlers over the order import (models/shopify_order_import.py)."""

from odoo import _, models
from odoo.exceptions import UserError

from ..services.gid import to_gid
from ..services.mapping.orders import OrderPayloadError


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_import_order_payload(self, payload):
        try:
            self.env["shopify.order.import"]._import_rest(self.shop_id, payload)
        except OrderPayloadError as error:
            # Final: the raw body stays on the event for a person to look at.
            raise UserError(
                _("This %(topic)s body is not a usable order: %(error)s", topic=self.topic, error=error)
            ) from error
        return "done", None

    # The body of these topics is the full REST order: enough to create or update the sale order.
    def _shopify_webhook_orders_create(self, payload):
        return self._shopify_import_order_payload(payload)

    def _shopify_webhook_orders_updated(self, payload):
        return self._shopify_import_order_payload(payload)

    def _shopify_webhook_orders_paid(self, payload):
        return self._shopify_import_order_payload(payload)

    def _shopify_webhook_orders_cancelled(self, payload):
        return self._shopify_import_order_payload(payload)

    def _shopify_webhook_orders_edited(self, payload):
        """The body is an `order_edit` (what changed), not the order: fetch the order itself."""
        order_id = (payload.get("order_edit") or {}).get("order_id")
        if not order_id:
            raise UserError(_("This orders/edited body has no order_edit.order_id."))
        self.env["shopify.queue.job"]._enqueue(
            self.shop_id,
            "order_fetch",
            payload={"order_gid": to_gid("Order", order_id)},
            dedupe_key=f"order_fetch:{order_id}",
        )
        return "done", None


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_order_fetch(self):
        """Read one order through the API and apply it (orders/edited, or an order asked for by hand)."""
        data = self.shop_id._shopify_client().execute("order_by_id", {"id": self.payload["order_gid"]})
        if not data.get("order"):
            return "skipped", _("Order %s no longer exists on Shopify.", self.payload["order_gid"])
        self.env["shopify.order.import"]._import_graphql(self.shop_id, data["order"])
        return "done", None

    def _shopify_job_order_fulfillment(self):
        picking = self.env["stock.picking"].browse(self.payload["picking_id"]).exists()
        if not picking:
            return "skipped", _("The delivery no longer exists.")
        if not picking._shopify_send_fulfillment():
            return "skipped", _("Already sent, or nothing left to fulfil on Shopify.")
        return "done", None
