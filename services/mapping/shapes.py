"""The canonical shapes the mapping modules produce: an order (services/mapping/orders.py) and a product
(services/mapping/products.py), whatever the source (webhook body, GraphQL node, Odoo record).

TypedDicts: the values stay plain dicts (JSON-able snapshots, `dict(...)` copies, `.get`), and a reader
or a type checker sees every key and its type in one place. Every key is always present.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict

# ------------------------------------------------------------------------------------------------
# Orders: money is Decimal in *shop* money (the order's `currency`); timestamps are naive UTC.
# ------------------------------------------------------------------------------------------------


class OrderTax(TypedDict):
    title: str
    rate: Decimal  # 0.19, from Shopify's decimal text, never binary arithmetic
    amount: Decimal


class OrderLine(TypedDict):
    gid: str | None
    variant_gid: str | None
    sku: str | None
    title: str
    quantity: int  # current: after edits and refunds
    billed: int  # after edits, before refunds (current + refunded): what an edit changes
    unit_price: Decimal
    discount: Decimal
    taxes: list[OrderTax]
    is_gift_card: bool
    requires_shipping: bool


class ShippingLine(TypedDict):
    title: str
    code: str
    price: Decimal
    discount: Decimal
    taxes: list[OrderTax]


class OrderCustomer(TypedDict):
    gid: str | None
    email: str | None  # lower case
    phone: str | None
    first_name: str
    last_name: str


class OrderAddress(TypedDict):
    """Every key of orders._REST_ADDRESS_KEYS / _GQL_ADDRESS_KEYS, stripped text ("" when absent)."""

    first_name: str
    last_name: str
    name: str
    company: str
    street: str
    street2: str
    city: str
    zip: str
    state_code: str
    country_code: str  # upper case
    phone: str


class OrderRisk(TypedDict):
    level: str  # highest assessment: none, low, medium, high, pending
    recommendation: str  # accept, investigate, cancel, none
    facts: list[str]


class Order(TypedDict):
    gid: str | None
    name: str
    email: str | None
    phone: str | None
    currency: str
    presentment_currency: str
    taxes_included: bool
    processed_at: datetime | None
    updated_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    financial_status: str | None
    fulfillment_status: str | None
    total_price: Decimal
    current_total_price: Decimal  # after edits and refunds: what the current lines add up to
    presentment_total_price: Decimal
    subtotal_price: Decimal
    total_tax: Decimal
    total_discounts: Decimal
    tip: Decimal
    note: str
    tags: str  # comma-separated, as Shopify's REST body
    source_name: str
    customer: OrderCustomer | None
    billing_address: OrderAddress | None
    shipping_address: OrderAddress | None
    lines: list[OrderLine]
    shipping_lines: list[ShippingLine]
    refund_gids: list[str]  # refunds the current lines already reflect
    risk: OrderRisk | None  # None: the payload says nothing of it (webhook bodies)
    warnings: list[tuple[str, str]]  # (path, message) of values left out, e.g. an e-mail of the wrong shape


# ------------------------------------------------------------------------------------------------
# Products: money is Decimal rounded to the shop currency; weight in kilograms.
# ------------------------------------------------------------------------------------------------
ProductStatus = Literal["ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED"]


class ProductFields(TypedDict):
    title: str
    description_html: str  # as plain text
    vendor: str
    product_type: str
    tags: list[str]  # sorted
    status: ProductStatus


class VariantFields(TypedDict):
    price: Decimal | None
    compare_at_price: Decimal | None
    sku: str
    barcode: str
    weight: Decimal | None  # kilograms


class ProductOption(TypedDict):
    name: str
    values: list[str]


class Variant(TypedDict):
    gid: str | None
    inventory_item_gid: str | None
    option_values: list[str | None]  # in option order
    fields: VariantFields
    odoo_id: NotRequired[int]  # only in the Odoo side's product (the product.product it is)


class Product(TypedDict):
    gid: str | None
    handle: str | None
    updated_at: datetime | None  # aware UTC
    fields: ProductFields
    options: list[ProductOption]
    variants: list[Variant]


# ------------------------------------------------------------------------------------------------
# Customers (services/mapping/customers.py)
# ------------------------------------------------------------------------------------------------


class MarketingConsent(TypedDict):
    state: (
        str | None
    )  # subscribed | not_subscribed | unsubscribed | pending | redacted | invalid (lower case)
    opt_in_level: str | None  # single_opt_in | confirmed_opt_in | unknown
    updated_at: datetime | None  # when the customer gave or withdrew it


class Customer(TypedDict):
    gid: str
    first_name: str
    last_name: str
    email: str | None  # lower-cased, well-formed (else None)
    phone: str | None
    company: str | None  # the default address's company
    note: str | None
    tags: list[str]
    tax_exempt: bool
    default_address: OrderAddress | None
    addresses: list[OrderAddress]  # the others, default excluded
    email_consent: MarketingConsent | None
    sms_consent: MarketingConsent | None
    updated_at: datetime | None


class CustomerSnapshot(TypedDict):
    """A customer's synced fields as both sides compare them (mapping.customers.CUSTOMER_FIELDS): the
    export's and the import's three-way merge run on these (services/mapping/merge.py)."""

    name: str  # first and last name, one space between words
    email: str  # lower case, "" when none
    phone: str
    note: str
    tags: list[str]  # sorted
    tax_exempt: bool
