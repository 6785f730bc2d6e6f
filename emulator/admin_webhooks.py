"""`/_emulator` routes for webhooks: subscribe, read the delivery log, wait for deliveries, uninstall, and
the privacy webhooks (the app's compliance address; a customer's data request or redaction; shop/redact).
"""

from . import webhooks
from .admin import AdminError, _shop, route
from .admin_customers import customer_by_id


@route("POST", r"/shops/(?P<domain>[^/]+)/webhooks")
def subscribe(emulator, body, domain):
    """Body: {"topic": "ORDERS_CREATE", "uri": "http://…", "includeFields": [...], "api_version": …}."""
    shop = _shop(emulator, domain)
    if body.get("topic") not in webhooks.TOPICS:
        raise AdminError(f"topic must be one of {', '.join(webhooks.TOPICS)}")
    with shop.lock:
        subscription, errors = webhooks.create_subscription(
            shop, body["topic"], body, body.get("api_version") or "2026-10"
        )
    if errors:
        return 422, {"userErrors": errors}
    return 201, {"id": subscription.gid, "topic": subscription.topic, "uri": subscription.uri}


@route("GET", r"/shops/(?P<domain>[^/]+)/webhooks/deliveries")
def deliveries(emulator, _body, domain):
    _shop(emulator, domain)
    return 200, {"deliveries": emulator.webhooks.log(domain)}


@route("POST", r"/webhooks/flush")
def flush(emulator, body):
    """Deliver what is held back and wait (up to `timeout` seconds) until nothing is pending."""
    return 200, {"flushed": emulator.webhooks.flush(timeout=float(body.get("timeout", 10)))}


@route("POST", r"/shops/(?P<domain>[^/]+)/uninstall")
def uninstall(emulator, _body, domain):
    webhooks.uninstall_app(emulator, _shop(emulator, domain))
    return 200, {"ok": True}


@route("POST", r"/shops/(?P<domain>[^/]+)/compliance")
def compliance_uri(emulator, body, domain):
    """Body: {"uri": "http://…/shopify/webhook"} — what an app sets in its configuration for the three
    privacy topics (null removes it)."""
    shop = _shop(emulator, domain)
    with shop.lock:
        webhooks.set_compliance_uri(shop, body.get("uri"), body.get("api_version") or "2026-10")
    return 200, {"uri": body.get("uri"), "topics": list(webhooks.COMPLIANCE_TOPICS)}


@route("POST", r"/shops/(?P<domain>[^/]+)/privacy/customers_data_request")
def customers_data_request(emulator, body, domain):
    """Body: {"customer_id": id or GID, "order_ids": [...] (optional: the customer's orders)}."""
    shop = _shop(emulator, domain)
    with shop.lock:
        sent = webhooks.request_customer_data(
            shop, customer_by_id(shop, body["customer_id"]), body.get("order_ids")
        )
    return 200, sent


@route("POST", r"/shops/(?P<domain>[^/]+)/privacy/customers_redact")
def customers_redact(emulator, body, domain):
    """Body: {"customer_id": id or GID, "order_ids": [...] (optional: the customer's orders)}."""
    shop = _shop(emulator, domain)
    with shop.lock:
        sent = webhooks.redact_customer(
            shop, customer_by_id(shop, body["customer_id"]), body.get("order_ids")
        )
    return 200, sent


@route("POST", r"/shops/(?P<domain>[^/]+)/privacy/shop_redact")
def shop_redact(emulator, _body, domain):
    shop = _shop(emulator, domain)
    with shop.lock:
        sent = webhooks.redact_shop(shop)
    return 200, sent
