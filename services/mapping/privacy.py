"""Shopify's mandatory privacy (compliance) webhooks → plain dicts. Pure: no Odoo.

Bodies, as Shopify sends them (ids are numbers; `shop_id` is the shop's numeric id)::

    customers/data_request  {"shop_id", "shop_domain", "orders_requested": [ids],
                             "customer": {"id", "email", "phone"}, "data_request": {"id"}}
    customers/redact        {"shop_id", "shop_domain", "customer": {"id", "email", "phone"},
                             "orders_to_redact": [ids]}
    shop/redact             {"shop_id", "shop_domain"}

Each is checked first (`PayloadError` names the bad field); what comes out names the customer by GID and
the orders by GID, so nothing downstream depends on the REST spelling.
"""

from ..gid import to_gid
from ..payload_checks import Email, Id, ListOf, Obj, Text, check, email_or_none
from .orders import normalize_phone

MAX_ORDERS = 100_000

_CUSTOMER = Obj({"id": Id(required=True), "email": Email(), "phone": Text()}, required=True)
_SHOP = {"shop_id": Id(), "shop_domain": Text()}

DATA_REQUEST = Obj(
    {
        **_SHOP,
        "customer": _CUSTOMER,
        "orders_requested": ListOf(Id(), MAX_ORDERS),
        "data_request": Obj({"id": Id()}),
    }
)
CUSTOMER_REDACT = Obj({**_SHOP, "customer": _CUSTOMER, "orders_to_redact": ListOf(Id(), MAX_ORDERS)})
SHOP_REDACT = Obj(_SHOP)


def _gid(kind, value):
    return value if str(value).startswith("gid://") else to_gid(kind, value)


def _customer(customer):
    return {
        "gid": _gid("Customer", customer["id"]),
        "email": email_or_none(customer.get("email")),
        "phone": normalize_phone(customer.get("phone")),
    }


def data_request_from_rest(payload):
    """{"customer": {"gid", "email", "phone"}, "order_gids": [...], "request_id": str | None}."""
    check(payload, DATA_REQUEST)
    request = payload.get("data_request") or {}
    return {
        "customer": _customer(payload["customer"]),
        "order_gids": [_gid("Order", order_id) for order_id in payload.get("orders_requested") or ()],
        "request_id": str(request["id"]) if request.get("id") else None,
    }


def customer_redact_from_rest(payload):
    """{"customer": {"gid", "email", "phone"}, "order_gids": [...]}."""
    check(payload, CUSTOMER_REDACT)
    return {
        "customer": _customer(payload["customer"]),
        "order_gids": [_gid("Order", order_id) for order_id in payload.get("orders_to_redact") or ()],
    }


def shop_redact_from_rest(payload):
    check(payload, SHOP_REDACT)
    return {"shop_domain": (payload.get("shop_domain") or "").strip().lower() or None}


def redacted_body(topic, payload):
    """What stays of a privacy delivery's body once it is handled: its ids, no personal data."""
    kept = {
        key: payload[key]
        for key in ("id", "admin_graphql_api_id", "shop_id", "shop_domain")
        if key in payload
    }
    customer = payload.get("customer")
    if isinstance(customer, dict) and "id" in customer:
        kept["customer"] = {"id": customer["id"]}
    for key in ("orders_requested", "orders_to_redact", "data_request"):
        if key in payload:
            kept[key] = payload[key]
    kept["redacted"] = topic
    return kept
