"""Deliveries of Shopify orders report back: validating one sends `fulfillmentCreate` with tracking.

Idempotent per picking: the fulfillment orders already fulfilled by this picking are stored with the
Shopify fulfillment they produced, so a retry (or a second validation attempt) never sends them again.
"""

import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..services.mapping.fulfillment import fulfillment_inputs

_logger = logging.getLogger(__name__)


class StockPicking(models.Model):
    _inherit = "stock.picking"

    shopify_tracking_number = fields.Char(
        string="Tracking Number (Shopify)",
        copy=False,
        help="Sent to Shopify with the fulfillment. Empty: the carrier tracking reference, if any.",
    )
    shopify_tracking_company = fields.Char(
        string="Carrier (Shopify)",
        copy=False,
        help="Carrier name exactly as Shopify lists it (e.g. DHL Express, UPS). Empty: the delivery carrier.",
    )
    shopify_fulfillment_state = fields.Selection(
        [("pending", "To send"), ("sent", "Sent"), ("nothing", "Nothing to fulfil")],
        string="Shopify Fulfillment",
        copy=False,
        readonly=True,
    )
    shopify_fulfillments = fields.Json(
        copy=False,
        readonly=True,
        help="Fulfillment order GID → fulfillment GID created for it by this delivery.",
    )

    def _shopify_order_binding(self):
        self.ensure_one()
        # sudo: whoever validates the delivery (a stock user) need not have a Shopify role.
        binding = self.sale_id.sudo().shopify_binding_ids[:1]
        return binding if binding and binding.state == "imported" else self.env["shopify.order.binding"]

    def _action_done(self):
        result = super()._action_done()
        to_report = self.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and not p.shopify_fulfillment_state
                and p._shopify_order_binding()
            )
        )
        for picking in to_report:
            picking.shopify_fulfillment_state = "pending"
            picking._shopify_enqueue_fulfillment()
        return result

    def _shopify_enqueue_fulfillment(self):
        self.ensure_one()
        binding = self._shopify_order_binding()
        self.env["shopify.queue.job"]._enqueue(
            binding.shop_id,
            "order_fulfillment",
            payload={"picking_id": self.id},
            priority=10,
            dedupe_key=f"fulfillment:{self.id}",
            record=self,
        )

    def _shopify_tracking(self):
        number = self.shopify_tracking_number
        company = self.shopify_tracking_company
        if not number and "carrier_tracking_ref" in self._fields:
            number = self.carrier_tracking_ref
        if not company and "carrier_id" in self._fields and self.carrier_id:
            company = self.carrier_id.name
        return number or None, company or None

    def _shopify_shipped_quantities(self):
        shipped = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done"):
            line_gid = move.sale_line_id.shopify_line_gid
            if line_gid:
                quantity = move.product_uom._compute_quantity(move.quantity, move.sale_line_id.product_uom)
                shipped[line_gid] = shipped.get(line_gid, 0) + round(quantity)
        return shipped

    def _shopify_send_fulfillment(self):
        """Send this delivery's fulfillments to Shopify; a no-op for what was already sent."""
        self.ensure_one()
        if self.shopify_fulfillment_state in ("sent", "nothing"):
            return False
        binding = self._shopify_order_binding()
        if not binding:
            raise UserError(_("The delivery %s does not belong to an imported Shopify order.", self.name))
        client = binding.shop_id._shopify_client(for_write=True)
        data = client.execute("order_fulfillment_orders", {"id": binding.shopify_gid})
        fulfillment_orders = ((data.get("order") or {}).get("fulfillmentOrders") or {}).get("nodes") or []
        number, company = self._shopify_tracking()
        sent = dict(self.shopify_fulfillments or {})
        inputs = fulfillment_inputs(fulfillment_orders, self._shopify_shipped_quantities(), number, company)
        for fulfillment_order_gid, fulfillment in inputs:
            if fulfillment_order_gid in sent:
                continue
            # The client raises UserErrorsError on userErrors: nothing is recorded as sent then.
            result = client.execute("fulfillment_create", {"fulfillment": fulfillment})["fulfillmentCreate"]
            sent[fulfillment_order_gid] = result["fulfillment"]["id"]
            # Written at once: if a later call fails, the retry skips this one.
            self.shopify_fulfillments = sent
        self.shopify_fulfillment_state = "sent" if sent else "nothing"
        self.message_post(
            body=_("Fulfillment sent to Shopify (tracking %s).", number or "-")
            if sent
            else _("Nothing left to fulfil on Shopify for this delivery.")
        )
        return bool(sent)
