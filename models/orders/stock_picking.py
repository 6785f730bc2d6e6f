"""Deliveries of Shopify orders report back: validating one sends `fulfillmentCreate` with tracking.

Idempotent per picking: the Shopify fulfillments a delivery made are stored on it, and before sending,
the order's fulfillments on Shopify are read, so neither a retry nor an answer lost in transit (the
fulfillment exists, we never heard of it) fulfils the same units twice.
"""

import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ...services.mapping.fulfillment import claim_fulfillments, fulfillment_inputs

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
    shopify_tracking_url = fields.Char(
        string="Tracking URL (Shopify)",
        copy=False,
        help="Sent to Shopify with the fulfillment. Empty: the carrier's tracking link, if any.",
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
        help="Fulfillment GID → fulfillment order GID: what this delivery fulfilled on Shopify.",
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
            dedupe_key=f"fulfillment:{self.id}",
            record=self,
        )

    def _shopify_tracking(self):
        """(number, company, url) for Shopify: ours first, else the carrier's (delivery modules)."""
        number = self.shopify_tracking_number
        company = self.shopify_tracking_company
        url = self.shopify_tracking_url
        if not number and "carrier_tracking_ref" in self._fields:
            number = self.carrier_tracking_ref
        if not company and "carrier_id" in self._fields and self.carrier_id:
            company = self.carrier_id.name
        if not url and "carrier_tracking_url" in self._fields:
            url = self.carrier_tracking_url
        return number or None, company or None, url or None

    def _shopify_shipped_quantities(self):
        shipped = {}
        for move in self.move_ids.filtered(lambda m: m.state == "done"):
            line_gid = move.sale_line_id.shopify_line_gid
            if line_gid:
                quantity = move.product_uom._compute_quantity(move.quantity, move.sale_line_id.product_uom)
                shipped[line_gid] = shipped.get(line_gid, 0) + round(quantity)
        return shipped

    def _shopify_recorded_fulfillments(self):
        """{fulfillment GID: fulfillment order GID} this delivery made on Shopify."""
        recorded = {}
        for key, value in (self.shopify_fulfillments or {}).items():
            # Rows written before 2026-11-25 map fulfillment order → fulfillment: read both ways.
            if "/FulfillmentOrder/" in key:
                key, value = value, key
            recorded[key] = value
        return recorded

    def _shopify_send_fulfillment(self):
        """Send this delivery's fulfillments to Shopify; a no-op for what was already sent.

        Shopify's state decides what is left: fulfillments this delivery recorded, or that an attempt
        whose answer was lost made (see claim_fulfillments), are never sent again.
        """
        self.ensure_one()
        if self.shopify_fulfillment_state in ("sent", "nothing"):
            return False
        binding = self._shopify_order_binding()
        if not binding:
            raise UserError(_("The delivery %s does not belong to an imported Shopify order.", self.name))
        client = binding.shop_id._shopify_client(for_write=True)
        order = client.execute("order_fulfillment_orders", {"id": binding.shopify_gid}).get("order")
        if not order:
            raise UserError(
                _("The Shopify order %s no longer exists: nothing can be fulfilled.", binding.name)
            )
        others = set()
        for picking in self.sale_id.picking_ids - self:
            others |= set(picking._shopify_recorded_fulfillments())
        recorded = self._shopify_recorded_fulfillments()
        existing = (client.execute("order_fulfillments", {"id": binding.shopify_gid}).get("order") or {}).get(
            "fulfillments"
        )
        adopted, left = claim_fulfillments(existing, recorded, others, self._shopify_shipped_quantities())
        if adopted:
            recorded.update(adopted)
            self.shopify_fulfillments = recorded
            self.message_post(
                body=_("Already fulfilled on Shopify (%s): not sent again.", ", ".join(sorted(adopted)))
            )
        number, company, url = self._shopify_tracking()
        fulfillment_orders = (order.get("fulfillmentOrders") or {}).get("nodes") or []
        for _fulfillment_order_gid, fulfillment in fulfillment_inputs(
            fulfillment_orders, left, number, company, url
        ):
            # Not retried blindly: a lost answer may hide a fulfillment; the next attempt re-reads the
            # order and claims it. userErrors raise UserErrorsError: nothing is recorded then.
            result = client.execute("fulfillment_create", {"fulfillment": fulfillment}, at_most_once=True)
            created = result["fulfillmentCreate"]["fulfillment"]
            order_gid = fulfillment["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderId"]
            recorded[created["id"]] = order_gid
            self.shopify_fulfillments = recorded
        self.shopify_fulfillment_state = "sent" if recorded else "nothing"
        self.message_post(
            body=_("Fulfillment sent to Shopify (tracking %s).", number or "-")
            if recorded
            else _("Nothing left to fulfil on Shopify for this delivery.")
        )
        return bool(recorded)
