"""What shoppers and merchants do to customers: register, edit (addresses, tags, note, tax exemption,
marketing consent), delete, merge. Each change emits its webhook (`customers/create|update|delete|merge`).

`data` keys: first_name, last_name, email, phone, note, tags (list), tax_exempt, address (the default
address), addresses (others), email_consent / sms_consent ({"state": "SUBSCRIBED", "opt_in_level",
"consent_updated_at"?, "collected_from"?}: without a date the change is dated now).
"""

from .order_records import Customer
from .orders import address


class CustomerInputError(ValueError):
    pass


def _consent(shop, value, current):
    if value is None:
        return current
    state = (value.get("state") or "").upper()
    if not state:
        raise CustomerInputError(
            "a consent needs a state (SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING)"
        )
    if current and current["state"] == state:
        return current  # unchanged: the consent date stays the one it was given on
    return {"state": state, "opt_in_level": value.get("opt_in_level") or "SINGLE_OPT_IN",
            "consent_updated_at": value.get("consent_updated_at") or shop.now(),
            "collected_from": value.get("collected_from") or "SHOPIFY"}  # fmt: skip


def _apply(shop, customer, data):
    for key in ("first_name", "last_name", "note"):
        if key in data:
            setattr(customer, key, data[key])
    if "phone" in data:
        phone = (data["phone"] or "").strip() or None
        if phone and any(c.phone == phone and c.id != customer.id for c in shop.customers.values()):
            raise CustomerInputError(f"Phone has already been taken: {phone}")
        customer.phone = phone
    if "email" in data:
        email = (data["email"] or "").strip().lower() or None
        if email and any(c.email == email and c.id != customer.id for c in shop.customers.values()):
            raise CustomerInputError(f"Email has already been taken: {email}")
        customer.email = email
    if "tags" in data:
        customer.tags = sorted({tag.strip() for tag in data["tags"] if tag.strip()})
    if "tax_exempt" in data:
        customer.tax_exempt = bool(data["tax_exempt"])
    if "address" in data:
        customer.default_address = address(data["address"])
    if "addresses" in data:
        customer.other_addresses = [address(item) for item in data["addresses"]]
    customer.email_consent = _consent(shop, data.get("email_consent"), customer.email_consent)
    customer.sms_consent = _consent(shop, data.get("sms_consent"), customer.sms_consent)


def create_customer(shop, data, emit=True):
    if not any(data.get(key) for key in ("email", "phone", "first_name", "last_name")):
        raise CustomerInputError("A name, phone number, or email address must be present")
    now = shop.now()
    customer = Customer(id=shop.next_id(), created_at=now, updated_at=now)
    _apply(shop, customer, data)
    shop.customers[customer.id] = customer
    if emit:
        shop.emit("customers/create", customer)
    return customer


def update_customer(shop, customer, data):
    before = snapshot_of(customer)
    _apply(shop, customer, data)
    if snapshot_of(customer) == before:
        return customer  # nothing changed: updatedAt stays, no webhook (as Shopify)
    customer.updated_at = shop.now()
    shop.emit("customers/update", customer)
    return customer


def snapshot_of(customer):
    """What an edit can change (compared before and after: an edit changing nothing moves nothing)."""
    return repr(
        (
            customer.first_name,
            customer.last_name,
            customer.email,
            customer.phone,
            customer.note,
            customer.tags,
            customer.tax_exempt,
            customer.default_address,
            customer.other_addresses,
            customer.email_consent,
            customer.sms_consent,
        )
    )


def delete_customer(shop, customer):
    if any(order.customer_id == customer.id for order in shop.orders.values()):
        raise CustomerInputError("Error deleting customer: customer has orders")
    del shop.customers[customer.id]
    shop.emit("customers/delete", customer)


def merge_customers(shop, kept, deleted):
    """Shopify's customerMerge: `deleted`'s orders go to `kept`, `deleted` is gone, `customers/merge` out."""
    for order in shop.orders.values():
        if order.customer_id == deleted.id:
            order.customer_id = kept.id
    del shop.customers[deleted.id]
    kept.updated_at = shop.now()
    shop.emit(
        "customers/merge",
        {
            "admin_graphql_api_customer_kept_id": kept.gid,
            "admin_graphql_api_customer_deleted_id": deleted.gid,
            "admin_graphql_api_job_id": None,
            "status": "completed",
            "errors": [],
        },
    )
    return kept
