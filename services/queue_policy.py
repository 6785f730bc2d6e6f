"""Queue policy as pure functions: the priority levels (each kind's is in the work registry) and how
long to wait before a retry."""

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


def retry_delay_seconds(error: BaseException, attempt: int, rand: Callable[[], float] | None = None) -> float:
    """Backoff for a retryable job error, never shorter than what Shopify asked for (Retry-After)."""
    delay = backoff_seconds(attempt, base=RETRY_BASE_S, cap=RETRY_CAP_S, rand=rand)
    asked = getattr(error, "retry_after", None)
    if isinstance(asked, int | float) and asked > delay:
        return float(asked)
    return delay
