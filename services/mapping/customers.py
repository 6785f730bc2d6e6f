"""Shopify customer (REST webhook body) → the canonical `Customer` (shapes.py), and the merge body. Pure.

The body is checked first (`PayloadError` names the field); an e-mail of the wrong shape is dropped with a
warning, like on orders.
"""

from ..payload_checks import Email, Flag, Gid, Id, ListOf, Obj, Text, Timestamp, check, email_or_none
from .orders import _ADDRESS, _gid_or_none, _rest_address, timestamp
from .shapes import Customer, MarketingConsent

_CONSENT = Obj({"state": Text(), "opt_in_level": Text(), "consent_updated_at": Timestamp()})
REST_CUSTOMER = Obj(
    {
        "id": Id(required=True),
        "admin_graphql_api_id": Gid("Customer"),
        "email": Email(),
        "phone": Text(),
        "first_name": Text(),
        "last_name": Text(),
        "note": Text(max_length=None),
        "tags": Text(max_length=None),
        "tax_exempt": Flag(),
        "updated_at": Timestamp(),
        "default_address": _ADDRESS,
        "addresses": ListOf(_ADDRESS, 1000),
        "email_marketing_consent": _CONSENT,
        "sms_marketing_consent": _CONSENT,
    }
)
REST_CUSTOMER_MERGE = Obj(
    {
        "admin_graphql_api_customer_kept_id": Gid("Customer", required=True),
        "admin_graphql_api_customer_deleted_id": Gid("Customer", required=True),
        "status": Text(),
    }
)


def customer_gid(payload: dict) -> str:
    check(payload, Obj({"id": Id(required=True), "admin_graphql_api_id": Gid("Customer")}))
    return _gid_or_none("Customer", payload.get("admin_graphql_api_id") or payload["id"])


def _consent(value) -> MarketingConsent | None:
    if not value:
        return None
    return {
        "state": (value.get("state") or "").lower() or None,
        "opt_in_level": (value.get("opt_in_level") or "").lower() or None,
        "updated_at": timestamp(value.get("consent_updated_at")),
    }


def _same_address(a, b):
    keys = ("street", "street2", "city", "zip", "state_code", "country_code", "first_name", "last_name")
    return all(a.get(key) == b.get(key) for key in keys)


def customer_from_rest(payload: dict) -> Customer:
    check(payload, REST_CUSTOMER)
    default = _rest_address(payload.get("default_address"))
    others = []
    for raw in payload.get("addresses") or ():
        address = _rest_address(raw)
        if (
            address
            and not (default and _same_address(address, default))
            and not any(_same_address(address, seen) for seen in others)
        ):
            others.append(address)
    tags = [tag.strip() for tag in (payload.get("tags") or "").split(",") if tag.strip()]
    return {
        "gid": customer_gid(payload),
        "first_name": (payload.get("first_name") or "").strip(),
        "last_name": (payload.get("last_name") or "").strip(),
        "email": email_or_none(payload.get("email")),
        "phone": (payload.get("phone") or "").strip() or None,
        "company": ((payload.get("default_address") or {}).get("company") or "").strip() or None,
        "note": (payload.get("note") or "").strip() or None,
        "tags": tags,
        "tax_exempt": bool(payload.get("tax_exempt")),
        "default_address": default,
        "addresses": others,
        "email_consent": _consent(payload.get("email_marketing_consent")),
        "sms_consent": _consent(payload.get("sms_marketing_consent")),
        "updated_at": timestamp(payload.get("updated_at")),
    }


def merge_from_rest(payload: dict) -> dict:
    """{"kept": gid, "deleted": gid, "completed": bool}."""
    check(payload, REST_CUSTOMER_MERGE)
    return {
        "kept": payload["admin_graphql_api_customer_kept_id"],
        "deleted": payload["admin_graphql_api_customer_deleted_id"],
        "completed": (payload.get("status") or "").lower() in ("completed", "succeeded"),
    }
