"""Queue policy as pure functions: which work runs first, and how long to wait before a retry."""

import random

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


def priority_for(kind_or_topic):
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


def backoff_seconds(attempt, base=30.0, cap=6 * 3600.0, rand=None):
    """Delay before retry number `attempt` (1 = first retry): exponential, capped, with jitter.

    The jitter takes the delay uniformly from [half, full] of the exponential value, so retries
    of many jobs that failed together (an outage) spread out instead of hitting Shopify at once.
    """
    if attempt < 1:
        return 0.0
    rand = rand or random.random
    exponential = min(cap, base * 2 ** (attempt - 1))
    return exponential * (0.5 + 0.5 * rand())


def retry_delay_seconds(error, attempt, rand=None):
    """Backoff for a retryable error, never shorter than what Shopify asked for (Retry-After)."""
    delay = backoff_seconds(attempt, rand=rand)
    asked = getattr(error, "retry_after", None)
    if isinstance(asked, int | float) and asked > delay:
        return float(asked)
    return delay
