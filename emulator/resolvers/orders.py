"""Orders, customers, fulfillment orders and fulfillments: queries, fields and `fulfillmentCreate`."""

from decimal import Decimal

from .. import orders as order_logic
from ..order_records import Order
from .common import Indexed, connection, parse_gid, search_filter
from .registry import field, mutation, query, shape

_STATUS_WORDS = {
    "FULFILLED": ["fulfilled", "shipped"],
    "PARTIALLY_FULFILLED": ["partial"],
    "UNFULFILLED": ["unfulfilled", "unshipped"],
}


def _order_statuses(order):
    words = ["closed"] if order.closed_at else ["open", "not_closed"]
    return [*words, "cancelled"] if order.cancelled_at else words


_ORDER_SEARCH = {
    "updated_at": lambda o: o.updated_at,
    "created_at": lambda o: o.created_at,
    "processed_at": lambda o: o.processed_at,
    "name": lambda o: [o.name, str(o.number)],
    "status": _order_statuses,
    "financial_status": lambda o: o.financial_status.lower(),
    "fulfillment_status": lambda o: _STATUS_WORDS[order_logic.fulfillment_status(o)],
    "email": lambda o: o.email,
    "tag": lambda o: o.tags,
    "sku": lambda o: [line.sku for line in o.line_items if line.sku],
    "id": lambda o: o.id,
    "test": lambda o: str(o.test).lower(),
    "customer_id": lambda o: o.customer_id,
}
_ORDER_SORT = {
    "UPDATED_AT": lambda o: o.updated_at,
    "CREATED_AT": lambda o: o.created_at,
    "PROCESSED_AT": lambda o: o.processed_at,
    "ORDER_NUMBER": lambda o: o.number,
    "ID": lambda o: o.id,
    "TOTAL_PRICE": lambda o: float(o.original_total),
    "CURRENT_TOTAL_PRICE": lambda o: float(order_logic.totals(o)["total"]),
    "FINANCIAL_STATUS": lambda o: o.financial_status,
    "FULFILLMENT_STATUS": lambda o: order_logic.fulfillment_status(o),
    "TOTAL_ITEMS_QUANTITY": lambda o: sum(line.current_quantity for line in o.line_items),
}


shape("MoneyBag", "shopMoney", "presentmentMoney")
shape(
    "MailingAddress",
    "id",
    "firstName",
    "lastName",
    "name",
    "company",
    "address1",
    "address2",
    "city",
    "province",
    "provinceCode",
    "zip",
    "country",
    "countryCodeV2",
    "phone",
    "formatted",
    "coordinatesValidated",
)
shape("TaxLine", "title", "rate", "ratePercentage", "priceSet", "channelLiable", "source")
shape("PricingPercentageValue", "percentage")
shape(
    "DiscountCodeApplication", "code", "index", "allocationMethod", "targetSelection", "targetType", "value"
)
shape("DiscountAllocation", "allocatedAmountSet", "discountApplication")
shape("FulfillmentOrderAssignedLocation", "name", "location", "countryCode")
shape("FulfillmentOrderSupportedAction", "action")
shape("FulfillmentLineItem", "id", "lineItem", "quantity", "originalTotalSet", "discountedTotalSet")
shape("FulfillmentTrackingInfo", "company", "number", "url")
shape("CustomerEmailAddress", "emailAddress", "validFormat", "marketingState", "marketingOptInLevel",
      "marketingUpdatedAt")  # fmt: skip
shape("CustomerPhoneNumber", "phoneNumber", "marketingState", "marketingOptInLevel", "marketingUpdatedAt")
shape("Attribute", "key", "value")  # orders carry none: customAttributes is always []
shape("FulfillmentCreatePayload", "fulfillment", "userErrors")


def money_bag(shop, order, amount):
    amount = Decimal(amount)
    presentment = order_logic.cents(amount * order.exchange_rate)
    return {
        "shopMoney": {"amount": f"{order_logic.cents(amount)}", "currencyCode": shop.currency},
        "presentmentMoney": {"amount": f"{presentment}", "currencyCode": order.presentment_currency},
    }


def _bag(info, order, amount):
    return money_bag(info.context.shop, order, amount)


def _order_of(info, holder):
    return info.context.shop.orders.get(holder.order_id)


def mailing_address(stored, record_id=0):
    """GraphQL MailingAddress from a stored (REST-keyed) address."""
    if not stored:
        return None
    name = " ".join(part for part in (stored.get("first_name"), stored.get("last_name")) if part)
    return {
        "id": f"gid://shopify/MailingAddress/{record_id}",
        "firstName": stored.get("first_name"),
        "lastName": stored.get("last_name"),
        "name": name or None,
        "company": stored.get("company"),
        "address1": stored.get("address1"),
        "address2": stored.get("address2"),
        "city": stored.get("city"),
        "province": stored.get("province"),
        "provinceCode": stored.get("province_code"),
        "zip": stored.get("zip"),
        "country": stored.get("country"),
        "countryCodeV2": stored.get("country_code"),
        "phone": stored.get("phone"),
        "formatted": [
            part
            for part in (
                stored.get("address1"),
                stored.get("address2"),
                " ".join(p for p in (stored.get("zip"), stored.get("city")) if p),
                stored.get("country"),
            )
            if part
        ],
        "coordinatesValidated": False,
    }


def _tax_lines(info, order, tax_lines):
    return [
        {
            "title": tax.title,
            "rate": float(tax.rate),
            "ratePercentage": float(tax.rate * 100),
            "priceSet": _bag(info, order, tax.amount),
            "channelLiable": False,
            "source": "Shopify",
        }
        for tax in tax_lines
    ]


def discount_application(info, order, index):
    application = order.discount_applications[index]
    if application["value_type"] == "percentage":
        value = {"__typename": "PricingPercentageValue", "percentage": float(application["value"])}
    else:
        value = {
            "__typename": "MoneyV2",
            "amount": f"{order_logic.cents(application['value'])}",
            "currencyCode": info.context.shop.currency,
        }
    return {
        "__typename": "DiscountCodeApplication",
        "code": application["code"],
        "index": index,
        "allocationMethod": "ACROSS",
        "targetSelection": "ALL",
        "targetType": "LINE_ITEM",
        "value": value,
    }


# -- queries -------------------------------------------------------------------------------------------
def _orders(shop, query):
    return search_filter(list(shop.orders.values()), query, _ORDER_SEARCH, "name")


@query("orders")
def resolve_orders(_root, info, query=None, sortKey=None, savedSearchId=None, **page):
    return connection(_orders(info.context.shop, query), sort_key=_ORDER_SORT.get(sortKey), **page)


@query("order")
def resolve_order(_root, info, id):
    return info.context.shop.orders.get(parse_gid(id, "Order"))


@query("ordersCount")
def resolve_orders_count(_root, info, query=None, limit=10000, savedSearchId=None):
    count = len(_orders(info.context.shop, query))
    if limit is not None and count > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": count, "precision": "EXACT"}


@query("customer")
def resolve_customer(_root, info, id):
    return info.context.shop.customers.get(parse_gid(id, "Customer"))


@query("customers")
def resolve_customers(_root, info, query=None, sortKey=None, **page):
    getters = {
        "email": lambda c: c.email,
        "updated_at": lambda c: c.updated_at,
        "id": lambda c: c.id,
        "first_name": lambda c: c.first_name,
        "last_name": lambda c: c.last_name,
        "phone": lambda c: c.phone,
        "tag": lambda c: c.tags,
    }
    customers = search_filter(list(info.context.shop.customers.values()), query, getters, "email")
    sort = {"UPDATED_AT": lambda c: c.updated_at, "NAME": lambda c: c.display_name}.get(sortKey)
    return connection(customers, sort_key=sort, **page)


@query("fulfillmentOrder")
def resolve_fulfillment_order(_root, info, id):
    return info.context.shop.fulfillment_orders.get(parse_gid(id, "FulfillmentOrder"))


@query("fulfillment")
def resolve_fulfillment(_root, info, id):
    return info.context.shop.fulfillments.get(parse_gid(id, "Fulfillment"))


# -- Order fields --------------------------------------------------------------------------------------
_ORDER_MONEY = {
    "totalPriceSet": "total",
    "currentTotalPriceSet": "current",
    "subtotalPriceSet": "subtotal",
    "currentSubtotalPriceSet": "subtotal",
    "totalTaxSet": "tax",
    "currentTotalTaxSet": "tax",
    "totalDiscountsSet": "discounts",
    "currentTotalDiscountsSet": "discounts",
    "totalShippingPriceSet": "shipping",
    "currentShippingPriceSet": "shipping",
    "totalOutstandingSet": "outstanding",
}


def _register_order_money(field_name, key):
    @field("Order", field_name)
    def resolve(order, info):
        return _bag(info, order, order_logic.totals(order, info.context.shop)[key])

    return resolve


for _name, _key in _ORDER_MONEY.items():
    _register_order_money(_name, _key)


@field("Order", "originalTotalPriceSet")
def resolve_original_total(order, info):
    return _bag(info, order, order.original_total)


def _received(order, shop):
    if order.transaction_ids:
        return order_logic.totals(order, shop)["received"]
    if order.financial_status in ("PAID", "REFUNDED", "PARTIALLY_REFUNDED"):
        return order.original_total
    return Decimal("0")


def _refunded(order, shop):
    if order.transaction_ids:
        return order_logic.totals(order, shop)["refunded"]
    return order.original_total if order.financial_status == "REFUNDED" else Decimal("0")


@field("Order", "totalReceivedSet")
def resolve_total_received(order, info):
    return _bag(info, order, _received(order, info.context.shop))


@field("Order", "totalRefundedSet")
def resolve_total_refunded(order, info):
    return _bag(info, order, _refunded(order, info.context.shop))


@field("Order", "netPaymentSet")
def resolve_net_payment(order, info):
    shop = info.context.shop
    return _bag(info, order, _received(order, shop) - _refunded(order, shop))


@field("Order", "totalTipReceivedSet")
def resolve_tip(order, info):
    return _bag(info, order, 0)


@field("Order", "totalCapturableSet")
def resolve_capturable(order, info):
    owed = order_logic.totals(order)["total"] if order.financial_status == "AUTHORIZED" else 0
    return _bag(info, order, owed)


@field("Order", "currencyCode")
def resolve_order_currency(_order, info):
    return info.context.shop.currency


@field("Order", "presentmentCurrencyCode")
def resolve_presentment_currency(order, _info):
    return order.presentment_currency


@field("Order", "displayFinancialStatus")
def resolve_financial_status(order, _info):
    return order.financial_status


@field("Order", "displayFulfillmentStatus")
def resolve_fulfillment_status(order, _info):
    return order_logic.fulfillment_status(order)


@field("Order", "closed")
def resolve_closed(order, _info):
    return order.closed_at is not None


@field("Order", "confirmed")
def resolve_confirmed(_order, _info):
    return True


@field("Order", "fullyPaid")
def resolve_fully_paid(order, _info):
    return order.financial_status == "PAID"


@field("Order", "unpaid")
def resolve_unpaid(order, _info):
    return order.financial_status in ("PENDING", "AUTHORIZED")


@field("Order", "fulfillable")
def resolve_fulfillable(order, info):
    shop = info.context.shop
    return any(
        fo_line.remaining_quantity
        for fo_id in order.fulfillment_order_ids
        if shop.fulfillment_orders[fo_id].status in ("OPEN", "IN_PROGRESS")
        for fo_line in shop.fulfillment_orders[fo_id].line_items
    )


@field("Order", "requiresShipping")
def resolve_requires_shipping(order, _info):
    return any(line.requires_shipping for line in order.line_items)


@field("Order", "subtotalLineItemsQuantity")
def resolve_subtotal_quantity(order, _info):
    return sum(line.quantity for line in order.line_items)


@field("Order", "currentSubtotalLineItemsQuantity")
def resolve_current_subtotal_quantity(order, _info):
    return sum(line.current_quantity for line in order.line_items)


@field("Order", "confirmationNumber")
def resolve_confirmation_number(order, _info):
    return f"C{order.id:08d}"[-9:]


@field("Order", "customer")
def resolve_order_customer(order, info):
    return info.context.shop.customers.get(order.customer_id)


@field("Order", "billingAddress")
def resolve_billing_address(order, _info):
    return mailing_address(order.billing_address, order.id)


@field("Order", "shippingAddress")
def resolve_shipping_address(order, _info):
    return mailing_address(order.shipping_address, order.id + 1)


@field("Order", "billingAddressMatchesShippingAddress")
def resolve_addresses_match(order, _info):
    return order.billing_address == order.shipping_address


@field("Order", "lineItems")
def resolve_order_line_items(order, _info, **page):
    return connection(order.line_items, **page)


@field("Order", "shippingLines")
def resolve_order_shipping_lines(order, _info, includeRemovals=False, **page):
    lines = [s for s in order.shipping_lines if includeRemovals or not s.is_removed]
    return connection(lines, **page)


@field("Order", "shippingLine")
def resolve_order_shipping_line(order, _info):
    return next((s for s in order.shipping_lines if not s.is_removed), None)


@field("Order", "taxLines")
def resolve_order_tax_lines(order, info):
    return _tax_lines(info, order, order_logic.tax_summary(order))


field("Order", "currentTaxLines")(resolve_order_tax_lines)


@field("Order", "discountApplications")
def resolve_discount_applications(order, info, **page):
    applications = [
        {"id": index, **discount_application(info, order, index)}
        for index in range(len(order.discount_applications))
    ]
    return connection([Indexed(a) for a in applications], **page)


@field("Order", "discountCodes")
def resolve_discount_codes(order, _info):
    return [a["code"] for a in order.discount_applications if a.get("code")]


@field("Order", "discountCode")
def resolve_discount_code(order, _info):
    codes = resolve_discount_codes(order, _info)
    return codes[0] if codes else None


@field("Order", "paymentGatewayNames")
def resolve_gateways(order, info):
    transactions = info.context.shop.transactions
    return list(dict.fromkeys(transactions[i].gateway for i in order.transaction_ids))


@field("Order", "customAttributes")
def resolve_custom_attributes(_order, _info):
    return []


@field("Order", "refunds")
def resolve_refunds(order, info, first=None):
    refunds = [info.context.shop.refunds[i] for i in order.refund_ids]
    return refunds[:first] if first is not None else refunds


@field("Order", "transactions")
def resolve_transactions(order, info, first=None, capturable=None, manuallyResolvable=None):
    transactions = [info.context.shop.transactions[i] for i in order.transaction_ids]
    if capturable:
        transactions = [t for t in transactions if t.kind == "AUTHORIZATION" and t.status == "SUCCESS"]
    return transactions[:first] if first is not None else transactions


@field("Order", "transactionsCount")
def resolve_transactions_count(order, _info):
    return {"count": len(order.transaction_ids), "precision": "EXACT"}


# Shopify's own fraud analysis: one assessment (provider null = Shopify), its facts, a recommendation.
shape("OrderRiskSummary", "assessments", "recommendation")
shape("OrderRiskAssessment", "facts", "provider", "riskLevel")
shape("RiskFact", "description", "sentiment")
_RECOMMENDATION = {"HIGH": "CANCEL", "MEDIUM": "INVESTIGATE", "LOW": "ACCEPT", "NONE": "NONE"}


@field("Order", "risk")
def resolve_risk(order, _info):
    return {
        "assessments": [
            {
                "provider": None,
                "riskLevel": order.risk_level,
                "facts": [{"description": d, "sentiment": s} for d, s in order.risk_facts],
            }
        ],
        "recommendation": _RECOMMENDATION.get(order.risk_level, "NONE"),
    }


# -- OrderTransaction / Refund fields ----------------------------------------------------------------------
@field("OrderTransaction", "amountSet")
def resolve_transaction_amount(transaction, info):
    return _bag(info, _order_of(info, transaction), transaction.amount)


@field("OrderTransaction", "parentTransaction")
def resolve_transaction_parent(transaction, info):
    return info.context.shop.transactions.get(transaction.parent_id)


@field("OrderTransaction", "formattedGateway")
def resolve_transaction_formatted_gateway(transaction, _info):
    return transaction.gateway.replace("_", " ").title()


@field("OrderTransaction", "manualPaymentGateway")
def resolve_transaction_manual(transaction, _info):
    return transaction.gateway in ("manual", "cash")


@field("OrderTransaction", "order")
def resolve_transaction_order(transaction, info):
    return _order_of(info, transaction)


@field("Refund", "order")
def resolve_refund_order(refund, info):
    return _order_of(info, refund)


@field("Refund", "refundLineItems")
def resolve_refund_lines(refund, _info, **page):
    return connection(refund.lines, **page)


@field("Refund", "transactions")
def resolve_refund_transactions(refund, info, **page):
    shop = info.context.shop
    return connection([shop.transactions[i] for i in refund.transaction_ids], **page)


@field("Refund", "totalRefundedSet")
def resolve_refund_total(refund, info):
    shop = info.context.shop
    amount = sum((shop.transactions[i].amount for i in refund.transaction_ids), Decimal("0"))
    return _bag(info, _order_of(info, refund), amount)


shape("RefundShippingLine", "id", "shippingLine", "subtotalAmountSet", "taxAmountSet")


class _Row(dict):
    """A dict-shaped node that a connection can order (it needs an `id` attribute)."""

    def __init__(self, numeric_id, values):
        super().__init__(values)
        self.id = numeric_id


shape("OrderAdjustment", "id", "amountSet", "taxAmountSet", "reason")


@field("Refund", "refundShippingLines")
def resolve_refund_shipping(refund, info, **page):
    order = _order_of(info, refund)
    if not refund.shipping_amount:
        return connection([], **page)
    shipping = next((s for s in order.shipping_lines if not s.is_removed), None)
    line = _Row(
        refund.id,
        {
            "id": f"gid://shopify/RefundShippingLine/{refund.id}",
            "shippingLine": shipping,
            "subtotalAmountSet": _bag(info, order, refund.shipping_amount),
            "taxAmountSet": _bag(info, order, refund.shipping_tax),
        },
    )
    return connection([line], **page)


@field("Refund", "orderAdjustments")
def resolve_refund_adjustments(refund, info, **page):
    order = _order_of(info, refund)
    adjustments = []
    if refund.discrepancy:
        adjustments.append(
            _Row(
                refund.id,
                {
                    "id": f"gid://shopify/OrderAdjustment/{refund.id}",
                    "amountSet": _bag(info, order, -refund.discrepancy),
                    "taxAmountSet": _bag(info, order, 0),
                    "reason": "REFUND_DISCREPANCY",
                },
            )
        )
    return connection(adjustments, **page)


@field("RefundLineItem", "lineItem")
def resolve_refund_line_item(refund_line, info):
    return info.context.shop.line_items.get(refund_line.line_item_id)


@field("RefundLineItem", "location")
def resolve_refund_line_location(refund_line, info):
    return info.context.shop.locations.get(refund_line.location_id)


@field("RefundLineItem", "subtotalSet")
def resolve_refund_line_subtotal(refund_line, info):
    line = info.context.shop.line_items[refund_line.line_item_id]
    return _bag(info, _order_of(info, line), refund_line.subtotal)


@field("RefundLineItem", "totalTaxSet")
def resolve_refund_line_tax(refund_line, info):
    line = info.context.shop.line_items[refund_line.line_item_id]
    return _bag(info, _order_of(info, line), refund_line.tax)


@field("Order", "fulfillmentOrders")
def resolve_order_fulfillment_orders(order, info, displayable=None, query=None, **page):
    shop = info.context.shop
    fulfillment_orders = [shop.fulfillment_orders[i] for i in order.fulfillment_order_ids]
    if displayable:
        fulfillment_orders = [fo for fo in fulfillment_orders if fo.status not in ("CANCELLED",)]
    return connection(fulfillment_orders, **page)


@field("Order", "fulfillments")
def resolve_order_fulfillments(order, info, first=None, query=None):
    found = [info.context.shop.fulfillments[i] for i in order.fulfillment_ids]
    return found[:first] if first is not None else found


@field("Order", "fulfillmentsCount")
def resolve_order_fulfillments_count(order, _info):
    return {"count": len(order.fulfillment_ids), "precision": "EXACT"}


# -- LineItem / ShippingLine fields ----------------------------------------------------------------------
def _line_money(field_name, amount_of):
    @field("LineItem", field_name)
    def resolve(line, info):
        return _bag(info, _order_of(info, line), amount_of(line))

    return resolve


def _unit_after_discounts(line):
    units = order_logic.billed(line)
    if not units:
        return line.unit_price
    return order_logic.cents((line.unit_price * units - line.discount) / units)


for _name, _amount in {
    "originalUnitPriceSet": lambda line: line.unit_price,
    "discountedUnitPriceSet": lambda line: line.unit_price,
    "originalTotalSet": lambda line: line.unit_price * line.quantity,
    "discountedTotalSet": lambda line: line.unit_price * line.current_quantity,
    "totalDiscountSet": lambda line: line.discount,
    "discountedUnitPriceAfterAllDiscountsSet": _unit_after_discounts,
    "priceAfterAllDiscountsBeforeTaxesSet": lambda line: (
        line.unit_price * order_logic.billed(line) - line.discount
    ),
    "unfulfilledOriginalTotalSet": lambda line: (
        line.unit_price * (line.current_quantity - line.fulfilled_quantity)
    ),
    "unfulfilledDiscountedTotalSet": lambda line: (
        line.unit_price * (line.current_quantity - line.fulfilled_quantity)
    ),
}.items():
    _line_money(_name, _amount)


@field("LineItem", "name")
def resolve_line_name(line, _info):
    return f"{line.title} - {line.variant_title}" if line.variant_title else line.title


@field("LineItem", "variant")
def resolve_line_variant(line, info):
    return info.context.shop.variants.get(line.variant_id)


@field("LineItem", "product")
def resolve_line_product(line, info):
    return info.context.shop.products.get(line.product_id)


@field("LineItem", "unfulfilledQuantity")
def resolve_line_unfulfilled(line, _info):
    return max(0, line.current_quantity - line.fulfilled_quantity)


@field("LineItem", "nonFulfillableQuantity")
def resolve_line_non_fulfillable(line, _info):
    return line.quantity - line.current_quantity


@field("LineItem", "refundableQuantity")
def resolve_line_refundable(line, _info):
    return line.current_quantity


@field("LineItem", "taxLines")
def resolve_line_tax_lines(line, info, first=None):
    return _tax_lines(info, _order_of(info, line), line.tax_lines)


@field("LineItem", "discountAllocations")
def resolve_line_discount_allocations(line, info):
    order = _order_of(info, line)
    return [
        {
            "allocatedAmountSet": _bag(info, order, amount),
            "discountApplication": discount_application(info, order, i),
        }
        for i, amount in line.discount_allocations
    ]


@field("LineItem", "customAttributes")
def resolve_line_custom_attributes(_line, _info):
    return []


@field("ShippingLine", "originalPriceSet")
def resolve_shipping_original(shipping, info):
    return _bag(info, _order_of(info, shipping), shipping.price)


field("ShippingLine", "discountedPriceSet")(resolve_shipping_original)
field("ShippingLine", "currentDiscountedPriceSet")(resolve_shipping_original)


@field("ShippingLine", "taxLines")
def resolve_shipping_tax_lines(shipping, info):
    return _tax_lines(info, _order_of(info, shipping), shipping.tax_lines)


@field("ShippingLine", "discountAllocations")
def resolve_shipping_discounts(_shipping, _info):
    return []


@field("ShippingLine", "custom")
def resolve_shipping_custom(_shipping, _info):
    return False


# -- Customer fields -----------------------------------------------------------------------------------
def _marketing(consent):
    """The marketing fields of CustomerEmailAddress / CustomerPhoneNumber from a stored consent."""
    return {
        "marketingState": consent["state"] if consent else "NOT_SUBSCRIBED",
        "marketingOptInLevel": consent.get("opt_in_level") if consent else None,
        "marketingUpdatedAt": consent.get("consent_updated_at") if consent else None,
    }


@field("Customer", "defaultEmailAddress")
def resolve_customer_email(customer, _info):
    if not customer.email:
        return None
    return {"emailAddress": customer.email, "validFormat": True, **_marketing(customer.email_consent)}


@field("Customer", "defaultPhoneNumber")
def resolve_customer_phone(customer, _info):
    return {"phoneNumber": customer.phone, **_marketing(customer.sms_consent)} if customer.phone else None


@field("Customer", "defaultAddress")
def resolve_customer_address(customer, _info):
    return mailing_address(customer.default_address, customer.id)


@field("Customer", "numberOfOrders")
def resolve_customer_order_count(customer, info):
    return str(sum(1 for o in info.context.shop.orders.values() if o.customer_id == customer.id))


@field("Customer", "amountSpent")
def resolve_customer_spent(customer, info):
    spent = sum(
        (
            o.original_total
            for o in info.context.shop.orders.values()
            if o.customer_id == customer.id and o.financial_status == "PAID"
        ),
        Decimal("0"),
    )
    return {"amount": f"{order_logic.cents(spent)}", "currencyCode": info.context.shop.currency}


@field("Customer", "state")
def resolve_customer_state(_customer, _info):
    return "ENABLED"


@field("Customer", "verifiedEmail")
def resolve_customer_verified(customer, _info):
    return bool(customer.email)


@field("Customer", "taxExempt")
def resolve_customer_tax_exempt(customer, _info):
    return customer.tax_exempt


@field("Customer", "orders")
def resolve_customer_orders(customer, info, query=None, sortKey=None, **page):
    found = [o for o in _orders(info.context.shop, query) if o.customer_id == customer.id]
    return connection(found, sort_key=_ORDER_SORT.get(sortKey), **page)


# -- FulfillmentOrder / Fulfillment fields ---------------------------------------------------------------
@field("FulfillmentOrder", "order")
def resolve_fo_order(fulfillment_order, info):
    return info.context.shop.orders.get(fulfillment_order.order_id)


@field("FulfillmentOrder", "orderId")
def resolve_fo_order_id(fulfillment_order, _info):
    return f"gid://shopify/{Order.TYPENAME}/{fulfillment_order.order_id}"


@field("FulfillmentOrder", "orderName")
def resolve_fo_order_name(fulfillment_order, info):
    return info.context.shop.orders[fulfillment_order.order_id].name


@field("FulfillmentOrder", "orderProcessedAt")
def resolve_fo_processed_at(fulfillment_order, info):
    return info.context.shop.orders[fulfillment_order.order_id].processed_at


@field("FulfillmentOrder", "assignedLocation")
def resolve_fo_location(fulfillment_order, info):
    location = info.context.shop.locations.get(fulfillment_order.location_id)
    return {"name": location.name if location else "", "location": location, "countryCode": "US"}


@field("FulfillmentOrder", "requestStatus")
def resolve_fo_request_status(_fulfillment_order, _info):
    return "UNSUBMITTED"


@field("FulfillmentOrder", "supportedActions")
def resolve_fo_actions(fulfillment_order, _info):
    if fulfillment_order.status in ("OPEN", "IN_PROGRESS"):
        return [{"action": "CREATE_FULFILLMENT"}]
    return []


@field("FulfillmentOrder", "fulfillmentHolds")
def resolve_fo_holds(_fulfillment_order, _info):
    return []


@field("FulfillmentOrder", "lineItems")
def resolve_fo_line_items(fulfillment_order, _info, **page):
    return connection([line for line in fulfillment_order.line_items if line.total_quantity], **page)


@field("FulfillmentOrder", "fulfillments")
def resolve_fo_fulfillments(fulfillment_order, info, **page):
    return connection([info.context.shop.fulfillments[i] for i in fulfillment_order.fulfillment_ids], **page)


def _fo_line_item(fo_line, info):
    return info.context.shop.line_items.get(fo_line.line_item_id)


@field("FulfillmentOrderLineItem", "lineItem")
def resolve_fo_line_line_item(fo_line, info):
    return _fo_line_item(fo_line, info)


for _name, _attr in {
    "sku": "sku",
    "productTitle": "title",
    "variantTitle": "variant_title",
    "vendor": "vendor",
    "requiresShipping": "requires_shipping",
}.items():
    field("FulfillmentOrderLineItem", _name)(
        lambda fo_line, info, _attr=_attr: getattr(_fo_line_item(fo_line, info), _attr, None)
    )


@field("FulfillmentOrderLineItem", "variant")
def resolve_fo_line_variant(fo_line, info):
    line = _fo_line_item(fo_line, info)
    return info.context.shop.variants.get(line.variant_id) if line else None


@field("FulfillmentOrderLineItem", "inventoryItemId")
def resolve_fo_line_item_id(fo_line, info):
    line = _fo_line_item(fo_line, info)
    return (
        f"gid://shopify/InventoryItem/{line.inventory_item_id}" if line and line.inventory_item_id else None
    )


@field("Fulfillment", "order")
def resolve_fulfillment_order_of(fulfillment, info):
    return info.context.shop.orders.get(fulfillment.order_id)


@field("Fulfillment", "location")
def resolve_fulfillment_location(fulfillment, info):
    return info.context.shop.locations.get(fulfillment.location_id)


@field("Fulfillment", "trackingInfo")
def resolve_fulfillment_tracking(fulfillment, _info, first=None):
    return fulfillment.tracking_info[:first] if first is not None else fulfillment.tracking_info


@field("Fulfillment", "totalQuantity")
def resolve_fulfillment_quantity(fulfillment, _info):
    return sum(quantity for _line, quantity in fulfillment.lines)


@field("Fulfillment", "displayStatus")
def resolve_fulfillment_display_status(_fulfillment, _info):
    return "FULFILLED"


@field("Fulfillment", "requiresShipping")
def resolve_fulfillment_requires_shipping(_fulfillment, _info):
    return True


@field("Fulfillment", "fulfillmentLineItems")
def resolve_fulfillment_line_items(fulfillment, info, **page):
    shop = info.context.shop
    order = shop.orders.get(fulfillment.order_id)
    rows = []
    for position, (line_id, quantity) in enumerate(fulfillment.lines):
        line = shop.line_items.get(line_id)
        rows.append(
            Indexed(
                id=fulfillment.id * 1000 + position,
                lineItem=line,
                quantity=quantity,
                originalTotalSet=money_bag(shop, order, line.unit_price * quantity),
                discountedTotalSet=money_bag(shop, order, line.unit_price * quantity),
            )
        )
    page_of = connection(rows, **page)
    for edge in page_of["edges"]:
        edge["node"] = {**edge["node"], "id": f"gid://shopify/FulfillmentLineItem/{edge['node']['id']}"}
    page_of["nodes"] = [edge["node"] for edge in page_of["edges"]]
    return page_of


@field("Fulfillment", "fulfillmentOrders")
def resolve_fulfillment_fos(fulfillment, info, **page):
    shop = info.context.shop
    return connection([shop.fulfillment_orders[i] for i in fulfillment.fulfillment_order_ids], **page)


# -- mutations -----------------------------------------------------------------------------------------
@mutation("fulfillmentCreate")
def resolve_fulfillment_create(_root, info, fulfillment, message=None):
    requests = [
        (
            entry["fulfillmentOrderId"],
            [(row["id"], row["quantity"]) for row in entry["fulfillmentOrderLineItems"]]
            if entry.get("fulfillmentOrderLineItems")
            else None,
        )
        for entry in fulfillment["lineItemsByFulfillmentOrder"]
    ]
    created, errors = order_logic.fulfill(
        info.context.shop, requests, fulfillment.get("trackingInfo"), bool(fulfillment.get("notifyCustomer"))
    )
    return {"fulfillment": created, "userErrors": errors}
