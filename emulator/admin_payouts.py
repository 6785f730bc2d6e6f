"""`/_emulator` routes for Shopify Payments: payouts (and their status), balance adjustments, disputes.

Bodies are the keyword arguments of the functions in `emulator/payouts.py`."""

from decimal import Decimal

from . import payouts as payout_logic
from .admin import AdminError, _shop, route
from .admin_orders import _guarded, _order
from .resolvers.common import parse_gid


def payout_summary(shop, payout):
    totals = payout_logic.payout_totals(shop, payout)
    return {
        "id": payout.gid,
        "status": payout.status,
        "currency": payout.currency,
        "gross": f"{totals['gross']}",
        "fee": f"{totals['fee']}",
        "net": f"{totals['net']}",
        "balanceTransactions": [
            f"gid://shopify/ShopifyPaymentsBalanceTransaction/{i}" for i in payout.transaction_ids
        ],
    }


def _record(store, type_name, record_id, domain):
    numeric = parse_gid(record_id, type_name) if str(record_id).startswith("gid://") else int(record_id)
    record = store.get(numeric)
    if record is None:
        raise AdminError(f"no {type_name} {record_id} in {domain}", 404)
    return record


@route("POST", r"/shops/(?P<domain>[^/]+)/payouts")
def create_payout(emulator, body, domain):
    """Body (optional): {"currency": "EUR", "status": "IN_TRANSIT"}: a payout of the unpaid balance."""
    shop = _shop(emulator, domain)
    return 201, payout_summary(shop, _guarded(payout_logic.create_payout, shop, **(body or {})))


@route(
    "POST",
    r"/shops/(?P<domain>[^/]+)/payouts/(?P<payout_id>(?:gid://shopify/ShopifyPaymentsPayout/)?\d+)/status",
)
def set_payout_status(emulator, body, domain, payout_id):
    """Body: {"status": "PAID"}."""
    shop = _shop(emulator, domain)
    payout = _record(shop.payouts, "ShopifyPaymentsPayout", payout_id, domain)
    return 200, payout_summary(
        shop, _guarded(payout_logic.set_payout_status, shop, payout, body.get("status"))
    )


@route("POST", r"/shops/(?P<domain>[^/]+)/balance/adjustments")
def adjust_balance(emulator, body, domain):
    """Body: {"amount": "-4.50", "reason": "…", "currency"?, "fee"?}."""
    shop = _shop(emulator, domain)
    record = _guarded(
        payout_logic.adjust,
        shop,
        Decimal(str(body["amount"])),
        body.get("reason") or "",
        body.get("currency"),
        body.get("fee") or "0",
    )
    return 201, {"id": record.gid, "amount": f"{record.amount}"}


@route("POST", r"/shops/(?P<domain>[^/]+)/orders/(?P<order_id>(?:gid://shopify/Order/)?\d+)/dispute")
def open_dispute(emulator, body, domain, order_id):
    """Body (optional): {"amount", "reason": "FRAUDULENT", "kind": "CHARGEBACK"|"INQUIRY", "fee"}."""
    shop = _shop(emulator, domain)
    dispute = _guarded(payout_logic.open_dispute, shop, _order(shop, order_id), **(body or {}))
    return 201, {"id": dispute.gid, "status": dispute.status, "amount": f"{dispute.amount}"}


@route(
    "POST", r"/shops/(?P<domain>[^/]+)/disputes/(?P<dispute_id>(?:gid://shopify/ShopifyPaymentsDispute/)?\d+)"
)
def update_dispute(emulator, body, domain, dispute_id):
    """Body: {"status": "UNDER_REVIEW" | "WON" | "LOST" | "ACCEPTED"}."""
    shop = _shop(emulator, domain)
    dispute = _record(shop.disputes, "ShopifyPaymentsDispute", dispute_id, domain)
    dispute = _guarded(payout_logic.update_dispute, shop, dispute, body.get("status"))
    return 200, {"id": dispute.gid, "status": dispute.status}
