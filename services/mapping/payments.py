"""Shopify order transactions and refunds → plain dicts the Odoo side books. Pure: no Odoo, no I/O.

Two inputs each, one shape: the REST bodies of `order_transactions/create` / `refunds/create` (and the
`refunds` of a REST order) and the GraphQL nodes of `Order.transactions` / `Order.refunds`. Money is
`Decimal` in shop money; the presentment amount is kept apart. A transaction is money that moved only when
its status is success and its kind a sale, a capture or a refund (`moves_money`): an authorization
reserves, a void cancels, a failure did nothing.
"""

from decimal import Decimal

from ..errors import PayloadError
from ..gid import to_gid
from ..payload_checks import (
    MAX_AMOUNT,
    Connection,
    Currency,
    Gid,
    Id,
    ListOf,
    Money,
    Obj,
    Quantity,
    Text,
    Timestamp,
    check,
)
from .orders import money, timestamp

PAYMENT_KINDS = ("sale", "capture")
REFUND_KIND = "refund"
RESTOCKING = ("return", "legacy_restock", "cancel")

_MONEY = Obj({"amount": Money(), "currency_code": Currency(), "currencyCode": Currency()})
# Adjustments are negative (money given back); refund amounts are positive.
_SIGNED_MONEY = Obj(
    {"amount": Money(minimum=-MAX_AMOUNT), "currency_code": Currency(), "currencyCode": Currency()}
)
_MONEY_SET = Obj(
    {"shop_money": _MONEY, "presentment_money": _MONEY, "shopMoney": _MONEY, "presentmentMoney": _MONEY}
)
_SIGNED_SET = Obj(
    {
        "shop_money": _SIGNED_MONEY,
        "presentment_money": _SIGNED_MONEY,
        "shopMoney": _SIGNED_MONEY,
        "presentmentMoney": _SIGNED_MONEY,
    }
)

REST_TRANSACTION = Obj(
    {
        "id": Id(required=True),
        "admin_graphql_api_id": Gid("OrderTransaction"),
        "order_id": Id(required=True),
        "kind": Text(required=True),
        "status": Text(),
        "gateway": Text(),
        "amount": Money(required=True),
        "currency": Currency(),
        "amount_set": _MONEY_SET,
        "processed_at": Timestamp(),
        "created_at": Timestamp(),
        "parent_id": Id(),
    }
)
GRAPHQL_TRANSACTION = Obj(
    {
        "id": Gid("OrderTransaction", required=True),
        "kind": Text(required=True),
        "status": Text(),
        "gateway": Text(),
        "amountSet": _MONEY_SET,
        "processedAt": Timestamp(),
        "createdAt": Timestamp(),
    }
)
REST_REFUND = Obj(
    {
        "id": Id(required=True),
        "admin_graphql_api_id": Gid("Refund"),
        "order_id": Id(required=True),
        "note": Text(None),
        "processed_at": Timestamp(),
        "created_at": Timestamp(),
        "refund_line_items": ListOf(
            Obj(
                {
                    "line_item_id": Id(required=True),
                    "quantity": Quantity(required=True),
                    "location_id": Id(),
                    "restock_type": Text(),
                    "subtotal": Money(),
                    "subtotal_set": _MONEY_SET,
                    "total_tax": Money(),
                    "total_tax_set": _MONEY_SET,
                }
            )
        ),
        "refund_shipping_lines": ListOf(
            Obj({"subtotal_amount_set": _MONEY_SET, "tax_amount_set": _MONEY_SET})
        ),
        "order_adjustments": ListOf(
            Obj(
                {
                    "kind": Text(),
                    "amount": Money(minimum=-MAX_AMOUNT),
                    "amount_set": _SIGNED_SET,
                    "tax_amount": Money(minimum=-MAX_AMOUNT),
                    "tax_amount_set": _SIGNED_SET,
                }
            )
        ),
        "transactions": ListOf(REST_TRANSACTION),
    }
)
GRAPHQL_REFUND = Obj(
    {
        "id": Gid("Refund", required=True),
        "note": Text(None),
        "createdAt": Timestamp(),
        "processedAt": Timestamp(),
        "refundLineItems": Connection(
            Obj(
                {
                    "quantity": Quantity(required=True),
                    "restockType": Text(),
                    "location": Obj({"id": Gid("Location")}),
                    "lineItem": Obj({"id": Gid("LineItem", required=True)}, required=True),
                    "subtotalSet": _MONEY_SET,
                    "totalTaxSet": _MONEY_SET,
                }
            )
        ),
        "refundShippingLines": Connection(Obj({"subtotalAmountSet": _MONEY_SET, "taxAmountSet": _MONEY_SET})),
        "orderAdjustments": Connection(
            Obj({"amountSet": _SIGNED_SET, "taxAmountSet": _SIGNED_SET, "reason": Text()})
        ),
        "transactions": Connection(GRAPHQL_TRANSACTION),
    }
)


def _gid(resource, value):
    text = str(value)
    return text if text.startswith("gid://") else to_gid(resource, text)


def _shop_amount(set_value, fallback=None):
    if isinstance(set_value, dict):
        bag = set_value.get("shop_money") or set_value.get("shopMoney")
        if bag and bag.get("amount") not in (None, ""):
            return money(bag["amount"])
    return money(fallback)


def _presentment(set_value, fallback_amount, fallback_currency):
    if isinstance(set_value, dict):
        bag = set_value.get("presentment_money") or set_value.get("presentmentMoney")
        if bag and bag.get("amount") not in (None, ""):
            return money(bag["amount"]), (bag.get("currency_code") or bag.get("currencyCode") or "").upper()
    return fallback_amount, fallback_currency


def moves_money(transaction):
    """A successful sale, capture or refund: money that moved (what becomes an Odoo payment)."""
    return transaction["status"] == "success" and transaction["kind"] in (*PAYMENT_KINDS, REFUND_KIND)


def transaction_from_rest(payload):
    """An `order_transactions/create` body (or a refund's transaction) → the transaction dict."""
    check(payload, REST_TRANSACTION)
    amount = _shop_amount(payload.get("amount_set"), payload.get("amount"))
    currency = (payload.get("currency") or "").upper()
    presentment, presentment_currency = _presentment(payload.get("amount_set"), amount, currency)
    return {
        "gid": _gid("OrderTransaction", payload.get("admin_graphql_api_id") or payload["id"]),
        "order_gid": _gid("Order", payload["order_id"]),
        "kind": (payload.get("kind") or "").lower(),
        "status": (payload.get("status") or "").lower(),
        "gateway": (payload.get("gateway") or "").strip() or "manual",
        "amount": amount,
        "presentment_amount": presentment,
        "presentment_currency": presentment_currency,
        "processed_at": timestamp(payload.get("processed_at") or payload.get("created_at")),
    }


def transaction_from_graphql(node, order_gid):
    """An `OrderTransaction` node (services/documents/order_transactions.graphql) → the transaction dict."""
    check(node, GRAPHQL_TRANSACTION)
    amount = _shop_amount(node.get("amountSet"))
    presentment, presentment_currency = _presentment(node.get("amountSet"), amount, "")
    return {
        "gid": node["id"],
        "order_gid": order_gid,
        "kind": (node.get("kind") or "").lower(),
        "status": (node.get("status") or "").lower(),
        "gateway": (node.get("gateway") or "").strip() or "manual",
        "amount": amount,
        "presentment_amount": presentment,
        "presentment_currency": presentment_currency,
        "processed_at": timestamp(node.get("processedAt") or node.get("createdAt")),
    }


def _nodes(connection):
    if not connection:
        return []
    if "nodes" in connection:
        return list(connection["nodes"] or [])
    return [edge["node"] for edge in connection.get("edges") or [] if edge.get("node")]


def refund_from_rest(payload):
    """A `refunds/create` body (or one of a REST order's `refunds`) → the refund dict.

    `lines`: [{line_gid, quantity, restock (bool), restock_type (return, cancel, legacy_restock,
    no_restock), location_gid, subtotal, tax}]; `shipping` / `shipping_tax`
    refunded; `adjustments`: order-level amounts given back beyond the items (positive = refunded);
    `transactions`: its money movements.
    """
    check(payload, REST_REFUND)
    lines = [
        {
            "line_gid": _gid("LineItem", item["line_item_id"]),
            "quantity": int(item["quantity"]),
            "restock": (item.get("restock_type") or "").lower() in RESTOCKING,
            "restock_type": (item.get("restock_type") or "no_restock").lower(),
            "location_gid": _gid("Location", item["location_id"]) if item.get("location_id") else None,
            "subtotal": _shop_amount(item.get("subtotal_set"), item.get("subtotal")),
            "tax": _shop_amount(item.get("total_tax_set"), item.get("total_tax")),
        }
        for item in payload.get("refund_line_items") or []
    ]
    shipping = shipping_tax = adjustments = Decimal("0")
    for ship in payload.get("refund_shipping_lines") or []:
        shipping += _shop_amount(ship.get("subtotal_amount_set"))
        shipping_tax += _shop_amount(ship.get("tax_amount_set"))
    for adjustment in payload.get("order_adjustments") or []:
        amount = -_shop_amount(adjustment.get("amount_set"), adjustment.get("amount"))
        tax = -_shop_amount(adjustment.get("tax_amount_set"), adjustment.get("tax_amount"))
        if (adjustment.get("kind") or "") == "shipping_refund" and not payload.get("refund_shipping_lines"):
            shipping, shipping_tax = shipping + amount, shipping_tax + tax  # before refund_shipping_lines
        else:
            adjustments += amount + tax
    return {
        "gid": _gid("Refund", payload.get("admin_graphql_api_id") or payload["id"]),
        "order_gid": _gid("Order", payload["order_id"]),
        "note": payload.get("note") or "",
        "processed_at": timestamp(payload.get("processed_at") or payload.get("created_at")),
        "lines": lines,
        "shipping": shipping,
        "shipping_tax": shipping_tax,
        "adjustments": adjustments,
        "transactions": [transaction_from_rest(t) for t in payload.get("transactions") or []],
    }


def refund_from_graphql(node, order_gid):
    """A `Refund` node (services/documents/order_transactions.graphql) → the refund dict."""
    check(node, GRAPHQL_REFUND)
    lines = [
        {
            "line_gid": item["lineItem"]["id"],
            "quantity": int(item["quantity"]),
            "restock": (item.get("restockType") or "").lower() in RESTOCKING,
            "restock_type": (item.get("restockType") or "no_restock").lower(),
            "location_gid": (item.get("location") or {}).get("id"),
            "subtotal": _shop_amount(item.get("subtotalSet")),
            "tax": _shop_amount(item.get("totalTaxSet")),
        }
        for item in _nodes(node.get("refundLineItems"))
    ]
    shipping = sum(
        (_shop_amount(s.get("subtotalAmountSet")) for s in _nodes(node.get("refundShippingLines"))),
        Decimal("0"),
    )
    shipping_tax = sum(
        (_shop_amount(s.get("taxAmountSet")) for s in _nodes(node.get("refundShippingLines"))), Decimal("0")
    )
    adjustments = -sum(
        (
            _shop_amount(a.get("amountSet")) + _shop_amount(a.get("taxAmountSet"))
            for a in _nodes(node.get("orderAdjustments"))
        ),
        Decimal("0"),
    )
    return {
        "gid": node["id"],
        "order_gid": order_gid,
        "note": node.get("note") or "",
        "processed_at": timestamp(node.get("processedAt") or node.get("createdAt")),
        "lines": lines,
        "shipping": shipping,
        "shipping_tax": shipping_tax,
        "adjustments": adjustments,
        "transactions": [transaction_from_graphql(t, order_gid) for t in _nodes(node.get("transactions"))],
    }


def order_gid_of(payload):
    """The order a transaction or refund body belongs to; PayloadError if it names none."""
    if not isinstance(payload, dict) or not payload.get("order_id"):
        raise PayloadError("missing: the body names no order", path="order_id")
    check(payload, Obj({"order_id": Id(required=True)}))
    return _gid("Order", payload["order_id"])
