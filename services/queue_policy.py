"""Queue policy as pure functions: the priority levels (each kind's is in the work registry) and how
long to wait before a retry."""

import random

# Lower runs first. Orders are money and customer-visible, stock oversells, products can wait.
PRIORITY_ORDERS = 10
PRIORITY_INVENTORY = 20
PRIORITY_PRODUCTS = 30
PRIORITY_CUSTOMERS = 40
PRIORITY_OTHER = 50


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
