"""Shipped quantities of an Odoo delivery → `fulfillmentCreate` inputs, one per Shopify fulfillment order.

Pure. Shopify accepts one location per call and each fulfillment order sits at one location, so every
fulfillment order gets its own input; the caller sends them one by one and remembers which went out.

`fulfillmentCreate` takes no idempotency key, so a call whose answer was lost may have fulfilled the
units anyway. `claim_fulfillments` finds such a fulfillment on the order (not claimed by any delivery,
within what this delivery shipped) before anything is sent again.
"""

from collections.abc import Container, Iterable

FULFILLABLE_STATUSES = ("OPEN", "IN_PROGRESS")
# Fulfillment statuses that did not ship anything (the rest, e.g. SUCCESS, count as shipped).
VOID_FULFILLMENT_STATUSES = ("CANCELLED", "ERROR", "FAILURE")


def fulfilled_quantities(fulfillment: dict) -> dict[str, int]:
    """{line item GID: quantity} of one `Order.fulfillments` node (order_fulfillments.graphql)."""
    quantities = {}
    for row in (fulfillment.get("fulfillmentLineItems") or {}).get("nodes") or []:
        line_gid = (row.get("lineItem") or {}).get("id")
        if line_gid:
            quantities[line_gid] = quantities.get(line_gid, 0) + int(row.get("quantity") or 0)
    return quantities


def _fulfillment_order_gid(fulfillment):
    nodes = (fulfillment.get("fulfillmentOrders") or {}).get("nodes") or []
    return nodes[0]["id"] if nodes else None


def claim_fulfillments(
    fulfillments: Iterable[dict] | None,
    recorded: Iterable[str] | None,
    claimed_elsewhere: Container[str],
    shipped: dict[str, int],
) -> tuple[dict[str, str | None], dict[str, int]]:
    """What this delivery already fulfilled on Shopify, and what is left to send.

    `fulfillments`: the order's fulfillments; `recorded`: fulfillment GIDs this delivery recorded;
    `claimed_elsewhere`: fulfillment GIDs other deliveries recorded; `shipped`: {line item GID: quantity}
    this delivery shipped.

    A fulfillment nobody recorded whose lines all fit in what is left is taken as this delivery's (made by
    an attempt whose answer was lost, or by hand on Shopify: either way the units are shipped there).
    Returns ({fulfillment GID: fulfillment order GID} newly claimed, {line item GID: quantity} to send).
    """
    left = {gid: int(qty) for gid, qty in shipped.items() if qty and int(qty) > 0}
    recorded = set(recorded or ())
    live = [f for f in fulfillments or [] if f.get("status") not in VOID_FULFILLMENT_STATUSES]
    for fulfillment in live:
        if fulfillment["id"] in recorded:
            for line_gid, quantity in fulfilled_quantities(fulfillment).items():
                left[line_gid] = max(0, left.get(line_gid, 0) - quantity)
    adopted = {}
    for fulfillment in live:
        if fulfillment["id"] in recorded or fulfillment["id"] in claimed_elsewhere:
            continue
        quantities = fulfilled_quantities(fulfillment)
        if quantities and all(left.get(gid, 0) >= qty for gid, qty in quantities.items()):
            for line_gid, quantity in quantities.items():
                left[line_gid] -= quantity
            adopted[fulfillment["id"]] = _fulfillment_order_gid(fulfillment)
    return adopted, {gid: qty for gid, qty in left.items() if qty > 0}


def fulfillment_inputs(
    fulfillment_orders: Iterable[dict],
    shipped: dict[str, int],
    tracking_number: str | None = None,
    tracking_company: str | None = None,
    tracking_url: str | None = None,
) -> list[tuple[str, dict]]:
    """`fulfillment_orders`: nodes of order_fulfillment_orders.graphql (`order.fulfillmentOrders.nodes`);
    `shipped`: {line item GID: quantity shipped by this delivery}.

    Returns [(fulfillment order GID, FulfillmentInput dict)], never asking for more than remains.
    """
    remaining_to_ship = {gid: int(qty) for gid, qty in shipped.items() if qty and int(qty) > 0}
    inputs = []
    for fulfillment_order in fulfillment_orders:
        if fulfillment_order.get("status") not in FULFILLABLE_STATUSES:
            continue
        items = []
        for item in (fulfillment_order.get("lineItems") or {}).get("nodes") or []:
            line_gid = (item.get("lineItem") or {}).get("id")
            wanted = remaining_to_ship.get(line_gid, 0)
            quantity = min(wanted, int(item.get("remainingQuantity") or 0))
            if quantity > 0:
                items.append({"id": item["id"], "quantity": quantity})
                remaining_to_ship[line_gid] = wanted - quantity
        if not items:
            continue
        fulfillment = {
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": fulfillment_order["id"], "fulfillmentOrderLineItems": items}
            ],
            "notifyCustomer": False,
        }
        tracking = {}
        if tracking_number:
            tracking["number"] = tracking_number
        if tracking_url:
            tracking["url"] = tracking_url
        if tracking and tracking_company:
            tracking["company"] = tracking_company
        if tracking:
            fulfillment["trackingInfo"] = tracking
        inputs.append((fulfillment_order["id"], fulfillment))
    return inputs
