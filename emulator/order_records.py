"""In-memory records of orders, customers and fulfillment (same conventions as `records.py`: attribute =
snake_case of the GraphQL field; amounts are `Decimal`s in the shop's currency)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .records import Record, gid


@dataclass
class Customer(Record):
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    default_address: dict | None = None  # MailingAddress-shaped (GraphQL keys)
    tags: list = field(default_factory=list)
    other_addresses: list = field(default_factory=list)  # besides the default (same shape as default_address)
    note: str | None = None
    tax_exempt: bool = False
    # Not the GraphQL fields' shape (REST-like, for webhook bodies); named apart so no field resolves to them.
    # {"state": "SUBSCRIBED", "opt_in_level": "SINGLE_OPT_IN", "consent_updated_at": datetime} or None
    email_consent: dict | None = None
    sms_consent: dict | None = None

    TYPENAME = "Customer"

    @property
    def display_name(self):
        return f"{self.first_name} {self.last_name}".strip() or (self.email or "")


@dataclass
class TaxLine:
    title: str
    rate: Decimal
    amount: Decimal


@dataclass
class LineItem:
    id: int
    variant_id: int | None
    product_id: int | None
    sku: str | None
    title: str
    variant_title: str | None
    vendor: str | None
    quantity: int  # as ordered (Shopify keeps removed units in `quantity`)
    current_quantity: int  # after edits and cancellation
    unit_price: Decimal
    taxable: bool = True
    requires_shipping: bool = True
    inventory_item_id: int | None = None
    location_id: int | None = None  # where its stock was committed
    fulfilled_quantity: int = 0
    tax_lines: list = field(default_factory=list)  # [TaxLine]
    discount_allocations: list = field(default_factory=list)  # [(application index, Decimal)]
    is_gift_card: bool = False
    order_id: int = 0
    refunded_quantity: int = 0  # units given back by refunds (no longer in current_quantity)

    TYPENAME = "LineItem"

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)

    @property
    def discount(self):
        return sum((amount for _index, amount in self.discount_allocations), Decimal("0"))


@dataclass
class ShippingLine:
    id: int
    title: str
    code: str
    price: Decimal
    tax_lines: list = field(default_factory=list)  # [TaxLine]
    is_removed: bool = False
    order_id: int = 0

    TYPENAME = "ShippingLine"

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)


@dataclass
class Order(Record):
    number: int = 1001
    email: str | None = None
    phone: str | None = None
    customer_id: int | None = None
    billing_address: dict | None = None
    shipping_address: dict | None = None
    presentment_currency: str = "USD"
    exchange_rate: Decimal = Decimal("1")  # presentment units per shop unit
    taxes_included: bool = False
    line_items: list = field(default_factory=list)  # [LineItem]
    shipping_lines: list = field(default_factory=list)  # [ShippingLine]
    discount_applications: list = field(default_factory=list)  # [dict(type, code, value, value_type)]
    financial_status: str = "PAID"  # OrderDisplayFinancialStatus
    processed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    closed_at: datetime | None = None
    note: str | None = None
    tags: list = field(default_factory=list)
    source_name: str = "web"
    test: bool = False
    edited: bool = False
    original_total: Decimal = Decimal("0")
    fulfillment_order_ids: list = field(default_factory=list)
    fulfillment_ids: list = field(default_factory=list)
    transaction_ids: list = field(default_factory=list)
    refund_ids: list = field(default_factory=list)
    risk_level: str = "LOW"  # RiskAssessmentResult of Shopify's own assessment
    risk_facts: list = field(default_factory=list)  # [(description, sentiment)]

    TYPENAME = "Order"

    @property
    def name(self):
        return f"#{self.number}"


@dataclass
class FulfillmentOrderLine:
    id: int
    line_item_id: int
    total_quantity: int
    remaining_quantity: int

    TYPENAME = "FulfillmentOrderLineItem"

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)


@dataclass
class FulfillmentOrder(Record):
    order_id: int = 0
    location_id: int = 0
    status: str = "OPEN"
    line_items: list = field(default_factory=list)  # [FulfillmentOrderLine]
    fulfillment_ids: list = field(default_factory=list)

    TYPENAME = "FulfillmentOrder"


@dataclass
class Fulfillment(Record):
    order_id: int = 0
    location_id: int = 0
    name: str = ""
    status: str = "SUCCESS"
    tracking_info: list = field(default_factory=list)  # [{company, number, url}]
    lines: list = field(default_factory=list)  # [(line item id, quantity)]
    fulfillment_order_ids: list = field(default_factory=list)

    TYPENAME = "Fulfillment"


@dataclass
class OrderEdit(Record):
    """What an edit changed (the body of `orders/edited`)."""

    order_id: int = 0
    additions: list = field(default_factory=list)  # [(line item id, quantity)]
    removals: list = field(default_factory=list)  # [(line item id, quantity)]

    TYPENAME = "OrderEditSession"


@dataclass
class OrderTransaction(Record):
    """One money movement of an order (sale, capture, authorization, refund, void), in shop money."""

    order_id: int = 0
    kind: str = "SALE"  # OrderTransactionKind
    status: str = "SUCCESS"  # OrderTransactionStatus
    gateway: str = "shopify_payments"
    amount: Decimal = Decimal("0")
    processed_at: datetime | None = None
    parent_id: int | None = None
    refund_id: int | None = None
    test: bool = False

    TYPENAME = "OrderTransaction"


@dataclass
class RefundLine:
    id: int
    line_item_id: int
    quantity: int
    restock_type: str  # RefundLineItemRestockType: RETURN, CANCEL, NO_RESTOCK
    location_id: int | None
    subtotal: Decimal  # after the line's discount; includes the tax when the shop's prices do
    tax: Decimal

    TYPENAME = "RefundLineItem"

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)

    @property
    def restocked(self):
        return self.restock_type != "NO_RESTOCK"


@dataclass
class Refund(Record):
    """A refund: lines (with restock), shipping, an adjustment for a discrepancy, its transactions."""

    order_id: int = 0
    note: str | None = None
    lines: list = field(default_factory=list)  # [RefundLine]
    shipping_amount: Decimal = Decimal("0")  # tax included when the shop's prices include it
    shipping_tax: Decimal = Decimal("0")
    discrepancy: Decimal = Decimal("0")  # money refunded beyond (+) or short of (-) the items
    transaction_ids: list = field(default_factory=list)
    processed_at: datetime | None = None

    TYPENAME = "Refund"
