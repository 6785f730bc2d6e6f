"""Shopify orders → plain dicts the Odoo side turns into sale orders. Pure: no Odoo, no I/O.

Two inputs end in the same shape: the REST-shaped webhook body (`order_from_rest`) and the GraphQL
`Order` node of the poll (`order_from_graphql`). Money is always `Decimal` built from the strings
Shopify sends, in *shop* money (the order's `currency`); presentment amounts are kept apart.

The shape is `shapes.Order` (services/mapping/shapes.py: every key always present, with its type).
Timestamps are naive UTC datetimes (what Odoo stores).
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from .. import timestamps
from ..gid import to_gid
from .shapes import Order, OrderLine


class OrderPayloadError(ValueError):
    """The payload lacks something an order cannot be built without (says what)."""


# ------------------------------------------------------------------------------------------------
# Small converters
# ------------------------------------------------------------------------------------------------
def money(value: object, what: str = "amount") -> Decimal:
    """`"24.90"` → `Decimal("24.90")`. Floats are refused unless they are rates: money comes as strings."""
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, float):
        # Shopify sends money as strings; a float here means a broken producer, but its repr is exact
        # enough for two-decimal amounts.
        value = repr(value)
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise OrderPayloadError(f"{what} is not a number: {value!r}") from error


def rate(value: object) -> Decimal:
    """Tax rates come as JSON numbers (0.19): go through their repr, never binary arithmetic."""
    return money(value, "tax rate").normalize() if value not in (None, "") else Decimal("0")


def timestamp(value: object) -> datetime | None:
    """ISO 8601 with offset (or `Z`) → naive UTC datetime; None stays None."""
    if not value:
        return None
    parsed = timestamps.parse(value)
    if parsed is None:
        raise OrderPayloadError(f"not a timestamp: {value!r}")
    return parsed


def _shop_money(set_value, fallback):
    """REST `*_set.shop_money.amount` when present (it is the shop currency), else the scalar field."""
    if isinstance(set_value, dict):
        shop_money = set_value.get("shop_money") or set_value.get("shopMoney")
        if shop_money and shop_money.get("amount") not in (None, ""):
            return money(shop_money["amount"])
    return money(fallback)


def _presentment_money(set_value, fallback):
    if isinstance(set_value, dict):
        presentment = set_value.get("presentment_money") or set_value.get("presentmentMoney")
        if presentment and presentment.get("amount") not in (None, ""):
            return money(presentment["amount"])
    return money(fallback)


def _lower(value):
    return (value or "").strip().lower() or None


def _gid_or_none(resource, value):
    if value in (None, "", 0):
        return None
    text = str(value)
    return text if text.startswith("gid://") else to_gid(resource, text)


# ------------------------------------------------------------------------------------------------
# REST (webhook bodies)
# ------------------------------------------------------------------------------------------------
def _rest_taxes(tax_lines):
    return [
        {
            "title": (tax.get("title") or "").strip(),
            "rate": rate(tax.get("rate")),
            "amount": _shop_money(tax.get("price_set"), tax.get("price")),
        }
        for tax in tax_lines or []
    ]


def _rest_discount(allocations):
    return sum(
        (_shop_money(alloc.get("amount_set"), alloc.get("amount")) for alloc in allocations or []),
        Decimal("0"),
    )


# Our address keys ← the payload's keys; webhook bodies and GraphQL name the same fields differently.
_REST_ADDRESS_KEYS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "name": "name",
    "company": "company",
    "street": "address1",
    "street2": "address2",
    "city": "city",
    "zip": "zip",
    "state_code": "province_code",
    "country_code": "country_code",
    "phone": "phone",
}
_GQL_ADDRESS_KEYS = {
    **_REST_ADDRESS_KEYS,
    "first_name": "firstName",
    "last_name": "lastName",
    "state_code": "provinceCode",
    "country_code": "countryCodeV2",
}


def _address(address, source_keys):
    if not address:
        return None
    values = {ours: (address.get(theirs) or "").strip() for ours, theirs in source_keys.items()}
    values["country_code"] = values["country_code"].upper()
    return values


def _rest_address(address):
    return _address(address, _REST_ADDRESS_KEYS)


def _rest_customer(customer):
    if not customer or not customer.get("id"):
        return None
    return {
        "gid": _gid_or_none("Customer", customer.get("admin_graphql_api_id") or customer["id"]),
        "email": _lower(customer.get("email")),
        "phone": (customer.get("phone") or "").strip() or None,
        "first_name": (customer.get("first_name") or "").strip(),
        "last_name": (customer.get("last_name") or "").strip(),
    }


# What a webhook body must carry to be applied as it is; a subscription limited with `includeFields`
# sends less, and the order is then read through the API instead.
REST_ORDER_KEYS = ("currency", "line_items", "total_price", "updated_at")


def is_partial_rest_order(payload: object) -> bool:
    """True for a body that names an order (it has an id) but lacks fields an order is built from."""
    return (
        isinstance(payload, dict)
        and bool(payload.get("admin_graphql_api_id") or payload.get("id"))
        and any(key not in payload for key in REST_ORDER_KEYS)
    )


def order_from_rest(payload: dict) -> Order:
    """A REST Order (webhook body of orders/create, updated, paid, cancelled, edited) → the order dict."""
    if not isinstance(payload, dict) or not (payload.get("admin_graphql_api_id") or payload.get("id")):
        raise OrderPayloadError("the payload is not a Shopify order (no id)")
    currency = (payload.get("currency") or "").upper()
    if not currency:
        raise OrderPayloadError("the order has no currency")
    lines = []
    for item in payload.get("line_items") or []:
        lines.append(
            {
                "gid": _gid_or_none("LineItem", item.get("admin_graphql_api_id") or item.get("id")),
                "variant_gid": _gid_or_none("ProductVariant", item.get("variant_id")),
                "sku": (item.get("sku") or "").strip() or None,
                "title": " – ".join(t for t in (item.get("title"), item.get("variant_title")) if t),
                "quantity": int(item.get("current_quantity", item.get("quantity")) or 0),
                "unit_price": _shop_money(item.get("price_set"), item.get("price")),
                "discount": _rest_discount(item.get("discount_allocations")),
                "taxes": _rest_taxes(item.get("tax_lines")) if item.get("taxable", True) else [],
                "is_gift_card": bool(item.get("gift_card")),
                "requires_shipping": bool(item.get("requires_shipping", True)),
            }
        )
    shipping_lines = [
        {
            "title": (ship.get("title") or "").strip(),
            "code": ship.get("code") or "",
            "price": _shop_money(ship.get("price_set"), ship.get("price")),
            "discount": _rest_discount(ship.get("discount_allocations")),
            "taxes": _rest_taxes(ship.get("tax_lines")),
        }
        for ship in payload.get("shipping_lines") or []
        if not ship.get("is_removed")
    ]
    return {
        "gid": _gid_or_none("Order", payload.get("admin_graphql_api_id") or payload.get("id")),
        "name": payload.get("name") or f"#{payload.get('order_number', '')}",
        "email": _lower(payload.get("email") or payload.get("contact_email")),
        "phone": (payload.get("phone") or "").strip() or None,
        "currency": currency,
        "presentment_currency": (payload.get("presentment_currency") or currency).upper(),
        "taxes_included": bool(payload.get("taxes_included")),
        "processed_at": timestamp(payload.get("processed_at") or payload.get("created_at")),
        "updated_at": timestamp(payload.get("updated_at")),
        "cancelled_at": timestamp(payload.get("cancelled_at")),
        "cancel_reason": payload.get("cancel_reason") or None,
        "financial_status": _lower(payload.get("financial_status")),
        "fulfillment_status": _lower(payload.get("fulfillment_status")),
        "total_price": _shop_money(payload.get("total_price_set"), payload.get("total_price")),
        "presentment_total_price": _presentment_money(
            payload.get("total_price_set"), payload.get("total_price")
        ),
        "subtotal_price": _shop_money(payload.get("subtotal_price_set"), payload.get("subtotal_price")),
        "total_tax": _shop_money(payload.get("total_tax_set"), payload.get("total_tax")),
        "total_discounts": _shop_money(payload.get("total_discounts_set"), payload.get("total_discounts")),
        "tip": money(payload.get("total_tip_received")),
        "note": payload.get("note") or "",
        "tags": payload.get("tags") or "",
        "source_name": payload.get("source_name") or "",
        "customer": _rest_customer(payload.get("customer")),
        "billing_address": _rest_address(payload.get("billing_address")),
        "shipping_address": _rest_address(payload.get("shipping_address")),
        "lines": lines,
        "shipping_lines": shipping_lines,
    }


# ------------------------------------------------------------------------------------------------
# GraphQL (the poll, services/documents/orders_updated_since.graphql)
# ------------------------------------------------------------------------------------------------
def _gql_money(set_value):
    return _shop_money(set_value, None)


def _gql_taxes(tax_lines):
    return [
        {
            "title": (tax.get("title") or "").strip(),
            "rate": rate(tax.get("rate")),
            "amount": _gql_money(tax.get("priceSet")),
        }
        for tax in tax_lines or []
    ]


def _gql_discount(allocations):
    return sum((_gql_money(alloc.get("allocatedAmountSet")) for alloc in allocations or []), Decimal("0"))


def _gql_address(address):
    return _address(address, _GQL_ADDRESS_KEYS)


def _gql_customer(customer):
    if not customer or not customer.get("id"):
        return None
    email = (customer.get("defaultEmailAddress") or {}).get("emailAddress")
    phone = (customer.get("defaultPhoneNumber") or {}).get("phoneNumber")
    return {
        "gid": customer["id"],
        "email": _lower(email),
        "phone": (phone or "").strip() or None,
        "first_name": (customer.get("firstName") or "").strip(),
        "last_name": (customer.get("lastName") or "").strip(),
    }


def _nodes(connection):
    if not connection:
        return []
    if "nodes" in connection:
        return connection["nodes"] or []
    return [edge["node"] for edge in connection.get("edges") or []]


def order_from_graphql(node: dict) -> Order:
    """A GraphQL `Order` node (fields of orders_updated_since.graphql) → the order dict."""
    if not isinstance(node, dict) or not node.get("id"):
        raise OrderPayloadError("the GraphQL node is not a Shopify order (no id)")
    currency = (node.get("currencyCode") or "").upper()
    if not currency:
        raise OrderPayloadError("the order has no currencyCode")
    lines = [
        {
            "gid": item.get("id"),
            "variant_gid": (item.get("variant") or {}).get("id"),
            "sku": (item.get("sku") or "").strip() or None,
            "title": " – ".join(t for t in (item.get("title"), item.get("variantTitle")) if t),
            "quantity": int(item.get("currentQuantity", item.get("quantity")) or 0),
            "unit_price": _gql_money(item.get("originalUnitPriceSet")),
            "discount": _gql_discount(item.get("discountAllocations")),
            "taxes": _gql_taxes(item.get("taxLines")) if item.get("taxable", True) else [],
            "is_gift_card": bool(item.get("isGiftCard")),
            "requires_shipping": bool(item.get("requiresShipping", True)),
        }
        for item in _nodes(node.get("lineItems"))
    ]
    shipping_lines = [
        {
            "title": (ship.get("title") or "").strip(),
            "code": ship.get("code") or "",
            "price": _gql_money(ship.get("originalPriceSet")),
            "discount": _gql_discount(ship.get("discountAllocations")),
            "taxes": _gql_taxes(ship.get("taxLines")),
        }
        for ship in _nodes(node.get("shippingLines"))
        if not ship.get("isRemoved")
    ]
    return {
        "gid": node["id"],
        "name": node.get("name") or "",
        "email": _lower(node.get("email")),
        "phone": (node.get("phone") or "").strip() or None,
        "currency": currency,
        "presentment_currency": (node.get("presentmentCurrencyCode") or currency).upper(),
        "taxes_included": bool(node.get("taxesIncluded")),
        "processed_at": timestamp(node.get("processedAt") or node.get("createdAt")),
        "updated_at": timestamp(node.get("updatedAt")),
        "cancelled_at": timestamp(node.get("cancelledAt")),
        "cancel_reason": _lower(node.get("cancelReason")),
        "financial_status": _lower(node.get("displayFinancialStatus")),
        "fulfillment_status": _lower(node.get("displayFulfillmentStatus")),
        "total_price": _gql_money(node.get("totalPriceSet")),
        "presentment_total_price": _presentment_money(node.get("totalPriceSet"), None),
        "subtotal_price": _gql_money(node.get("subtotalPriceSet")),
        "total_tax": _gql_money(node.get("totalTaxSet")),
        "total_discounts": _gql_money(node.get("totalDiscountsSet")),
        "tip": _gql_money(node.get("totalTipReceivedSet")),
        "note": node.get("note") or "",
        "tags": ", ".join(node.get("tags") or []),
        "source_name": node.get("sourceName") or "",
        "customer": _gql_customer(node.get("customer")),
        "billing_address": _gql_address(node.get("billingAddress")),
        "shipping_address": _gql_address(node.get("shippingAddress")),
        "lines": lines,
        "shipping_lines": shipping_lines,
    }


# ------------------------------------------------------------------------------------------------
# Helpers the import uses
# ------------------------------------------------------------------------------------------------
def line_total(line: OrderLine, taxes_included: bool) -> Decimal:
    """What Shopify charges for a line, tax included: the check behind 'which line differs'."""
    net = line["unit_price"] * line["quantity"] - line["discount"]
    if taxes_included:
        return net
    return net + sum((tax["amount"] for tax in line["taxes"]), Decimal("0"))


def tax_keys(order: Order) -> list[tuple[Decimal, str]]:
    """The distinct (rate, title) pairs the order's lines and shipping use, sorted for stable messages."""
    keys = {
        (tax["rate"], tax["title"])
        for line in order["lines"] + order["shipping_lines"]
        for tax in line["taxes"]
        if tax["rate"]
    }
    return sorted(keys)


def normalize_email(value: str | None) -> str | None:
    return _lower(value)


def normalize_phone(value: str | None) -> str | None:
    """Digits only, with a leading + kept: good enough to compare two spellings of one number."""
    text = (value or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    return ("+" if text.startswith(("+", "00")) else "") + digits.removeprefix("00")
