"""`/_emulator` routes for orders: check out as a customer, pay, cancel, edit, fulfil, seed N orders.

Bodies are the keyword arguments of the functions in `emulator/orders.py`; answers carry the order's
GID, name and status so a test or the demo can go on with it."""

from . import orders as order_logic
from .admin import AdminError, _shop, route
from .resolvers.common import parse_gid


def _order(shop, order_id):
    numeric = parse_gid(order_id, "Order") if str(order_id).startswith("gid://") else int(order_id)
    order = shop.orders.get(numeric)
    if order is None:
        raise AdminError(f"no order {order_id} in {shop.domain}", 404)
    return order


def order_summary(order):
    totals = order_logic.totals(order)
    return {
        "id": order.gid,
        "name": order.name,
        "financialStatus": order.financial_status,
        "fulfillmentStatus": order_logic.fulfillment_status(order),
        "cancelledAt": order.cancelled_at.isoformat() if order.cancelled_at else None,
        "updatedAt": order.updated_at.isoformat(),
        "total": f"{totals['total']}",
        "totalTax": f"{totals['tax']}",
        "lineItems": [
            {
                "id": line.gid,
                "sku": line.sku,
                "quantity": line.quantity,
                "currentQuantity": line.current_quantity,
            }
            for line in order.line_items
        ],
        "fulfillmentOrders": [f"gid://shopify/FulfillmentOrder/{i}" for i in order.fulfillment_order_ids],
    }


def _guarded(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except order_logic.OrderInputError as error:
        raise AdminError(str(error), 422) from error


@route("POST", r"/shops/(?P<domain>[^/]+)/orders")
def create_order(emulator, body, domain):
    """Body: `place_order` kwargs, e.g. {"lines": [{"sku": "MUG-1", "quantity": 2}], "customer": {...}}."""
    shop = _shop(emulator, domain)
    return 201, order_summary(_guarded(order_logic.place_order, shop, **body))


@route("POST", r"/shops/(?P<domain>[^/]+)/orders/seed")
def seed_orders(emulator, body, domain):
    shop = _shop(emulator, domain)
    created = _guarded(order_logic.seed_orders, shop, **body)
    return 200, {"orders": [order.gid for order in created]}


@route("POST", r"/shops/(?P<domain>[^/]+)/orders/(?P<order_id>(?:gid://shopify/Order/)?\d+)/pay")
def pay_order(emulator, body, domain, order_id):
    """Body (optional): {"gateway": "manual"}."""
    shop = _shop(emulator, domain)
    return 200, order_summary(_guarded(order_logic.pay_order, shop, _order(shop, order_id), **(body or {})))


@route("POST", r"/shops/(?P<domain>[^/]+)/orders/(?P<order_id>(?:gid://shopify/Order/)?\d+)/refund")
def refund_order(emulator, body, domain, order_id):
    """Body: `refund_order` kwargs, e.g. {"lines": {"<line id>": 1}, "shipping": true, "location_id": 7}."""
    shop = _shop(emulator, domain)
    refund = _guarded(order_logic.refund_order, shop, _order(shop, order_id), **(body or {}))
    return 201, {"id": refund.id, "gid": refund.gid, "transactions": refund.transaction_ids}


@route("POST", r"/shops/(?P<domain>[^/]+)/orders/(?P<order_id>(?:gid://shopify/Order/)?\d+)/cancel")
def cancel_order(emulator, body, domain, order_id):
    """Body: {"reason": "CUSTOMER", "restock": true, "refund": true} (all optional)."""
    shop = _shop(emulator, domain)
    return 200, order_summary(_guarded(order_logic.cancel_order, shop, _order(shop, order_id), **body))


@route("POST", r"/shops/(?P<domain>[^/]+)/orders/(?P<order_id>(?:gid://shopify/Order/)?\d+)/edit")
def edit_order(emulator, body, domain, order_id):
    """Body: {"quantities": {"<line item gid>": 1}, "add": [{"sku": "…", "quantity": 1}]}."""
    shop = _shop(emulator, domain)
    return 200, order_summary(_guarded(order_logic.edit_order, shop, _order(shop, order_id), **body))


@route("GET", r"/shops/(?P<domain>[^/]+)/orders/(?P<order_id>(?:gid://shopify/Order/)?\d+)")
def get_order(emulator, _body, domain, order_id):
    shop = _shop(emulator, domain)
    return 200, order_summary(_order(shop, order_id))
