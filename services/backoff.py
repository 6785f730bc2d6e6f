"""The one backoff policy: how long to wait before retry number `attempt`, for the client and the queue.

Exponential from `base`, capped at `cap`, with "equal jitter": the delay is drawn uniformly from
[half, full] of the exponential value, so retries still back off while many calls or jobs that failed
together (an outage) spread out instead of hitting Shopify at once. The client retries within one call
(base 0.5 s, cap 30 s); the queue retries jobs across cron runs (base 30 s, cap 6 h).
"""

import random
from collections.abc import Callable


def backoff_seconds(
    attempt: int, *, base: float, cap: float, rand: Callable[[], float] | None = None
) -> float:
    """Delay before retry number `attempt` (1 = first retry); 0 before the first attempt."""
    if attempt < 1:
        return 0.0
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return ceiling / 2 + (rand or random.random)() * ceiling / 2
