"""In-memory records of Shopify Payments: balance transactions, payouts and disputes (same conventions as
`records.py`: attribute = snake_case of the GraphQL field; money is `Decimal` in the record's `currency`)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .records import Record


@dataclass
class BalanceTransaction(Record):
    """One movement of the Shopify Payments balance: a charge, a refund, an adjustment, a dispute's
    withdrawal or reversal. `net` = `amount` - `fee`; `payout_id` is None until a payout takes it."""

    type: str = "CHARGE"  # ShopifyPaymentsTransactionType
    source_type: str | None = "CHARGE"  # ShopifyPaymentsSourceType
    source_id: int | None = None
    source_order_transaction_id: int | None = None
    order_id: int | None = None
    currency: str = "USD"
    amount: Decimal = Decimal("0")
    fee: Decimal = Decimal("0")
    adjustment_reason: str | None = None
    test: bool = False
    transaction_date: datetime | None = None
    payout_id: int | None = None

    TYPENAME = "ShopifyPaymentsBalanceTransaction"

    @property
    def net(self):
        return self.amount - self.fee


@dataclass
class Payout(Record):
    """A transfer of the balance (in one currency) to the merchant's bank: the sum of its transactions'
    nets. Status SCHEDULED → IN_TRANSIT → PAID (or FAILED / CANCELED)."""

    status: str = "SCHEDULED"  # ShopifyPaymentsPayoutStatus
    currency: str = "USD"
    issued_at: datetime | None = None
    transaction_type: str = "DEPOSIT"
    transaction_ids: list = field(default_factory=list)

    TYPENAME = "ShopifyPaymentsPayout"


@dataclass
class Dispute(Record):
    """A chargeback or inquiry on an order's payment."""

    order_id: int | None = None
    currency: str = "USD"
    amount: Decimal = Decimal("0")
    status: str = "NEEDS_RESPONSE"  # DisputeStatus
    type: str = "CHARGEBACK"  # DisputeType
    reason: str = "FRAUDULENT"  # ShopifyPaymentsDisputeReason
    network_reason_code: str | None = None
    initiated_at: datetime | None = None
    evidence_due_by: datetime | None = None
    evidence_sent_on: datetime | None = None
    finalized_on: datetime | None = None

    TYPENAME = "ShopifyPaymentsDispute"
