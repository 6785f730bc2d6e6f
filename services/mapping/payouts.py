"""Shopify Payments payouts, balance transactions and disputes → plain dicts. Pure: no Odoo, no I/O.

Money is `Decimal` in the payout's (or dispute's) own currency, signed as Shopify signs it: a charge is
positive, a refund or a dispute's withdrawal negative; `net` = `amount` - `fee`. A balance transaction
coming from an order transaction carries that transaction's GID (what the order's payment is keyed by).
"""

from decimal import Decimal

from ..gid import to_gid
from ..payload_checks import MAX_AMOUNT, Currency, Gid, Id, Money, Obj, Text, Timestamp, check
from .orders import money, timestamp

_SIGNED = Obj({"amount": Money(minimum=-MAX_AMOUNT, required=True), "currencyCode": Currency(required=True)})

PAYOUT = Obj(
    {
        "id": Gid("ShopifyPaymentsPayout", required=True),
        "status": Text(required=True),
        "issuedAt": Timestamp(),
        "net": _SIGNED,
        "summary": Obj(
            dict.fromkeys(
                (
                    "chargesGross",
                    "chargesFee",
                    "refundsFeeGross",
                    "refundsFee",
                    "adjustmentsGross",
                    "adjustmentsFee",
                ),
                _SIGNED,
            )
        ),
    }
)
BALANCE_TRANSACTION = Obj(
    {
        "id": Gid("ShopifyPaymentsBalanceTransaction", required=True),
        "type": Text(required=True),
        "sourceType": Text(),
        "sourceId": Id(),
        "sourceOrderTransactionId": Id(),
        "adjustmentReason": Text(None),
        "transactionDate": Timestamp(),
        "amount": _SIGNED,
        "fee": _SIGNED,
        "net": _SIGNED,
        "associatedOrder": Obj({"id": Gid("Order"), "name": Text()}),
    }
)
REST_DISPUTE = Obj(
    {
        "id": Id(required=True),
        "order_id": Id(),
        "type": Text(),
        "amount": Money(required=True),
        "currency": Currency(required=True),
        "reason": Text(),
        "network_reason_code": Text(),
        "status": Text(required=True),
        "initiated_at": Timestamp(),
        "evidence_due_by": Timestamp(),
        "finalized_on": Timestamp(),
    }
)
GRAPHQL_DISPUTE = Obj(
    {
        "id": Gid("ShopifyPaymentsDispute", required=True),
        "status": Text(required=True),
        "type": Text(),
        "initiatedAt": Timestamp(),
        "amount": Obj({"amount": Money(required=True), "currencyCode": Currency(required=True)}),
        "reasonDetails": Obj({"reason": Text(), "networkReasonCode": Text()}),
        "order": Obj({"id": Gid("Order"), "name": Text()}),
    }
)

# Shopify statuses: a payout is final once PAID (then booked) or FAILED / CANCELED (never booked).
PAID = "PAID"
NOT_YET = ("SCHEDULED", "IN_TRANSIT")
DISPUTE_FINAL = ("WON", "LOST", "ACCEPTED", "CHARGE_REFUNDED")
DISPUTE_TYPES = ("DISPUTE_WITHDRAWAL", "DISPUTE_REVERSAL")


def _amount(value):
    return money((value or {}).get("amount"))


def payout_from_graphql(node):
    """A `ShopifyPaymentsPayout` node: gid, status, issued_at, currency, gross, fee, net."""
    check(node, PAYOUT)
    summary = node.get("summary") or {}
    gross = sum(
        (_amount(summary.get(name)) for name in ("chargesGross", "refundsFeeGross", "adjustmentsGross")),
        Decimal("0"),
    )
    fee = sum(
        (_amount(summary.get(name)) for name in ("chargesFee", "refundsFee", "adjustmentsFee")), Decimal("0")
    )
    return {
        "gid": node["id"],
        "status": node["status"],
        "issued_at": timestamp(node.get("issuedAt")),
        "currency": (node.get("net") or {}).get("currencyCode"),
        "gross": gross,
        "fee": fee,
        "net": _amount(node.get("net")),
    }


def balance_transaction_from_graphql(node):
    """A `ShopifyPaymentsBalanceTransaction` node, with the GIDs of its order, order transaction and
    dispute (None when it has none)."""
    check(node, BALANCE_TRANSACTION)
    order = node.get("associatedOrder") or {}
    source_type = node.get("sourceType")
    source_id = node.get("sourceId")
    transaction_id = node.get("sourceOrderTransactionId")
    return {
        "gid": node["id"],
        "type": node["type"],
        "source_type": source_type,
        "transaction_gid": to_gid("OrderTransaction", transaction_id) if transaction_id else None,
        "dispute_gid": to_gid("ShopifyPaymentsDispute", source_id)
        if source_type == "DISPUTE" and source_id
        else None,
        "order_gid": order.get("id"),
        "order_name": order.get("name"),
        "adjustment_reason": node.get("adjustmentReason"),
        "date": timestamp(node.get("transactionDate")),
        "currency": (node.get("amount") or {}).get("currencyCode"),
        "amount": _amount(node.get("amount")),
        "fee": _amount(node.get("fee")),
        "net": _amount(node.get("net")),
    }


def dispute_from_rest(payload):
    """The body of disputes/create and disputes/update."""
    check(payload, REST_DISPUTE)
    return {
        "gid": to_gid("ShopifyPaymentsDispute", payload["id"]),
        "order_gid": to_gid("Order", payload["order_id"]) if payload.get("order_id") else None,
        "order_name": None,
        "kind": (payload.get("type") or "chargeback").upper(),
        "amount": money(payload.get("amount")),
        "currency": payload["currency"].upper(),
        "reason": (payload.get("reason") or "").upper() or None,
        "network_reason_code": payload.get("network_reason_code"),
        "status": payload["status"].upper(),
        "initiated_at": timestamp(payload.get("initiated_at")),
        "evidence_due_by": timestamp(payload.get("evidence_due_by")),
        "finalized_on": timestamp(payload.get("finalized_on")),
    }


def dispute_from_graphql(node):
    """A `ShopifyPaymentsDispute` node (the daily read's safety net)."""
    check(node, GRAPHQL_DISPUTE)
    order = node.get("order") or {}
    reason = node.get("reasonDetails") or {}
    return {
        "gid": node["id"],
        "order_gid": order.get("id"),
        "order_name": order.get("name"),
        "kind": node.get("type") or "CHARGEBACK",
        "amount": _amount(node.get("amount")),
        "currency": (node.get("amount") or {}).get("currencyCode"),
        "reason": reason.get("reason"),
        "network_reason_code": reason.get("networkReasonCode"),
        "status": node["status"],
        "initiated_at": timestamp(node.get("initiatedAt")),
        "evidence_due_by": None,
        "finalized_on": None,
    }
