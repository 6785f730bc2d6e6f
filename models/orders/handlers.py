"""Order handlers named in the work registry: `orders/*` deliveries and the order fetch and fulfillment
jobs.
"""

import logging

from odoo import _, models

from ...services.gid import numeric_id, to_gid
from ...services.mapping.orders import edited_order_gid, is_partial_rest_order, order_gid_from_rest

_logger = logging.getLogger(__name__)


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_import_order_payload(self, payload):
        # A body that cannot be an order raises PayloadError naming the field: final, and the raw body
        # stays on the event for a person to look at.
        if is_partial_rest_order(payload):
            # A subscription with includeFields: the body only names the order; read it whole.
            self._shopify_enqueue_order_fetch(order_gid_from_rest(payload))
            return "done", None
        self.env["shopify.order.import"]._import_rest(self.shop_id, payload)
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
        self._shopify_enqueue_order_fetch(edited_order_gid(payload))
        return "done", None

    def _shopify_enqueue_order_fetch(self, order_id):
        gid = order_id if str(order_id).startswith("gid://") else to_gid("Order", order_id)
        self.env["shopify.queue.job"]._enqueue(
            self.shop_id,
            "order_fetch",
            payload={"order_gid": gid},
            dedupe_key=f"order_fetch:{numeric_id(gid)}",
        )


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_order_fetch(self):
        """Read one order through the API and apply it (orders/edited, or an order asked for by hand)."""
        gid = self.payload["order_gid"]
        node = self.shop_id._shopify_read_order(self.shop_id._shopify_client(), gid)
        if not node:
            _logger.info("Shopify shop %s: order %s to fetch no longer exists", self.shop_id.id, gid)
            return "skipped", _("Order %s no longer exists on Shopify: nothing imported.", gid)
        self.env["shopify.order.import"]._import_graphql(self.shop_id, node)
        return "done", None

    def _shopify_job_order_fulfillment(self):
        picking = self.env["stock.picking"].browse(self.payload["picking_id"]).exists()
        if not picking:
            return "skipped", _("The delivery no longer exists.")
        if not picking._shopify_send_fulfillment():
            return "skipped", _("Already sent, or nothing left to fulfil on Shopify.")
        return "done", None
