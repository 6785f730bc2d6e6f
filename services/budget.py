"""Client-side leaky bucket per shop: how long to wait before sending a request of a given cost.

Shopify keeps one bucket per app and store (facts §2): `maximumAvailable` points, refilled at
`restoreRate` points/s; a request is refused (THROTTLED) when its requested cost exceeds what is
available. Every worker talking to a shop must therefore draw from the same model of that bucket.

Protocol (`Budget`):

* `reserve(shop_key, cost) -> wait_s`: books `cost` points now and says how long to wait before
  sending. The level may go negative: that is the queue of reservations still waiting.
* `observe(shop_key, throttle_status, at, reserved, charged)`: a response arrived at `at` (epoch s)
  with Shopify's `throttleStatus`; `reserved` is what this call had booked, `charged` what Shopify
  took (its actualQueryCost; 0 when throttled). Our own level gets the difference back, and is
  never left above Shopify's figure less what other callers have booked but not yet had answered.
* `release(shop_key, reserved)`: the booked request was never answered (no status to learn from).

`InMemoryBudget` keeps the state in this process (one worker); `models/core/api_budget.py` keeps it in
PostgreSQL so that every worker and cron thread shares it. Both apply the pure functions below.
"""

import threading
import time
from dataclasses import dataclass, replace

# Assumed until Shopify tells us: the smallest bucket Shopify has ever given (old Standard plan).
DEFAULT_MAXIMUM = 1000.0
DEFAULT_RESTORE_RATE = 50.0
# Added to every wait: clocks and float rounding must not make us arrive a hair too early.
WAIT_MARGIN_S = 0.01
# Bookings older than this without an answer belong to a worker that died: forget them.
STALE_IN_FLIGHT_S = 120.0


@dataclass(frozen=True)
class BucketState:
    maximum_available: float = DEFAULT_MAXIMUM
    # Level at `updated_at` (epoch s), after the bookings made so far; negative = queued bookings.
    currently_available: float = DEFAULT_MAXIMUM
    restore_rate: float = DEFAULT_RESTORE_RATE
    updated_at: float | None = None
    # Points booked by callers whose response has not been observed yet.
    in_flight: float = 0.0
    # When Shopify last told us the level (epoch s), None = never.
    observed_at: float | None = None


def refilled(state: BucketState, now: float) -> BucketState:
    """The state at `now`: the level has leaked back in at the restore rate, up to the maximum."""
    if state.updated_at is None:
        return replace(state, updated_at=now)
    elapsed = max(0.0, now - state.updated_at)
    level = min(state.maximum_available, state.currently_available + elapsed * state.restore_rate)
    in_flight = state.in_flight
    if in_flight and now - max(state.updated_at, state.observed_at or 0.0) > STALE_IN_FLIGHT_S:
        in_flight = 0.0
    return replace(state, currently_available=level, updated_at=now, in_flight=in_flight)


def book(state: BucketState, cost: float, now: float) -> tuple[BucketState, float]:
    """Reserve `cost` points at `now` → (new state, seconds to wait before sending)."""
    state = refilled(state, now)
    missing = cost - state.currently_available
    wait = missing / state.restore_rate + WAIT_MARGIN_S if missing > 0 and state.restore_rate > 0 else 0.0
    return (
        replace(
            state, currently_available=state.currently_available - cost, in_flight=state.in_flight + cost
        ),
        wait,
    )


def observed(
    state: BucketState | None,
    throttle_status: dict | None,
    at: float,
    reserved: float,
    now: float,
    charged: float | None = None,
) -> BucketState:
    """Correct the state after a call that booked `reserved` and was charged `charged`, given
    Shopify's `throttleStatus` seen at `at` (None: no status, the booking is simply given back)."""
    state = refilled(state, now)
    in_flight = max(0.0, state.in_flight - reserved)
    own_level = min(state.maximum_available, state.currently_available + reserved - float(charged or 0.0))
    if not throttle_status:
        return replace(state, currently_available=own_level, in_flight=in_flight)
    maximum = float(throttle_status.get("maximumAvailable") or state.maximum_available)
    restore = float(throttle_status.get("restoreRate") or state.restore_rate)
    server_level = float(throttle_status.get("currentlyAvailable", 0.0))
    server_level = min(maximum, server_level + max(0.0, now - at) * restore)
    # What Shopify has, less what others booked and are about to spend. Requests Shopify already
    # charged but whose answer we have not seen are counted twice here: a lower bound.
    shopify_level = server_level - in_flight
    # With nothing else in flight Shopify's figure is exact: resynchronise on it.
    exact = state.observed_at is None or not in_flight
    level = shopify_level if exact else min(own_level, shopify_level)
    return BucketState(
        maximum_available=maximum,
        currently_available=min(maximum, level),
        restore_rate=restore,
        updated_at=now,
        in_flight=in_flight,
        observed_at=at,
    )


def released(state: BucketState | None, reserved: float, now: float) -> BucketState:
    """Give back a booking whose request got no answer carrying a throttle status."""
    return observed(state, None, now, reserved, now, charged=0.0)


class Budget:
    """Interface of a bucket store shared by the callers that must not exceed one shop's bucket."""

    def reserve(self, shop_key: str, cost: float) -> float:
        raise NotImplementedError

    def observe(
        self,
        shop_key: str,
        throttle_status: dict | None,
        at: float,
        reserved: float,
        charged: float | None = None,
    ) -> None:
        raise NotImplementedError

    def release(self, shop_key: str, reserved: float) -> None:
        raise NotImplementedError

    def state(self, shop_key: str) -> BucketState | None:
        """The current BucketState of a shop (for monitoring), or None if never used."""
        raise NotImplementedError


class InMemoryBudget(Budget):
    """Bucket state in this process only: right for one worker, blind to other processes."""

    def __init__(self, clock=time.time):
        self._clock = clock
        self._states = {}
        self._lock = threading.Lock()

    def reserve(self, shop_key: str, cost: float) -> float:
        with self._lock:
            state, wait = book(self._states.get(shop_key, BucketState()), cost, self._clock())
            self._states[shop_key] = state
            return wait

    def observe(
        self,
        shop_key: str,
        throttle_status: dict | None,
        at: float,
        reserved: float,
        charged: float | None = None,
    ) -> None:
        with self._lock:
            current = self._states.get(shop_key, BucketState())
            self._states[shop_key] = observed(current, throttle_status, at, reserved, self._clock(), charged)

    def release(self, shop_key: str, reserved: float) -> None:
        with self._lock:
            current = self._states.get(shop_key, BucketState())
            self._states[shop_key] = released(current, reserved, self._clock())

    def state(self, shop_key: str) -> BucketState | None:
        with self._lock:
            current = self._states.get(shop_key)
            return refilled(current, self._clock()) if current else None
