"""Order handlers named in the work registry: `orders/*` deliveries and the order fetch and fulfillment
jobs.
"""

import logging

from odoo import _, models

from ...services.gid import numeric_id, to_gid
from ...services.mapping import payments as pay_mapping
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

    def _shopify_webhook_order_transactions_create(self, payload):
        """One transaction: recorded once by its GID; a payment when its order is ready for it."""
        transaction = pay_mapping.transaction_from_rest(payload)
        self.env["shopify.order.workflow"]._receive(
            self.shop_id, transaction["order_gid"], transactions=[transaction]
        )
        return "done", None

    def _shopify_webhook_refunds_create(self, payload):
        """One refund: recorded once by its GID, applied when (or as soon as) its order is imported."""
        refund = pay_mapping.refund_from_rest(payload)
        self.env["shopify.order.workflow"]._receive(
            self.shop_id, refund["order_gid"], refunds=[(refund, payload, "rest")]
        )
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

    def _shopify_job_order_transactions(self):
        """Read an order's transactions and refunds (paid without a transaction reaching us, or a check)."""
        gid = self.payload["order_gid"]
        node = self.shop_id._shopify_client().execute("order_transactions", {"id": gid}).get("order")
        if not node:
            return "skipped", _("Order %s no longer exists on Shopify.", gid)
        transactions = [pay_mapping.transaction_from_graphql(t, gid) for t in node.get("transactions") or []]
        refunds = [(pay_mapping.refund_from_graphql(r, gid), r, "graphql") for r in node.get("refunds") or []]
        self.env["shopify.order.workflow"]._receive(
            self.shop_id, gid, transactions=transactions, refunds=refunds
        )
        return "done", None

    def _shopify_job_order_fulfillment(self):
        picking = self.env["stock.picking"].browse(self.payload["picking_id"]).exists()
        if not picking:
            return "skipped", _("The delivery no longer exists.")
        if not picking._shopify_send_fulfillment():
            return "skipped", _("Already sent, or nothing left to fulfil on Shopify.")
        return "done", None
