"""Shopify Payments as the emulator plays it: the balance of successful `shopify_payments` transactions
(minus fees), payouts that take what the balance holds in one currency, disputes that withdraw an order's
money and give it back when won.

Balance transactions are made when a payout is created (`settle`), from every successful sale, capture
and refund of the `shopify_payments` gateway not yet in the balance: the order side (emulator/orders.py)
knows nothing of payouts. A charge is in the order's presentment currency when the shop is paid out in
that currency (`shop.payout_currencies`), else in the shop currency.
"""

from datetime import timedelta
from decimal import Decimal

from .orders import OrderInputError, cents
from .payout_records import BalanceTransaction, Dispute, Payout

GATEWAY = "shopify_payments"
PAYOUT_STATUSES = ("SCHEDULED", "IN_TRANSIT", "PAID", "FAILED", "CANCELED")
DISPUTE_FINAL = ("WON", "LOST", "ACCEPTED", "CHARGE_REFUNDED")
DISPUTE_STATUSES = ("NEEDS_RESPONSE", "UNDER_REVIEW", *DISPUTE_FINAL)
# What Shopify Payments charges in the emulator: 2.9 % + 0.30 per charge, 15.00 per chargeback.
FEE_RATE = Decimal("0.029")
FEE_FIXED = Decimal("0.30")
CHARGEBACK_FEE = Decimal("15.00")


def charge_fee(amount):
    return cents(amount * FEE_RATE + FEE_FIXED)


def _currency_and_amount(shop, order, amount):
    """The balance's currency for this order's money, and the amount in it."""
    if order.presentment_currency != shop.currency and order.presentment_currency in shop.payout_currencies:
        return order.presentment_currency, cents(amount * order.exchange_rate)
    return shop.currency, cents(amount)


def _balance_transaction(shop, **values):
    now = shop.now()
    record = BalanceTransaction(
        id=shop.next_id(), created_at=now, updated_at=now, transaction_date=now, **values
    )
    shop.balance_transactions[record.id] = record
    return record


def settle(shop):
    """Every successful shopify_payments sale/capture/refund not yet in the balance gets its balance
    transaction (a charge with its fee, a refund without); returns the new ones."""
    known = {b.source_order_transaction_id for b in shop.balance_transactions.values()}
    made = []
    for transaction in sorted(shop.transactions.values(), key=lambda t: t.id):
        if transaction.id in known or transaction.gateway != GATEWAY or transaction.status != "SUCCESS":
            continue
        if transaction.kind not in ("SALE", "CAPTURE", "REFUND"):
            continue
        order = shop.orders[transaction.order_id]
        currency, amount = _currency_and_amount(shop, order, transaction.amount)
        is_refund = transaction.kind == "REFUND"
        made.append(
            _balance_transaction(
                shop,
                type="REFUND" if is_refund else "CHARGE",
                source_type="REFUND" if is_refund else "CHARGE",
                source_id=transaction.refund_id if is_refund else transaction.id,
                source_order_transaction_id=transaction.id,
                order_id=order.id,
                currency=currency,
                amount=-amount if is_refund else amount,
                fee=Decimal("0") if is_refund else charge_fee(amount),
                test=transaction.test,
            )
        )
    return made


def adjust(shop, amount, reason, currency=None, fee="0"):
    """A balance adjustment Shopify makes (e.g. a correction): `amount` signed."""
    with shop.lock:
        return _balance_transaction(
            shop,
            type="ADJUSTMENT",
            source_type="ADJUSTMENT",
            currency=(currency or shop.currency).upper(),
            amount=cents(amount),
            fee=cents(fee),
            adjustment_reason=reason,
        )


def create_payout(shop, currency=None, status="SCHEDULED", issued_at=None):
    """A payout of everything the balance holds in `currency` (default the shop's) and no payout took
    yet; a payout of nothing is refused."""
    currency = (currency or shop.currency).upper()
    if status not in PAYOUT_STATUSES:
        raise OrderInputError(f"status must be one of {', '.join(PAYOUT_STATUSES)}")
    with shop.lock:
        settle(shop)
        taken = [
            b
            for b in sorted(shop.balance_transactions.values(), key=lambda b: b.id)
            if b.payout_id is None and b.currency == currency
        ]
        if not taken:
            raise OrderInputError(f"nothing in the {currency} balance to pay out")
        now = shop.now()
        payout = Payout(
            id=shop.next_id(),
            created_at=now,
            updated_at=now,
            status=status,
            currency=currency,
            issued_at=issued_at or now,
            transaction_ids=[b.id for b in taken],
        )
        for balance_transaction in taken:
            balance_transaction.payout_id = payout.id
            balance_transaction.updated_at = now
        shop.payouts[payout.id] = payout
        return payout


def set_payout_status(shop, payout, status):
    if status not in PAYOUT_STATUSES:
        raise OrderInputError(f"status must be one of {', '.join(PAYOUT_STATUSES)}")
    with shop.lock:
        payout.status = status
        payout.updated_at = shop.now()
        return payout


def payout_totals(shop, payout):
    """gross (charges + refunds + adjustments), fee and net of a payout, and the summary's parts."""
    parts = {"charges": [], "refunds": [], "adjustments": []}
    for balance_transaction in (shop.balance_transactions[i] for i in payout.transaction_ids):
        kind = {"CHARGE": "charges", "REFUND": "refunds"}.get(balance_transaction.type, "adjustments")
        parts[kind].append(balance_transaction)
    zero = Decimal("0")
    summary = {
        kind: (sum((b.amount for b in rows), zero), sum((b.fee for b in rows), zero))
        for kind, rows in parts.items()
    }
    gross = sum((amount for amount, _fee in summary.values()), zero)
    fee = sum((fee for _amount, fee in summary.values()), zero)
    return {"gross": gross, "fee": fee, "net": gross - fee, "summary": summary}


def open_dispute(shop, order, amount=None, reason="FRAUDULENT", kind="CHARGEBACK", fee=CHARGEBACK_FEE):
    """A customer's bank disputes the order's payment: the amount (default all it received by
    shopify_payments) leaves the balance with the chargeback fee (a chargeback; an inquiry moves no
    money). Emits disputes/create."""
    with shop.lock:
        paid = [
            t
            for t in (shop.transactions[i] for i in order.transaction_ids)
            if t.gateway == GATEWAY and t.status == "SUCCESS" and t.kind in ("SALE", "CAPTURE")
        ]
        if not paid:
            raise OrderInputError(f"order {order.name} has no Shopify Payments charge to dispute")
        currency, disputed = _currency_and_amount(shop, order, sum((t.amount for t in paid), Decimal("0")))
        if amount is not None:  # given in the balance's currency
            disputed = cents(amount)
        now = shop.now()
        dispute = Dispute(
            id=shop.next_id(),
            created_at=now,
            updated_at=now,
            order_id=order.id,
            currency=currency,
            amount=disputed,
            type=kind,
            reason=reason,
            network_reason_code="4837" if reason == "FRAUDULENT" else None,
            initiated_at=now,
            evidence_due_by=now + timedelta(days=14),
        )
        shop.disputes[dispute.id] = dispute
        if kind == "CHARGEBACK":
            _balance_transaction(
                shop,
                type="DISPUTE_WITHDRAWAL",
                source_type="DISPUTE",
                source_id=dispute.id,
                order_id=order.id,
                currency=currency,
                amount=-disputed,
                fee=cents(fee),
            )
        shop.emit("disputes/create", dispute)
        return dispute


def update_dispute(shop, dispute, status):
    """The dispute moves on (evidence sent → UNDER_REVIEW) or ends: WON gives the money back to the
    balance (the fee stays taken), LOST / ACCEPTED keep it withdrawn. Emits disputes/update."""
    if status not in DISPUTE_STATUSES:
        raise OrderInputError(f"status must be one of {', '.join(DISPUTE_STATUSES)}")
    with shop.lock:
        if dispute.status in DISPUTE_FINAL:
            raise OrderInputError(f"dispute {dispute.id} is already {dispute.status}")
        now = shop.now()
        dispute.status = status
        dispute.updated_at = now
        if status == "UNDER_REVIEW":
            dispute.evidence_sent_on = now
        if status in DISPUTE_FINAL:
            dispute.finalized_on = now
        if status == "WON" and dispute.type == "CHARGEBACK":
            _balance_transaction(
                shop,
                type="DISPUTE_REVERSAL",
                source_type="DISPUTE",
                source_id=dispute.id,
                order_id=dispute.order_id,
                currency=dispute.currency,
                amount=dispute.amount,
                fee=Decimal("0"),
            )
        shop.emit("disputes/update", dispute)
        return dispute
