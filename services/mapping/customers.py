"""Shopify customer (REST webhook body or GraphQL node) → the canonical `Customer` (shapes.py), the merge
body, and the customer's comparable snapshot and mutation inputs for the export. Pure.

The body is checked first (`PayloadError` names the field); an e-mail of the wrong shape is dropped with a
warning, like on orders.
"""

from ..payload_checks import (
    Connection,
    Email,
    Flag,
    Gid,
    Id,
    ListOf,
    Obj,
    Text,
    Timestamp,
    check,
    email_or_none,
)
from .orders import _ADDRESS, _gid_or_none, _gql_address, _rest_address, timestamp
from .shapes import Customer, CustomerSnapshot, MarketingConsent

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


_GQL_MARKETING = {
    "marketingState": Text(),
    "marketingOptInLevel": Text(),
    "marketingUpdatedAt": Timestamp(),
}
GRAPHQL_CUSTOMER = Obj(
    {
        "id": Gid("Customer", required=True),
        "firstName": Text(),
        "lastName": Text(),
        "note": Text(max_length=None),
        "tags": ListOf(Text(), 1000),
        "taxExempt": Flag(),
        "updatedAt": Timestamp(),
        "defaultEmailAddress": Obj({"emailAddress": Email(), **_GQL_MARKETING}),
        "defaultPhoneNumber": Obj({"phoneNumber": Text(), **_GQL_MARKETING}),
        "defaultAddress": _ADDRESS,
        "addressesV2": Connection(_ADDRESS, 1000),
    }
)
# The poll's first, cheap read: which customers changed, and when.
GRAPHQL_CUSTOMER_STAMP = Obj({"id": Gid("Customer", required=True), "updatedAt": Timestamp(required=True)})


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


def _other_addresses(default, addresses):
    """The addresses but the default one, each once."""
    others = []
    for address in addresses:
        if (
            address
            and not (default and _same_address(address, default))
            and not any(_same_address(address, seen) for seen in others)
        ):
            others.append(address)
    return others


def customer_from_rest(payload: dict) -> Customer:
    check(payload, REST_CUSTOMER)
    default = _rest_address(payload.get("default_address"))
    others = _other_addresses(default, [_rest_address(raw) for raw in payload.get("addresses") or ()])
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


def _gql_consent(holder) -> MarketingConsent | None:
    if not holder or not holder.get("marketingState"):
        return None
    return {
        "state": holder["marketingState"].lower(),
        "opt_in_level": (holder.get("marketingOptInLevel") or "").lower() or None,
        "updated_at": timestamp(holder.get("marketingUpdatedAt")),
    }


def _nodes(connection):
    connection = connection or {}
    if connection.get("nodes") is not None:
        return connection["nodes"]
    return [edge["node"] for edge in connection.get("edges") or ()]


def customer_from_graphql(node: dict) -> Customer:
    """The poll's and the export's read (services/documents/fragments/CustomerFields.graphql)."""
    check(node, GRAPHQL_CUSTOMER)
    default = _gql_address(node.get("defaultAddress"))
    others = _other_addresses(default, [_gql_address(raw) for raw in _nodes(node.get("addressesV2"))])
    email = node.get("defaultEmailAddress") or {}
    phone = node.get("defaultPhoneNumber") or {}
    return {
        "gid": node["id"],
        "first_name": (node.get("firstName") or "").strip(),
        "last_name": (node.get("lastName") or "").strip(),
        "email": email_or_none(email.get("emailAddress")),
        "phone": (phone.get("phoneNumber") or "").strip() or None,
        "company": ((node.get("defaultAddress") or {}).get("company") or "").strip() or None,
        "note": (node.get("note") or "").strip() or None,
        "tags": [tag.strip() for tag in node.get("tags") or () if tag.strip()],
        "tax_exempt": bool(node.get("taxExempt")),
        "default_address": default,
        "addresses": others,
        "email_consent": _gql_consent(email) if email.get("emailAddress") else None,
        "sms_consent": _gql_consent(phone) if phone.get("phoneNumber") else None,
        "updated_at": timestamp(node.get("updatedAt")),
    }


def customer_stamp(node: dict) -> tuple[str, object]:
    """(GID, updatedAt) of a node of the poll's cheap first read."""
    check(node, GRAPHQL_CUSTOMER_STAMP)
    return node["id"], timestamp(node["updatedAt"])


def merge_from_rest(payload: dict) -> dict:
    """{"kept": gid, "deleted": gid, "completed": bool}."""
    check(payload, REST_CUSTOMER_MERGE)
    return {
        "kept": payload["admin_graphql_api_customer_kept_id"],
        "deleted": payload["admin_graphql_api_customer_deleted_id"],
        "completed": (payload.get("status") or "").lower() in ("completed", "succeeded"),
    }


# ------------------------------------------------------------------------------------------------
# Two-way sync: the synced fields (the customer field mapping's lines), their snapshot and inputs
# ------------------------------------------------------------------------------------------------
CUSTOMER_FIELDS = ("name", "email", "phone", "note", "tags", "tax_exempt")
SCOPE = "customer"  # the flat key scope of merge.merge_flat
# Consent states customerEmail/SmsMarketingConsentUpdate take (INVALID and REDACTED are Shopify's to set).
SENDABLE_CONSENT = ("subscribed", "not_subscribed", "unsubscribed", "pending")


def _words(text):
    return " ".join((text or "").split())


def snapshot(
    name: str, email: str | None, phone: str | None, note: str | None, tags, tax_exempt: bool
) -> CustomerSnapshot:
    return {
        "name": _words(name),
        "email": (email or "").strip().lower(),
        "phone": (phone or "").strip(),
        "note": (note or "").strip(),
        "tags": sorted({tag.strip() for tag in tags or () if tag and tag.strip()}),
        "tax_exempt": bool(tax_exempt),
    }


def customer_snapshot(customer: Customer) -> CustomerSnapshot:
    name = " ".join(part for part in (customer["first_name"], customer["last_name"]) if part)
    return snapshot(
        name, customer["email"], customer["phone"], customer["note"], customer["tags"], customer["tax_exempt"]
    )


def flat(snap: CustomerSnapshot | None) -> dict:
    return {(SCOPE, name): value for name, value in (snap or {}).items()}


def unflat(values: dict) -> dict:
    return {name: value for (_scope, name), value in values.items()}


def split_name(name: str) -> tuple[str, str]:
    """Odoo keeps one name: the last word is the last name (Shopify needs one to file the customer by)."""
    words = _words(name).split(" ")
    return " ".join(words[:-1]), words[-1]


def customer_input(values: dict, gid: str | None = None) -> dict:
    """CustomerInput of the snapshot values given (only those: an update sends what changed)."""
    data = {"id": gid} if gid else {}
    if "name" in values:
        data["firstName"], data["lastName"] = split_name(values["name"])
    if "email" in values:
        data["email"] = values["email"] or None
    if "phone" in values:
        data["phone"] = values["phone"] or None
    if "note" in values:
        data["note"] = values["note"]
    if "tags" in values:
        data["tags"] = list(values["tags"])
    if "tax_exempt" in values:
        data["taxExempt"] = bool(values["tax_exempt"])
    return data


def consent_input(state: str, updated_at, opt_in_level: str | None = None) -> dict:
    """CustomerEmail/SmsMarketingConsentInput: the state, when the customer gave or withdrew it."""
    data = {
        "marketingState": state.upper(),
        "marketingOptInLevel": (opt_in_level or "single_opt_in").upper(),
    }
    if updated_at:
        data["consentUpdatedAt"] = updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return data
