"""Shopify orders → plain dicts the Odoo side turns into sale orders. Pure: no Odoo, no I/O.

Two inputs end in the same shape: the REST-shaped webhook body (`order_from_rest`) and the GraphQL
`Order` node of the poll (`order_from_graphql`). Money is always `Decimal` built from the strings
Shopify sends, in *shop* money (the order's `currency`); presentment amounts are kept apart.

The shape is `shapes.Order` (services/mapping/shapes.py: every key always present, with its type).
Timestamps are naive UTC datetimes (what Odoo stores). `warnings`: [(path, message)] of values left out
(an e-mail of the wrong shape), for the import to note.

Both entry points first check the input against a schema (services/payload_checks.py): a value that
cannot be (a negative quantity, a discount above the line, "abc" as a price, a list where the customer
belongs) raises PayloadError naming it, before any of it is used.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from .. import timestamps
from ..errors import PayloadError
from ..gid import to_gid
from ..payload_checks import (
    MAX_AMOUNT,
    Connection,
    CountryCode,
    Currency,
    Email,
    Flag,
    Gid,
    Id,
    Integer,
    ListOf,
    Money,
    Obj,
    Quantity,
    Rate,
    Text,
    Timestamp,
    as_int,
    check,
    email_or_none,
)
from .shapes import Order, OrderLine, OrderRisk

# The name the order mapping raised before payloads had one error type; kept for callers.
OrderPayloadError = PayloadError

# ------------------------------------------------------------------------------------------------
# What the mapping reads, and what each value may be
# ------------------------------------------------------------------------------------------------
# REST (shop_money) and GraphQL (shopMoney) spell a money bag differently; one rule reads both.
_MONEY = Obj({"amount": Money(), "currency_code": Currency(), "currencyCode": Currency()})
_MONEY_SET = Obj(
    {"shop_money": _MONEY, "presentment_money": _MONEY, "shopMoney": _MONEY, "presentmentMoney": _MONEY}
)
_ADDRESS_TEXT = (
    "first_name", "last_name", "firstName", "lastName", "name", "company", "address1", "address2", "city",
    "zip", "province_code", "provinceCode", "phone",
)  # fmt: skip
_ADDRESS = Obj(
    {**{key: Text() for key in _ADDRESS_TEXT}, "country_code": CountryCode(), "countryCodeV2": CountryCode()}
)

_REST_TAX = Obj({"title": Text(), "rate": Rate(), "price": Money(), "price_set": _MONEY_SET})
_REST_DISCOUNT = Obj({"amount": Money(), "amount_set": _MONEY_SET})
_REST_LINE = Obj(
    {
        "id": Id(),
        "admin_graphql_api_id": Gid("LineItem"),
        "variant_id": Id(),
        "sku": Text(),
        "title": Text(),
        "variant_title": Text(),
        "quantity": Quantity(),
        # What is left after edits and refunds: 0 for a removed line.
        "current_quantity": Quantity(minimum=0),
        "price": Money(),
        "price_set": _MONEY_SET,
        "discount_allocations": ListOf(_REST_DISCOUNT),
        "tax_lines": ListOf(_REST_TAX),
        "taxable": Flag(),
        "gift_card": Flag(),
        "requires_shipping": Flag(),
    }
)
_REST_SHIPPING = Obj(
    {
        "title": Text(),
        "code": Text(),
        "price": Money(),
        "price_set": _MONEY_SET,
        "discount_allocations": ListOf(_REST_DISCOUNT),
        "tax_lines": ListOf(_REST_TAX),
        "is_removed": Flag(),
    }
)
_REST_CUSTOMER = Obj(
    {
        "id": Id(),
        "admin_graphql_api_id": Gid("Customer"),
        "email": Email(),
        "phone": Text(),
        "first_name": Text(),
        "last_name": Text(),
    }
)
_REST_REFUND = Obj(
    {
        "id": Id(),
        "admin_graphql_api_id": Gid("Refund"),
        "refund_line_items": ListOf(
            Obj(
                {
                    "line_item_id": Id(),
                    "quantity": Quantity(),
                    "subtotal": Money(),
                    "subtotal_set": _MONEY_SET,
                }
            )
        ),
    }
)
_REST_ID = {"id": Id(), "admin_graphql_api_id": Gid("Order")}
REST_ORDER = Obj(
    {
        **_REST_ID,
        "name": Text(),
        "order_number": Integer(0, 10**18, "an order number"),
        "email": Email(),
        "contact_email": Email(),
        "phone": Text(),
        "currency": Currency(),
        "presentment_currency": Currency(),
        "taxes_included": Flag(),
        **{key: Timestamp() for key in ("created_at", "processed_at", "updated_at", "cancelled_at")},
        **{key: Text() for key in ("cancel_reason", "financial_status", "fulfillment_status", "source_name")},
        **{key: Text(None) for key in ("note", "tags")},
        **{
            key: Money()
            for key in ("total_price", "subtotal_price", "total_tax", "total_discounts", "total_tip_received")
        },
        **dict.fromkeys(
            ("total_price_set", "subtotal_price_set", "total_tax_set", "total_discounts_set"), _MONEY_SET
        ),
        "customer": _REST_CUSTOMER,
        "billing_address": _ADDRESS,
        "shipping_address": _ADDRESS,
        "line_items": ListOf(_REST_LINE),
        "shipping_lines": ListOf(_REST_SHIPPING),
        "current_total_price": Money(),
        "current_total_price_set": _MONEY_SET,
        "refunds": ListOf(_REST_REFUND),
    }
)

_GQL_TAX = Obj({"title": Text(), "rate": Rate(), "priceSet": _MONEY_SET})
_GQL_DISCOUNT = Obj({"allocatedAmountSet": _MONEY_SET})
_GQL_LINE = Obj(
    {
        "id": Gid("LineItem"),
        "variant": Obj({"id": Gid("ProductVariant")}),
        "sku": Text(),
        "title": Text(),
        "variantTitle": Text(),
        "quantity": Quantity(),
        "currentQuantity": Quantity(minimum=0),
        "originalUnitPriceSet": _MONEY_SET,
        "discountAllocations": ListOf(_GQL_DISCOUNT),
        "taxLines": ListOf(_GQL_TAX),
        "taxable": Flag(),
        "isGiftCard": Flag(),
        "requiresShipping": Flag(),
    }
)
_GQL_SHIPPING = Obj(
    {
        "title": Text(),
        "code": Text(),
        "originalPriceSet": _MONEY_SET,
        "discountAllocations": ListOf(_GQL_DISCOUNT),
        "taxLines": ListOf(_GQL_TAX),
        "isRemoved": Flag(),
    }
)
_GQL_CUSTOMER = Obj(
    {
        "id": Gid("Customer"),
        "defaultEmailAddress": Obj({"emailAddress": Email()}),
        "defaultPhoneNumber": Obj({"phoneNumber": Text()}),
        "firstName": Text(),
        "lastName": Text(),
    }
)
GRAPHQL_ORDER = Obj(
    {
        "id": Gid("Order", required=True),
        "name": Text(),
        "email": Email(),
        "phone": Text(),
        "currencyCode": Currency(),
        "presentmentCurrencyCode": Currency(),
        "taxesIncluded": Flag(),
        **{key: Timestamp() for key in ("createdAt", "processedAt", "updatedAt", "cancelledAt")},
        **{
            key: Text()
            for key in ("cancelReason", "displayFinancialStatus", "displayFulfillmentStatus", "sourceName")
        },
        "note": Text(None),
        "tags": ListOf(Text()),
        **dict.fromkeys(
            ("totalPriceSet", "subtotalPriceSet", "totalTaxSet", "totalDiscountsSet", "totalTipReceivedSet"),
            _MONEY_SET,
        ),
        "customer": _GQL_CUSTOMER,
        "billingAddress": _ADDRESS,
        "shippingAddress": _ADDRESS,
        "lineItems": Connection(_GQL_LINE),
        "shippingLines": Connection(_GQL_SHIPPING),
        "currentTotalPriceSet": _MONEY_SET,
        "refunds": ListOf(
            Obj(
                {
                    "id": Gid("Refund"),
                    "refundLineItems": Connection(
                        Obj(
                            {
                                "quantity": Quantity(),
                                "lineItem": Obj({"id": Gid("LineItem")}),
                                "subtotalSet": _MONEY_SET,
                            }
                        )
                    ),
                }
            )
        ),
        "risk": Obj(
            {
                "recommendation": Text(),
                "assessments": ListOf(
                    Obj({"riskLevel": Text(), "facts": ListOf(Obj({"description": Text()}))})
                ),
            }
        ),
    }
)
# orders/edited: the body is an order_edit naming the order.
REST_ORDER_EDIT = Obj({"order_edit": Obj({"order_id": Id(required=True)}, required=True)})


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
        raise PayloadError(f"{what} is not a number: {value!r}") from error


def rate(value: object) -> Decimal:
    """Tax rates come as JSON numbers (0.19): go through their repr, never binary arithmetic."""
    return money(value, "tax rate").normalize() if value not in (None, "") else Decimal("0")


def timestamp(value: object) -> datetime | None:
    """ISO 8601 with offset (or `Z`) → naive UTC datetime; None stays None."""
    if not value:
        return None
    parsed = timestamps.parse(value)
    if parsed is None:
        raise PayloadError(f"not a timestamp: {value!r}")
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


def _check_line(path, line, ordered, discounts_key):
    """What the schema cannot see value by value: a line's discount within what the line costs.

    The discount was allocated on the quantity ordered (the current quantity may be lower after edits).
    """
    units = max(as_int(ordered), line["quantity"])
    gross = line["unit_price"] * units
    if gross > MAX_AMOUNT:
        raise PayloadError(
            f"{units} × {line['unit_price']} is more than the largest possible amount", path=path
        )
    if line["discount"] > gross:
        raise PayloadError(
            f"a discount of {line['discount']} is more than the line's {gross}",
            path=f"{path}.{discounts_key}",
        )


def _check_shipping(path, shipping, discounts_key):
    if shipping["discount"] > shipping["price"]:
        raise PayloadError(
            f"a discount of {shipping['discount']} is more than the shipping price {shipping['price']}",
            path=f"{path}.{discounts_key}",
        )


def _refunded(refunds):
    """{line GID: (units, subtotal)} refunded by the refunds a payload carries: what the current
    quantities already left out."""
    refunded = {}
    for line_gid, quantity, subtotal in refunds:
        units, amount = refunded.get(line_gid, (0, Decimal("0")))
        refunded[line_gid] = (units + quantity, amount + subtotal)
    return refunded


def _apply_refunded(line, refunded):
    """`line` (at its current quantity, with the discount Shopify allocated on the billed units) after
    the refunds it carries: `billed` = current + refunded, and the discount the current units keep, so
    that the line costs what Shopify's current total counts for it (the refunds' own subtotals)."""
    units, subtotal = refunded.get(line["gid"], (0, Decimal("0")))
    line["billed"] = line["quantity"] + units
    if units:
        kept = line["unit_price"] * line["billed"] - line["discount"] - subtotal
        line["discount"] = max(line["unit_price"] * line["quantity"] - kept, Decimal("0"))
    return line


RISKY_RECOMMENDATIONS = ("cancel", "investigate")
RISK_LEVELS = ("none", "pending", "low", "medium", "high")


def risk_from_graphql(risk):
    """Order.risk → {level (the highest assessment), recommendation, facts}."""
    if not risk:
        return None
    levels = [(a.get("riskLevel") or "none").lower() for a in risk.get("assessments") or []]
    known = [level for level in levels if level in RISK_LEVELS] or ["none"]
    return {
        "level": max(known, key=RISK_LEVELS.index),
        "recommendation": (risk.get("recommendation") or "none").lower(),
        "facts": [
            f["description"]
            for a in risk.get("assessments") or []
            for f in a.get("facts") or []
            if f.get("description")
        ],
    }


def is_risky(risk: OrderRisk | None) -> bool:
    """Shopify recommends cancelling or investigating, or an assessment says high risk."""
    return bool(risk) and (risk["recommendation"] in RISKY_RECOMMENDATIONS or risk["level"] == "high")


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
        "email": email_or_none(customer.get("email")),
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


def order_gid_from_rest(payload: dict) -> str:
    """The order GID a REST body names (`admin_graphql_api_id`, else its `id`); PayloadError if none."""
    check(payload, Obj(_REST_ID))
    gid = _gid_or_none("Order", payload.get("admin_graphql_api_id") or payload.get("id"))
    if not gid:
        raise PayloadError("missing: the body names no order", path="id")
    return gid


def edited_order_gid(payload: dict) -> str | None:
    """The order an `orders/edited` body (an order_edit, not the order) is about."""
    check(payload, REST_ORDER_EDIT)
    return _gid_or_none("Order", payload["order_edit"]["order_id"])


def order_from_rest(payload: dict) -> Order:
    """A REST Order (webhook body of orders/create, updated, paid, cancelled, edited) → the order dict."""
    warnings = check(payload, REST_ORDER)
    gid = order_gid_from_rest(payload)
    currency = (payload.get("currency") or "").upper()
    if not currency:
        raise PayloadError("missing: an order has a currency", path="currency")
    refunds = payload.get("refunds") or []
    refunded = _refunded(
        (
            _gid_or_none("LineItem", r.get("line_item_id")),
            as_int(r.get("quantity")),
            _shop_money(r.get("subtotal_set"), r.get("subtotal")),
        )
        for refund in refunds
        for r in refund.get("refund_line_items") or []
    )
    lines = []
    for index, item in enumerate(payload.get("line_items") or []):
        line = {
            "gid": _gid_or_none("LineItem", item.get("admin_graphql_api_id") or item.get("id")),
            "variant_gid": _gid_or_none("ProductVariant", item.get("variant_id")),
            "sku": (item.get("sku") or "").strip() or None,
            "title": " – ".join(t for t in (item.get("title"), item.get("variant_title")) if t),
            "quantity": as_int(item.get("current_quantity", item.get("quantity"))),
            "unit_price": _shop_money(item.get("price_set"), item.get("price")),
            "discount": _rest_discount(item.get("discount_allocations")),
            "taxes": _rest_taxes(item.get("tax_lines")) if item.get("taxable", True) else [],
            "is_gift_card": bool(item.get("gift_card")),
            "requires_shipping": bool(item.get("requires_shipping", True)),
        }
        _check_line(f"line_items[{index}]", line, item.get("quantity"), "discount_allocations")
        lines.append(_apply_refunded(line, refunded))
    shipping_lines = []
    for index, ship in enumerate(payload.get("shipping_lines") or []):
        if ship.get("is_removed"):
            continue
        shipping = {
            "title": (ship.get("title") or "").strip(),
            "code": ship.get("code") or "",
            "price": _shop_money(ship.get("price_set"), ship.get("price")),
            "discount": _rest_discount(ship.get("discount_allocations")),
            "taxes": _rest_taxes(ship.get("tax_lines")),
        }
        _check_shipping(f"shipping_lines[{index}]", shipping, "discount_allocations")
        shipping_lines.append(shipping)
    return {
        "gid": gid,
        "name": payload.get("name") or f"#{payload.get('order_number', '')}",
        "email": email_or_none(payload.get("email")) or email_or_none(payload.get("contact_email")),
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
        "current_total_price": _shop_money(
            payload.get("current_total_price_set"),
            payload.get("current_total_price", payload.get("total_price")),
        ),
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
        "refund_gids": [
            _gid_or_none("Refund", refund.get("admin_graphql_api_id") or refund.get("id"))
            for refund in refunds
            if refund.get("admin_graphql_api_id") or refund.get("id")
        ],
        "risk": None,
        "warnings": warnings,
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
        "email": email_or_none(email),
        "phone": (phone or "").strip() or None,
        "first_name": (customer.get("firstName") or "").strip(),
        "last_name": (customer.get("lastName") or "").strip(),
    }


def _nodes(connection, name):
    """(path, node) of each node of a connection, `nodes` or `edges` shaped."""
    if not connection:
        return []
    if "nodes" in connection:
        return [(f"{name}.nodes[{index}]", node) for index, node in enumerate(connection["nodes"] or [])]
    edges = connection.get("edges") or []
    return [(f"{name}.edges[{index}].node", edge["node"]) for index, edge in enumerate(edges) if edge["node"]]


def order_from_graphql(node: dict) -> Order:
    """A GraphQL `Order` node (fields of orders_updated_since.graphql) → the order dict."""
    warnings = check(node, GRAPHQL_ORDER)
    currency = (node.get("currencyCode") or "").upper()
    if not currency:
        raise PayloadError("missing: an order has a currency", path="currencyCode")
    refunds = node.get("refunds") or []
    refunded = _refunded(
        (
            (r.get("lineItem") or {}).get("id"),
            as_int(r.get("quantity")),
            _gql_money(r.get("subtotalSet")),
        )
        for refund in refunds
        for _path, r in _nodes(refund.get("refundLineItems"), "refundLineItems")
    )
    lines = []
    for path, item in _nodes(node.get("lineItems"), "lineItems"):
        line = {
            "gid": item.get("id"),
            "variant_gid": (item.get("variant") or {}).get("id"),
            "sku": (item.get("sku") or "").strip() or None,
            "title": " – ".join(t for t in (item.get("title"), item.get("variantTitle")) if t),
            "quantity": as_int(item.get("currentQuantity", item.get("quantity"))),
            "unit_price": _gql_money(item.get("originalUnitPriceSet")),
            "discount": _gql_discount(item.get("discountAllocations")),
            "taxes": _gql_taxes(item.get("taxLines")) if item.get("taxable", True) else [],
            "is_gift_card": bool(item.get("isGiftCard")),
            "requires_shipping": bool(item.get("requiresShipping", True)),
        }
        _check_line(path, line, item.get("quantity"), "discountAllocations")
        lines.append(_apply_refunded(line, refunded))
    shipping_lines = []
    for path, ship in _nodes(node.get("shippingLines"), "shippingLines"):
        if ship.get("isRemoved"):
            continue
        shipping = {
            "title": (ship.get("title") or "").strip(),
            "code": ship.get("code") or "",
            "price": _gql_money(ship.get("originalPriceSet")),
            "discount": _gql_discount(ship.get("discountAllocations")),
            "taxes": _gql_taxes(ship.get("taxLines")),
        }
        _check_shipping(path, shipping, "discountAllocations")
        shipping_lines.append(shipping)
    customer = node.get("customer") or {}
    return {
        "gid": node["id"],
        "name": node.get("name") or "",
        "email": email_or_none(node.get("email")),
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
        "current_total_price": _gql_money(node.get("currentTotalPriceSet") or node.get("totalPriceSet")),
        "presentment_total_price": _presentment_money(node.get("totalPriceSet"), None),
        "subtotal_price": _gql_money(node.get("subtotalPriceSet")),
        "total_tax": _gql_money(node.get("totalTaxSet")),
        "total_discounts": _gql_money(node.get("totalDiscountsSet")),
        "tip": _gql_money(node.get("totalTipReceivedSet")),
        "note": node.get("note") or "",
        "tags": ", ".join(node.get("tags") or []),
        "source_name": node.get("sourceName") or "",
        "customer": _gql_customer(customer),
        "billing_address": _gql_address(node.get("billingAddress")),
        "shipping_address": _gql_address(node.get("shippingAddress")),
        "lines": lines,
        "shipping_lines": shipping_lines,
        "refund_gids": [refund["id"] for refund in refunds if refund.get("id")],
        "risk": risk_from_graphql(node.get("risk")),
        "warnings": warnings,
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
