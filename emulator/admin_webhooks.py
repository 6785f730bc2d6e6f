"""`/_emulator` routes for webhooks: subscribe, read the delivery log, wait for deliveries, uninstall."""

from . import webhooks
from .admin import AdminError, _shop, route


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
