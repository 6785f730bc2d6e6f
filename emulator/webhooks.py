"""Webhook subscriptions and their delivery, as Shopify does it.

Every change a shop emits (`shop.emit(topic, record)`) becomes one event; each subscription to that topic
gets its own delivery: the REST-shaped body (emulator/rest.py) POSTed to the subscription's URI with the
`X-Shopify-*` headers, signed with the app's client secret. A background thread delivers; a non-2xx
answer (or no answer) is retried with backoff, up to `MAX_RETRIES`; after `FAILURES_BEFORE_DELETE`
consecutive failed attempts the subscription is deleted. Faults (per shop, seeded): a share of
deliveries dropped, duplicated or delivered after the next one.
"""

import base64
import hashlib
import heapq
import hmac
import http.client
import itertools
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import rest
from .records import Record

_logger = logging.getLogger(__name__)

MAX_RETRIES = 8  # Shopify: 8 retries over 4 hours
FAILURES_BEFORE_DELETE = 8  # consecutive failures that delete an Admin-API-created subscription
TIMEOUT = 5.0  # seconds for the whole request, as Shopify allows

# WebhookSubscriptionTopic values ⇄ the topics the emulator emits (X-Shopify-Topic).
TOPICS = {
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_PAID": "orders/paid",
    "ORDERS_CANCELLED": "orders/cancelled",
    "ORDERS_EDITED": "orders/edited",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
    "ORDERS_DELETE": "orders/delete",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "ORDER_TRANSACTIONS_CREATE": "order_transactions/create",
    "REFUNDS_CREATE": "refunds/create",
    "DISPUTES_CREATE": "disputes/create",
    "DISPUTES_UPDATE": "disputes/update",
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_UPDATE": "products/update",
    "PRODUCTS_DELETE": "products/delete",
    "INVENTORY_LEVELS_UPDATE": "inventory_levels/update",
    "INVENTORY_LEVELS_CONNECT": "inventory_levels/connect",
    "BULK_OPERATIONS_FINISH": "bulk_operations/finish",
    "APP_UNINSTALLED": "app/uninstalled",
    "CUSTOMERS_CREATE": "customers/create",
    "CUSTOMERS_UPDATE": "customers/update",
    "CUSTOMERS_DELETE": "customers/delete",
    "CUSTOMERS_MERGE": "customers/merge",
}


# Shopify's mandatory privacy topics: no WebhookSubscriptionTopic value exists for them; an app sets one
# address for all three in its configuration (`compliance_topics` in shopify.app.toml). Here:
# `set_compliance_uri(shop, uri)` (admin route `POST /_emulator/shops/<domain>/compliance`).
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


def default_backoff(attempt):
    """Seconds before retry number `attempt` (1-based): fast, so tests and demos do not wait."""
    return min(0.02 * 2 ** (attempt - 1), 1.0)


def sign(secret, body):
    return base64.b64encode(hmac.new((secret or "").encode(), body, hashlib.sha256).digest()).decode()


@dataclass
class WebhookSubscription(Record):
    topic: str = ""  # the enum value, e.g. ORDERS_CREATE
    uri: str = ""
    format: str = "JSON"
    include_fields: list = field(default_factory=list)
    metafield_namespaces: list = field(default_factory=list)
    filter: str | None = None
    name: str | None = None
    api_version: str = ""
    consecutive_failures: int = 0
    deleted: bool = False  # queued deliveries of a deleted subscription are abandoned

    TYPENAME = "WebhookSubscription"


@dataclass
class Delivery:
    """One delivery of one event to one subscription; what the log keeps."""

    webhook_id: str
    event_id: str
    topic: str
    domain: str
    subscription_id: int
    uri: str
    body: bytes
    headers: dict
    state: str = "pending"  # pending | delivered | failed | dropped | abandoned
    attempts: list = field(default_factory=list)  # [HTTP status, or the error text]
    duplicate: bool = False
    subscription: object = None

    def as_dict(self):
        return {
            "webhook_id": self.webhook_id,
            "event_id": self.event_id,
            "topic": self.topic,
            "domain": self.domain,
            "subscription_id": self.subscription_id,
            "uri": self.uri,
            "state": self.state,
            "attempts": list(self.attempts),
            "duplicate": self.duplicate,
            "payload": json.loads(self.body),
        }


class WebhookDispatcher:
    """The emulator's delivery thread. `backoff(attempt)` and `post(uri, body, headers) -> status` can be
    replaced (tests); `flush()` waits until nothing is pending."""

    def __init__(self, emulator, backoff=default_backoff):
        self.emulator = emulator
        self.backoff = backoff
        self.post = self._http_post
        self._queue = []  # heap of (due monotonic time, sequence, Delivery)
        self._held = []  # deliveries a reorder fault keeps back until the next one is queued
        self._sequence = itertools.count()
        self._busy = 0
        self._condition = threading.Condition()
        self._thread = None
        self._stopping = False

    # -- producing -----------------------------------------------------------------------------------
    def on_change(self, shop, topic, record):
        """A shop listener: queue one delivery per subscription to `topic` (called under `shop.lock`)."""
        if topic in COMPLIANCE_TOPICS:
            compliance = shop.compliance_subscription
            subscriptions = [compliance] if compliance and _deliverable(compliance.uri) else []
        else:
            subscriptions = [
                s
                for s in shop.webhook_subscriptions.values()
                if TOPICS.get(s.topic) == topic and _deliverable(s.uri)
            ]
        if not subscriptions:
            return
        body = record if topic in COMPLIANCE_TOPICS else rest.payload(shop, topic, record)
        event_id = str(_uuid(shop.webhook_rng))
        triggered_at = shop.now().strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
        for subscription in subscriptions:
            data = body
            if subscription.include_fields:
                data = {k: v for k, v in body.items() if k in subscription.include_fields}
            raw = json.dumps(data).encode()
            headers = {
                "Content-Type": "application/json",
                "X-Shopify-Topic": topic,
                "X-Shopify-Hmac-Sha256": sign(shop.client_secret or shop.access_token, raw),
                "X-Shopify-Shop-Domain": shop.domain,
                "X-Shopify-API-Version": subscription.api_version,
                "X-Shopify-Webhook-Id": str(_uuid(shop.webhook_rng)),
                "X-Shopify-Event-Id": event_id,
                "X-Shopify-Triggered-At": triggered_at,
            }
            if subscription.name:
                headers["X-Shopify-Name"] = subscription.name
            delivery = Delivery(
                webhook_id=headers["X-Shopify-Webhook-Id"],
                event_id=event_id,
                topic=topic,
                domain=shop.domain,
                subscription_id=subscription.id,
                uri=subscription.uri,
                body=raw,
                headers=headers,
                subscription=subscription,
            )
            self._route(shop, delivery)

    def _route(self, shop, delivery):
        faults = shop.faults.faults
        roll = shop.webhook_rng.random()
        shop.webhook_log.append(delivery)
        if roll < faults.webhook_drop_rate:
            delivery.state = "dropped"
            shop.count("webhooks_dropped")
            return
        roll -= faults.webhook_drop_rate
        if roll < faults.webhook_duplicate_rate:
            copy = Delivery(**{**delivery.__dict__, "attempts": [], "duplicate": True})
            shop.webhook_log.append(copy)
            shop.count("webhooks_duplicated")
            self._enqueue(delivery)
            self._enqueue(copy)
            return
        roll -= faults.webhook_duplicate_rate
        if roll < faults.webhook_reorder_rate:
            shop.count("webhooks_reordered")
            with self._condition:
                self._held.append(delivery)
            return
        self._enqueue(delivery)

    def _enqueue(self, delivery, delay=0.0):
        with self._condition:
            heapq.heappush(self._queue, (time.monotonic() + delay, next(self._sequence), delivery))
            if not delay and self._held:
                # What a reorder fault held back goes out after this one.
                for held in self._held:
                    heapq.heappush(self._queue, (time.monotonic(), next(self._sequence), held))
                self._held.clear()
            self._ensure_thread()
            self._condition.notify_all()

    # -- delivering ----------------------------------------------------------------------------------
    def _ensure_thread(self):
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="shopify-emulator-webhooks", daemon=True)
            self._thread.start()

    def _run(self):
        while True:
            with self._condition:
                while not self._stopping and (not self._queue or self._queue[0][0] > time.monotonic()):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._condition.wait(wait)
                if self._stopping:
                    return
                _due, _seq, delivery = heapq.heappop(self._queue)
                self._busy += 1
            try:
                self._attempt(delivery)
            finally:
                with self._condition:
                    self._busy -= 1
                    self._condition.notify_all()

    def _attempt(self, delivery):
        shop = self.emulator.shop(delivery.domain)
        subscription = delivery.subscription
        if shop is None or subscription.deleted:
            delivery.state = "abandoned"  # the subscription (or shop) is gone
            return
        try:
            status = self.post(delivery.uri, delivery.body, delivery.headers)
        except Exception as error:
            status = f"{type(error).__name__}: {error}"
        delivery.attempts.append(status)
        with shop.lock:
            if isinstance(status, int) and 200 <= status < 300:
                delivery.state = "delivered"
                subscription.consecutive_failures = 0
                shop.count("webhooks_delivered")
                return
            subscription.consecutive_failures += 1
            shop.count("webhooks_failed_attempts")
            if subscription.consecutive_failures >= FAILURES_BEFORE_DELETE:
                _logger.info(
                    "deleting webhook subscription %s after %s failures",
                    subscription.gid,
                    subscription.consecutive_failures,
                )
                delete_subscription(shop, subscription)
                delivery.state = "failed"
                return
        retries = len(delivery.attempts)
        if retries > MAX_RETRIES:
            delivery.state = "failed"
            return
        self._enqueue(delivery, delay=max(0.0, self.backoff(retries)))

    @staticmethod
    def _http_post(uri, body, headers):
        """POST without following redirects (Shopify counts a 3xx as a failure), headers spelled exactly
        as Shopify spells them."""
        parts = urlsplit(uri)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT)
        try:
            path = parts.path or "/"
            connection.request(
                "POST", f"{path}?{parts.query}" if parts.query else path, body=body, headers=headers
            )
            return connection.getresponse().status
        finally:
            connection.close()

    def log(self, domain):
        """The shop's deliveries so far (oldest first), as JSON-friendly dicts."""
        shop = self.emulator.shop(domain)
        if shop is None:
            return []
        with shop.lock:
            return [delivery.as_dict() for delivery in shop.webhook_log]

    # -- control -------------------------------------------------------------------------------------
    def release_held(self):
        with self._condition:
            for held in self._held:
                heapq.heappush(self._queue, (time.monotonic(), next(self._sequence), held))
            self._held.clear()
            if self._queue:
                self._ensure_thread()
            self._condition.notify_all()

    def flush(self, timeout=10.0):
        """Deliver what was held back, then wait until every delivery is done (True) or `timeout`."""
        self.release_held()
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def stop(self):
        with self._condition:
            self._stopping = True
            self._queue.clear()
            self._held.clear()
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def _deliverable(uri):
    """HTTP(S) endpoints are posted to; Pub/Sub and EventBridge ones are stored but not delivered here."""
    return uri.startswith(("https://", "http://"))


def _uuid(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# -- subscriptions (used by resolvers/webhooks.py and the admin API) ------------------------------------
def create_subscription(shop, topic, data, api_version):
    """(subscription, user errors)."""
    uri = data.get("uri") or data.get("callbackUrl")
    errors = []
    if not uri:
        errors.append({"field": ["webhookSubscription", "uri"], "message": "Address can't be blank"})
    elif not uri.startswith(("https://", "http://", "pubsub://", "arn:aws:events:")):
        errors.append({"field": ["webhookSubscription", "uri"], "message": "Address is invalid"})
    elif any(s.topic == topic and s.uri == uri for s in shop.webhook_subscriptions.values()):
        errors.append(
            {
                "field": ["webhookSubscription", "uri"],
                "message": "Address for this topic has already been taken",
            }
        )
    name = data.get("name")
    if name is not None and (len(name) > 50 or not all(c.isalnum() or c in "_-" for c in name)):
        errors.append({"field": ["webhookSubscription", "name"], "message": "Name is invalid"})
    if errors:
        return None, errors
    now = shop.now()
    subscription = WebhookSubscription(
        id=shop.next_id(),
        created_at=now,
        updated_at=now,
        topic=topic,
        uri=uri,
        format=data.get("format") or "JSON",
        include_fields=list(data.get("includeFields") or []),
        metafield_namespaces=list(data.get("metafieldNamespaces") or []),
        filter=data.get("filter"),
        name=name,
        api_version=api_version,
    )
    shop.webhook_subscriptions[subscription.id] = subscription
    return subscription, []


def update_subscription(shop, subscription, data):
    uri = data.get("uri") or data.get("callbackUrl")
    if uri:
        subscription.uri = uri
    for key, attribute in (
        ("format", "format"),
        ("includeFields", "include_fields"),
        ("metafieldNamespaces", "metafield_namespaces"),
        ("filter", "filter"),
        ("name", "name"),
    ):
        if key in data and data[key] is not None:
            setattr(subscription, attribute, data[key])
    subscription.updated_at = shop.now()
    return subscription


def delete_subscription(shop, subscription):
    subscription.deleted = True
    shop.webhook_subscriptions.pop(subscription.id, None)


def set_compliance_uri(shop, uri, api_version="2026-10"):
    """The app's compliance webhook address (its configuration, not the Admin API); None removes it."""
    now = shop.now()
    shop.compliance_subscription = (
        WebhookSubscription(
            id=0, created_at=now, updated_at=now, topic="COMPLIANCE", uri=uri, api_version=api_version
        )
        if uri
        else None
    )


def _shop_ids(shop):
    return {"shop_id": int(shop.gid.rsplit("/", 1)[-1]), "shop_domain": shop.domain}


def _customer_ids(customer):
    return {"id": customer.id, "email": customer.email, "phone": customer.phone}


def _customer_order_ids(shop, customer, order_ids):
    if order_ids is None:
        return sorted(o.id for o in shop.orders.values() if o.customer_id == customer.id)
    return list(order_ids)


def request_customer_data(shop, customer, order_ids=None):
    """A customer asks the merchant for their data: `customers/data_request` goes out (its orders: the
    customer's, or `order_ids`). Returns the body."""
    body = {
        **_shop_ids(shop),
        "orders_requested": _customer_order_ids(shop, customer, order_ids),
        "customer": _customer_ids(customer),
        "data_request": {"id": shop.next_id()},
    }
    shop.emit("customers/data_request", body)
    return body


def redact_customer(shop, customer, order_ids=None):
    """The merchant (or the customer) asks to erase a customer: `customers/redact` goes out. Returns the
    body. (Shopify waits ten days, or six months after the last order; the emulator sends at once.)"""
    body = {
        **_shop_ids(shop),
        "customer": _customer_ids(customer),
        "orders_to_redact": _customer_order_ids(shop, customer, order_ids),
    }
    shop.emit("customers/redact", body)
    return body


def redact_shop(shop):
    """`shop/redact`, as Shopify sends it 48 hours after the app was uninstalled."""
    body = _shop_ids(shop)
    shop.emit("shop/redact", body)
    return body


def uninstall_app(emulator, shop):
    """The merchant uninstalls the app: `app/uninstalled` goes out, then the app's subscriptions and
    tokens are gone (the queued deliveries still leave)."""
    with shop.lock:
        shop.emit("app/uninstalled", shop)
        shop.webhook_subscriptions.clear()
        shop.access_token = None
    emulator.expire_tokens(shop.domain)
