"""What a Shopify refund does to the stock of its sale order: refunded units not shipped yet leave the
delivery, shipped units Shopify restocked come back by a return picking into the Odoo location mapped
from the refund's Shopify location.

Per refund line (`services/mapping/payments.refund_*`):
* the units not delivered yet (sale line quantity minus delivered) are taken off the sale line, so Odoo
  takes them off its open delivery — whatever the restock type: Shopify no longer fulfils refunded units;
* the units already delivered come back only when Shopify restocked them (`return`, `legacy_restock`):
  one return picking per refund (per original delivery), `to_refund` so the delivered quantity follows;
* when the order was not invoiced yet, the sale line also loses the shipped refunded units (the sale order
  is then the money kept), without a procurement: their stock is the return's business.

The return is validated at once when the Shopify location is mapped (Shopify already counts the units as
available there: Odoo's stock then matches it); with an unknown or unmapped location it stays ready, into
the warehouse's default return location, with a note asking a person where the goods went.
"""

from collections import defaultdict

from odoo import _, api, models

RETURNED_TYPES = ("return", "legacy_restock")


class ShopifyOrderReturn(models.AbstractModel):
    _name = "shopify.order.return"
    _description = "Shopify Refund Stock Effects"

    @api.model
    def _apply(self, binding, refund, data, whole_quantity):
        """The refund's stock effect; `whole_quantity`: the sale line loses every refunded unit (the order
        is not invoiced yet), else only the units that will not ship."""
        by_gid = self.env["shopify.order.workflow"]._sale_lines_by_gid(binding.sale_order_id)
        to_return = []  # (sale line, units, Shopify location GID)
        for line in data["lines"]:
            sale_line = by_gid.get(line["line_gid"])
            if not sale_line or line["quantity"] <= 0:
                continue
            quantity = line["quantity"]
            if sale_line.product_id.type != "consu":
                if whole_quantity:
                    self._set_quantity(sale_line, sale_line.product_uom_qty - quantity)
                continue
            undelivered = max(sale_line.product_uom_qty - sale_line.qty_delivered, 0)
            unshipped = min(quantity, undelivered)
            shipped = quantity - unshipped
            if unshipped:
                self._set_quantity(sale_line, sale_line.product_uom_qty - unshipped, procure=False)
                self._reduce_delivery(sale_line, unshipped)
            if shipped and whole_quantity:
                self._set_quantity(sale_line, sale_line.product_uom_qty - shipped, procure=False)
            if shipped and line["restock_type"] in RETURNED_TYPES:
                to_return.append((sale_line, shipped, line["location_gid"]))
        if to_return:
            refund.return_picking_id = self._create_returns(binding, refund, to_return)[:1]

    @api.model
    def _set_quantity(self, sale_line, quantity, procure=True):
        """A new quantity on a sale line at Shopify's price: written with the price and discount so Odoo
        does not re-price the line from the pricelist; `procure` False leaves the pickings alone."""
        line = sale_line if procure else sale_line.with_context(skip_procurement=True)
        line.write(
            {
                "product_uom_qty": max(quantity, 0),
                "price_unit": sale_line.price_unit,
                "discount": sale_line.discount,
            }
        )

    @api.model
    def _reduce_delivery(self, sale_line, units):
        """Take `units` off the sale line's open delivery moves (newest first); an emptied move is
        cancelled. Done directly: a negative procurement would become a receipt, not a smaller delivery."""
        moves = sale_line.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.location_dest_id.usage == "customer"
        ).sorted("id", reverse=True)
        for move in moves:
            taken = min(units, move.product_uom_qty)
            if taken <= 0:
                continue
            reserved = move.state in ("assigned", "partially_available")
            if reserved:
                move._do_unreserve()
            if taken == move.product_uom_qty:
                move._action_cancel()
            else:
                move.product_uom_qty -= taken
                if reserved:
                    move._action_assign()
            units -= taken
            if not units:
                break

    @api.model
    def _destination(self, shop, location_gid):
        """The Odoo location a Shopify location restocks into; empty when unknown or unmapped."""
        if not location_gid:
            return self.env["stock.location"]
        mapped = self.env["shopify.location"].search(
            [("shop_id", "=", shop.id), ("shopify_gid", "=", location_gid)], limit=1
        )
        return mapped.location_id or mapped.warehouse_id.lot_stock_id

    @api.model
    def _create_returns(self, binding, refund, to_return):
        """Return pickings for (sale line, units, location GID): units taken from the sale line's done
        deliveries not returned yet, grouped by delivery and destination."""
        plan = defaultdict(dict)  # (delivery, location GID) → {move: units}
        for sale_line, units, location_gid in to_return:
            for move in sale_line.move_ids.filtered(
                lambda m: m.state == "done" and m.location_dest_id.usage == "customer"
            ).sorted("id"):
                returned = sum(
                    move.returned_move_ids.filtered(lambda r: r.state != "cancel").mapped("product_uom_qty")
                )
                taken = min(units, move.quantity - returned)
                if taken <= 0:
                    continue
                plan[(move.picking_id, location_gid)][move] = taken
                units -= taken
                if not units:
                    break
        pickings = self.env["stock.picking"]
        for (delivery, location_gid), units_by_move in plan.items():
            pickings |= self._create_return(binding, refund, delivery, location_gid, units_by_move)
        return pickings

    @api.model
    def _create_return(self, binding, refund, delivery, location_gid, units_by_move):
        wizard = (
            self.env["stock.return.picking"]
            .with_company(delivery.company_id)
            .with_context(active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        for line in wizard.product_return_moves:
            line.write({"quantity": units_by_move.get(line.move_id, 0.0), "to_refund": True})
        picking = wizard._create_return()
        picking.origin = _(
            "Shopify refund of %(order)s (%(delivery)s)", order=binding.name, delivery=delivery.name
        )
        destination = self._destination(binding.shop_id, location_gid)
        if destination:
            picking.write({"location_dest_id": destination.id})
            picking.move_ids.write({"location_dest_id": destination.id})
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking._action_done()
            picking.message_post(body=_("Restocked on Shopify (refund %s): validated.", refund.shopify_gid))
        else:
            note = _(
                "Shopify restocked these units at a location Odoo does not map (%(location)s): the return "
                "%(picking)s waits for a person to confirm where they went.",
                location=location_gid or _("none given"),
                picking=picking.name,
            )
            picking.message_post(body=note)
            binding.message_post(body=note)
        return picking
