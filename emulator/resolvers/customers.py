"""Customers through the Admin API: customerCreate / customerUpdate and the two marketing consent mutations
(the export of Odoo contacts), and the customer fields the poll reads (`addressesV2`, marketing states).
The queries `customer(s)` and the other Customer fields live with the orders (resolvers/orders.py)."""

from datetime import datetime, timezone

from .. import customers as customer_logic
from .common import Indexed, connection, parse_gid, user_error
from .orders import mailing_address
from .registry import field, mutation, shape

shape("CustomerCreatePayload", "customer", "userErrors")
shape("CustomerUpdatePayload", "customer", "userErrors")
shape("CustomerEmailMarketingConsentUpdatePayload", "customer", "userErrors")
shape("CustomerSmsMarketingConsentUpdatePayload", "customer", "userErrors")
shape("CustomerEmailMarketingConsentUpdateUserError", "message", "field", "code")
shape("CustomerSmsMarketingConsentError", "message", "field", "code")

_INPUT_KEYS = {"firstName": "first_name", "lastName": "last_name", "email": "email", "phone": "phone",
               "note": "note", "taxExempt": "tax_exempt", "tags": "tags"}  # fmt: skip


def _datetime(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc).replace(microsecond=0)


def _consent(value):
    """A CustomerEmail/SmsMarketingConsentInput as emulator/customers.py keeps consent."""
    return {
        "state": value["marketingState"],
        "opt_in_level": value.get("marketingOptInLevel"),
        "consent_updated_at": _datetime(value["consentUpdatedAt"]) if value.get("consentUpdatedAt") else None,
        "collected_from": "OTHER",  # what Shopify records for a consent an app sets
    }


def _data(customer_input):
    data = {ours: customer_input[theirs] for theirs, ours in _INPUT_KEYS.items() if theirs in customer_input}
    if "tags" in data:
        data["tags"] = list(data["tags"] or ())
    addresses = customer_input.get("addresses")
    if addresses is not None:
        data["address"] = addresses[0] if addresses else None
        data["addresses"] = addresses[1:]
    return data


def _field_of(message):
    return ["phone"] if message.startswith("Phone") else ["email"] if message.startswith("Email") else None


@mutation("customerCreate")
def resolve_customer_create(_root, info, input):
    shop = info.context.shop
    data = _data(input)
    if input.get("emailMarketingConsent"):
        data["email_consent"] = _consent(input["emailMarketingConsent"])
    if input.get("smsMarketingConsent"):
        data["sms_consent"] = _consent(input["smsMarketingConsent"])
    try:
        customer = customer_logic.create_customer(shop, data)
    except customer_logic.CustomerInputError as error:
        return {"customer": None, "userErrors": [user_error(str(error), _field_of(str(error)))]}
    return {"customer": customer, "userErrors": []}


@mutation("customerUpdate")
def resolve_customer_update(_root, info, input):
    shop = info.context.shop
    customer = shop.customers.get(parse_gid(input.get("id"), "Customer"))
    if customer is None:
        return {"customer": None, "userErrors": [user_error("Customer does not exist", ["id"])]}
    for channel, mutation_name in (("email", "customerEmail"), ("sms", "customerSms")):
        if input.get(f"{channel}MarketingConsent"):
            message = (
                f"To update {channel}MarketingConsent, please use the {mutation_name}MarketingConsentUpdate "
                "Mutation instead"
            )
            return {"customer": None, "userErrors": [user_error(message, [f"{channel}MarketingConsent"])]}
    try:
        customer_logic.update_customer(shop, customer, _data(input))
    except customer_logic.CustomerInputError as error:
        return {"customer": None, "userErrors": [user_error(str(error), _field_of(str(error)))]}
    return {"customer": customer, "userErrors": []}


def _consent_update(info, input, channel):
    shop = info.context.shop
    customer = shop.customers.get(parse_gid(input["customerId"], "Customer"))
    if customer is None:
        return {"customer": None, "userErrors": [user_error("Customer not found", ["customerId"], "INVALID")]}
    if not (customer.email if channel == "email" else customer.phone):
        what = "an email address" if channel == "email" else "a phone number"
        error = user_error(f"The customer has no {what}", ["customerId"], "MISSING_ARGUMENT")
        return {"customer": None, "userErrors": [error]}
    consent = _consent(input[f"{channel}MarketingConsent"])
    customer_logic.update_customer(shop, customer, {f"{channel}_consent": consent})
    return {"customer": customer, "userErrors": []}


@mutation("customerEmailMarketingConsentUpdate")
def resolve_email_consent_update(_root, info, input):
    return _consent_update(info, input, "email")


@mutation("customerSmsMarketingConsentUpdate")
def resolve_sms_consent_update(_root, info, input):
    return _consent_update(info, input, "sms")


@field("Customer", "addressesV2")
def resolve_customer_addresses(customer, _info, **page):
    stored = ([customer.default_address] if customer.default_address else []) + list(customer.other_addresses)
    return connection(
        [
            Indexed(mailing_address(address, customer.id * 100 + index))
            for index, address in enumerate(stored)
        ],
        **page,
    )
