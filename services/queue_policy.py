"""Queue policy as pure functions: which work runs first, and how long to wait before a retry."""

from collections.abc import Callable

from .backoff import backoff_seconds

# A job's retries wait 15-30 s, then 30-60 s … up to 3-6 h (services/backoff.py).
RETRY_BASE_S = 30.0
RETRY_CAP_S = 6 * 3600.0

# Lower runs first. Orders are money and customer-visible, stock oversells, products can wait.
PRIORITY_ORDERS = 10
PRIORITY_INVENTORY = 20
PRIORITY_PRODUCTS = 30
PRIORITY_CUSTOMERS = 40
PRIORITY_OTHER = 50

_PRIORITY_BY_RESOURCE = {
    "orders": PRIORITY_ORDERS,
    "order_transactions": PRIORITY_ORDERS,
    "refunds": PRIORITY_ORDERS,
    "fulfillments": PRIORITY_ORDERS,
    "fulfillment_orders": PRIORITY_ORDERS,
    "inventory_levels": PRIORITY_INVENTORY,
    "inventory_items": PRIORITY_INVENTORY,
    "locations": PRIORITY_INVENTORY,
    "products": PRIORITY_PRODUCTS,
    "product_listings": PRIORITY_PRODUCTS,
    "collections": PRIORITY_PRODUCTS,
    "customers": PRIORITY_CUSTOMERS,
}


def priority_for(kind_or_topic: str | None) -> int:
    """Priority of a job kind (`orders_import`, `inventory`, …) or webhook topic (`orders/create`).

    The resource is the part before the first `/`; a kind's resource is matched by prefix, so
    `order_import` and `orders` both count as orders.
    """
    resource = (kind_or_topic or "").split("/", 1)[0].lower()
    if resource in _PRIORITY_BY_RESOURCE:
        return _PRIORITY_BY_RESOURCE[resource]
    for prefix, priority in (
        ("order", PRIORITY_ORDERS),
        ("refund", PRIORITY_ORDERS),
        ("fulfillment", PRIORITY_ORDERS),
        ("inventory", PRIORITY_INVENTORY),
        ("stock", PRIORITY_INVENTORY),
        ("product", PRIORITY_PRODUCTS),
        ("variant", PRIORITY_PRODUCTS),
        ("customer", PRIORITY_CUSTOMERS),
    ):
        if resource.startswith(prefix):
            return priority
    return PRIORITY_OTHER


def retry_delay_seconds(error: BaseException, attempt: int, rand: Callable[[], float] | None = None) -> float:
    """Backoff for a retryable job error, never shorter than what Shopify asked for (Retry-After)."""
    delay = backoff_seconds(attempt, base=RETRY_BASE_S, cap=RETRY_CAP_S, rand=rand)
    asked = getattr(error, "retry_after", None)
    if isinstance(asked, int | float) and asked > delay:
        return float(asked)
    return delay
