"""Shipped quantities of an Odoo delivery → `fulfillmentCreate` inputs, one per Shopify fulfillment order.

Pure. Shopify accepts one location per call and each fulfillment order sits at one location, so every
fulfillment order gets its own input; the caller sends them one by one and remembers which went out.
"""

FULFILLABLE_STATUSES = ("OPEN", "IN_PROGRESS")


def fulfillment_inputs(fulfillment_orders, shipped, tracking_number=None, tracking_company=None):
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
        if tracking_number:
            tracking = {"number": tracking_number}
            if tracking_company:
                tracking["company"] = tracking_company
            fulfillment["trackingInfo"] = tracking
        inputs.append((fulfillment_order["id"], fulfillment))
    return inputs
