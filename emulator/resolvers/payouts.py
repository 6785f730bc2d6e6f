"""Shopify Payments: the account (`shopifyPaymentsAccount`) with its payouts, balance transactions and
disputes, and the root `disputes` / `dispute` queries (emulator/payouts.py holds the logic)."""

from graphql import get_named_type

from .. import payouts as payout_logic
from ..coverage import snake
from .common import connection, parse_gid, parse_search, search_filter
from .nodes import NODE_STORES
from .registry import field, query, shape

shape(
    "ShopifyPaymentsAccount",
    "id",
    "activated",
    "country",
    "defaultCurrency",
    "onboardable",
    "accountOpenerName",
)
shape(
    "ShopifyPaymentsPayoutSummary",
    "chargesGross",
    "chargesFee",
    "refundsFeeGross",
    "refundsFee",
    "adjustmentsGross",
    "adjustmentsFee",
    "reservedFundsGross",
    "reservedFundsFee",
    "retriedPayoutsGross",
    "retriedPayoutsFee",
    "advanceGross",
    "advanceFees",
    "usdcRebateCreditAmount",
)
shape("ShopifyPaymentsAssociatedOrder", "id", "name")
shape("ShopifyPaymentsBalanceTransactionAssociatedPayout", "id", "status")
shape("ShopifyPaymentsDisputeReasonDetails", "reason", "networkReasonCode")


def _money(amount, currency):
    return {"amount": f"{payout_logic.cents(amount)}", "currencyCode": currency}


@query("shopifyPaymentsAccount")
def resolve_account(_root, info):
    shop = info.context.shop
    return {
        "id": "gid://shopify/ShopifyPaymentsAccount/1",
        "activated": True,
        "country": "US",
        "defaultCurrency": shop.currency,
        "onboardable": False,
        "accountOpenerName": shop.name,
    }


# -- payouts -------------------------------------------------------------------------------------------
_PAYOUT_SEARCH = {
    "id": lambda p: p.id,
    "status": lambda p: p.status.lower(),
    "issued_at": lambda p: p.issued_at,
    "currency": lambda p: p.currency.lower(),
}
_PAYOUT_SORT = {"ID": lambda p: p.id, "ISSUED_AT": lambda p: p.issued_at, "STATUS": lambda p: p.status}


@field("ShopifyPaymentsAccount", "payouts")
def resolve_payouts(
    _account, info, first=None, last=None, after=None, before=None, query=None, reverse=False, sortKey=None,
    transactionType=None, savedSearchId=None,
):  # fmt: skip
    payouts = list(info.context.shop.payouts.values())
    if transactionType:
        payouts = [p for p in payouts if p.transaction_type == transactionType]
    payouts = search_filter(payouts, query, _PAYOUT_SEARCH, "id")
    return connection(
        payouts, first, last, after, before, reverse, sort_key=_PAYOUT_SORT.get(sortKey or "ID")
    )


def _totals(info, payout):
    return payout_logic.payout_totals(info.context.shop, payout)


@field("ShopifyPaymentsPayout", "net")
def resolve_payout_net(payout, info):
    return _money(_totals(info, payout)["net"], payout.currency)


@field("ShopifyPaymentsPayout", "gross")
def resolve_payout_gross(payout, info):
    return _money(_totals(info, payout)["gross"], payout.currency)


@field("ShopifyPaymentsPayout", "summary")
def resolve_payout_summary(payout, info):
    summary = _totals(info, payout)["summary"]
    zero = _money(0, payout.currency)
    unused = (
        "reservedFundsGross",
        "reservedFundsFee",
        "retriedPayoutsGross",
        "retriedPayoutsFee",
        "advanceGross",
        "advanceFees",
        "usdcRebateCreditAmount",
    )  # the emulator has no reserves, retried payouts, advances or USDC rebates
    values = dict.fromkeys(unused, zero)
    for kind, gross_name, fee_name in (
        ("charges", "chargesGross", "chargesFee"),
        ("refunds", "refundsFeeGross", "refundsFee"),
        ("adjustments", "adjustmentsGross", "adjustmentsFee"),
    ):
        amount, fee = summary[kind]
        values[gross_name] = _money(amount, payout.currency)
        values[fee_name] = _money(fee, payout.currency)
    return values


# -- balance transactions ------------------------------------------------------------------------------
def _payout_status(info, record):
    payout = info.context.shop.payouts.get(record.payout_id)
    return payout.status if payout else "PENDING"


_BALANCE_SEARCH = {
    "id": lambda b: b.id,
    "payments_transfer_id": lambda b: b.payout_id,
    "processed_at": lambda b: b.transaction_date,
    "transaction_type": lambda b: b.type.lower(),
    "currency": lambda b: b.currency.lower(),
}
_BALANCE_SORT = {
    "ID": lambda b: b.id,
    "PROCESSED_AT": lambda b: b.transaction_date,
    "AMOUNT": lambda b: b.amount,
}


@field("ShopifyPaymentsAccount", "balanceTransactions")
def resolve_balance_transactions(
    _account, info, first=None, last=None, after=None, before=None, query=None, reverse=False, sortKey=None,
    hideTransfers=None, savedSearchId=None,
):  # fmt: skip
    shop = info.context.shop
    items = list(shop.balance_transactions.values())
    items = search_filter(items, query, _BALANCE_SEARCH, "id")
    # payout_status is the payout's status (pending when no payout took the transaction yet)
    for _name, _op, value in _payout_status_terms(query):
        items = [b for b in items if _payout_status(info, b).lower() == value.lower()]
    return connection(items, first, last, after, before, reverse, sort_key=_BALANCE_SORT.get(sortKey or "ID"))


def _payout_status_terms(query):
    return [term for term in parse_search(query) if term[0] == "payout_status"]


for _name in ("amount", "fee", "net"):

    def _resolver(record, _info, _name=_name):
        return _money(getattr(record, _name), record.currency)

    field("ShopifyPaymentsBalanceTransaction", _name)(_resolver)


@field("ShopifyPaymentsBalanceTransaction", "associatedOrder")
def resolve_associated_order(record, info):
    order = info.context.shop.orders.get(record.order_id)
    return {"id": order.gid, "name": order.name} if order else None


@field("ShopifyPaymentsBalanceTransaction", "associatedPayout")
def resolve_associated_payout(record, info):
    payout = info.context.shop.payouts.get(record.payout_id)
    return {"id": payout.gid if payout else None, "status": _payout_status(info, record)}


@field("ShopifyPaymentsBalanceTransaction", "adjustmentsOrders")
def resolve_adjustments_orders(_record, _info):
    return []


# -- disputes ------------------------------------------------------------------------------------------
_DISPUTE_SEARCH = {
    "id": lambda d: d.id,
    "status": lambda d: d.status.lower(),
    "initiated_at": lambda d: d.initiated_at,
}


def _disputes(info, first=None, last=None, after=None, before=None, query=None, reverse=False):
    items = search_filter(list(info.context.shop.disputes.values()), query, _DISPUTE_SEARCH, "id")
    return connection(items, first, last, after, before, reverse)


@field("ShopifyPaymentsAccount", "disputes")
def resolve_account_disputes(_account, info, **args):
    return _disputes(info, **args)


@query("disputes")
def resolve_disputes(_root, info, **args):
    return _disputes(info, **args)


@query("dispute")
def resolve_dispute(_root, info, id):
    return info.context.shop.disputes.get(parse_gid(id, "ShopifyPaymentsDispute"))


@field("ShopifyPaymentsDispute", "amount")
def resolve_dispute_amount(dispute, _info):
    return _money(dispute.amount, dispute.currency)


@field("ShopifyPaymentsDispute", "order")
def resolve_dispute_order(dispute, info):
    return info.context.shop.orders.get(dispute.order_id)


@field("ShopifyPaymentsDispute", "reasonDetails")
def resolve_dispute_reason(dispute, _info):
    return {"reason": dispute.reason, "networkReasonCode": dispute.network_reason_code}


# Dates: `Date` before 2026-01 (a day), `DateTime` since: answered in the type the version's schema has.
for _name in ("evidenceDueBy", "evidenceSentOn", "finalizedOn"):

    def _date_resolver(dispute, info, _attribute=_name):
        value = getattr(dispute, snake(_attribute))
        if value is not None and get_named_type(info.return_type).name == "Date":
            return value.strftime("%Y-%m-%d")
        return value

    field("ShopifyPaymentsDispute", _name)(_date_resolver)


NODE_STORES.update(
    {
        "ShopifyPaymentsPayout": "payouts",
        "ShopifyPaymentsBalanceTransaction": "balance_transactions",
        "ShopifyPaymentsDispute": "disputes",
    }
)
