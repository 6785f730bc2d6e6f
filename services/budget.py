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

`LeasedBudget` puts a process-local account in front of a shared `LeaseStore`: the store grants points
in leases (half a second of restore at a time, at least the call's cost) and each call is booked and
corrected in this process's memory only; the store is written once per lease, not twice per call. What
a lease did not spend, and what its calls were charged, are settled with the next lease (or `settle()`).
"""

import threading
import time
import uuid
from dataclasses import dataclass, replace

# Assumed until Shopify tells us: the smallest bucket Shopify has ever given (old Standard plan).
DEFAULT_MAXIMUM = 1000.0
DEFAULT_RESTORE_RATE = 50.0
# Added to every wait: clocks and float rounding must not make us arrive a hair too early.
WAIT_MARGIN_S = 0.01
# Bookings older than this without an answer belong to a worker that died: forget them.
STALE_IN_FLIGHT_S = 120.0
# A lease holds this many seconds of restore (Plus: 500 points), or the call's cost when more.
LEASE_RESTORE_S = 0.5
# A process spends a lease within this long after its points exist; later calls take a new lease.
LEASE_SPEND_S = 10.0
# The store forgets an account not renewed for this long after its spending window (its process died);
# longer than a request can stay unanswered (the client's timeout, 30 s), so every call sent inside
# the window has been charged by Shopify before its points stop counting as in flight.
LEASE_GRACE_S = 40.0
# Float rounding between Shopify's figure and ours is not a sign that a lease is not backed.
SPOIL_TOLERANCE = 1.0


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


def lease_size(state: BucketState, cost: float, restore_s: float = LEASE_RESTORE_S) -> float:
    """Points one lease books: `restore_s` of restore, at least `cost`, at most the bucket."""
    return max(cost, min(state.maximum_available, state.restore_rate * restore_s))


def settled(
    state: BucketState,
    given_back: float,
    charged: float,
    held: float,
    throttle_status: dict | None,
    at: float | None,
    now: float,
    spoiled: bool = False,
) -> BucketState:
    """A process settles its account: `given_back` points it booked and never spent come back, its
    answered calls were charged `charged` in all. Its in-flight points drop by what it settled, but never
    by more than the store still `held` for it (an account forgotten after its grace period counts
    nothing).

    Shopify's last `throttle_status` it saw (at `at`) sets the level as in `observed` when nothing else
    is in flight (exact) or when the lease was `spoiled` (our picture is wrong: the lower of both). Else
    the accounting is kept: every point is booked before it is spent and every charge is reported, so
    it is exact, whereas Shopify's figure less everything in flight would count the spent part of the
    other processes' leases twice and lower the level for good. Only the bucket's size and rate are
    taken from Shopify then."""
    settled_in_flight = min(given_back + charged, max(0.0, held))
    state = refilled(state, now)
    # observed() gives back `reserved - charged` and drops `reserved` from the in-flight points.
    reserved, spent = settled_in_flight, settled_in_flight - given_back
    if spoiled or state.in_flight - settled_in_flight <= 0:
        state = observed(state, throttle_status, at or now, reserved, now, spent)
    else:
        state = observed(state, None, now, reserved, now, spent)
        if throttle_status:
            state = replace(
                state,
                maximum_available=float(throttle_status.get("maximumAvailable") or state.maximum_available),
                restore_rate=float(throttle_status.get("restoreRate") or state.restore_rate),
            )
    return capped_for_leases(state)


def capped_for_leases(state: BucketState) -> BucketState:
    """Shopify's bucket stops refilling at its maximum while points booked in leases wait in it unspent:
    the level we may book is at most the maximum less what is in flight."""
    level = min(state.currently_available, state.maximum_available - state.in_flight)
    return replace(state, currently_available=level)


def forgotten(state: BucketState, points: float, now: float) -> BucketState:
    """Accounts of dead processes expired holding `points`: they stop counting as in flight. Their level
    is not given back: what they booked may have been spent; the restore rate refills it anyway."""
    state = refilled(state, now)
    return replace(state, in_flight=max(0.0, state.in_flight - points))


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


# ----------------------------------------------------------------------------------------------------
# Leases: the shared store is written once per lease, calls are booked in the process
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Grant:
    """What a LeaseStore granted: `points` that exist in the bucket `wait_s` from now."""

    points: float
    wait_s: float


@dataclass(frozen=True)
class Settlement:
    """What an account reports back: points never spent, points charged, Shopify's last status."""

    given_back: float = 0.0
    charged: float = 0.0
    throttle_status: dict | None = None
    at: float | None = None
    spoiled: bool = False


class LeaseStore:
    """The shared side of leases (PostgreSQL: models/core/api_budget.py::DatabaseLeaseStore). Both
    operations settle the holder's account first; `lease` then books new points for it."""

    def lease(self, shop_key: str, holder: str, cost: float, settlement: Settlement, spend_s: float) -> Grant:
        raise NotImplementedError

    def settle(self, shop_key: str, holder: str, settlement: Settlement) -> None:
        raise NotImplementedError

    def state(self, shop_key: str) -> BucketState | None:
        raise NotImplementedError


@dataclass
class _Account:
    """One process's points of one shop: `remaining` to spend until `spend_until`, `outstanding` booked by
    calls not answered yet, `charged` by answered calls since the last settlement."""

    remaining: float = 0.0
    outstanding: float = 0.0
    charged: float = 0.0
    usable_at: float = 0.0
    spend_until: float = 0.0
    throttle_status: dict | None = None
    at: float | None = None
    # Shopify showed less than we hold (a THROTTLED answer, a bucket drained elsewhere): settle at once.
    spoiled: bool = False

    def covers(self, cost: float, now: float) -> bool:
        return not self.spoiled and self.remaining >= cost and now < self.spend_until

    def settlement(self) -> Settlement:
        return Settlement(self.remaining, self.charged, self.throttle_status, self.at, self.spoiled)


class LeasedBudget(Budget):
    """Calls draw on this process's lease of each shop; the store is asked only for a new lease.

    Thread-safe: the threads of a process share its accounts. The points of a process that dies with a
    lease stay booked until the store forgets its account (`LEASE_SPEND_S + LEASE_GRACE_S` after its
    last lease): Shopify is never asked for more than it has, and they come back after that."""

    def __init__(self, store: LeaseStore, clock=time.time, spend_s: float = LEASE_SPEND_S):
        self._store = store
        self._clock = clock
        self._spend_s = spend_s
        self.holder = uuid.uuid4().hex
        self._accounts = {}
        self._lock = threading.Lock()
        self.leases_taken = 0

    def reserve(self, shop_key: str, cost: float) -> float:
        with self._lock:
            now = self._clock()
            account = self._accounts.setdefault(shop_key, _Account())
            if not account.covers(cost, now):
                grant = self._store.lease(shop_key, self.holder, cost, account.settlement(), self._spend_s)
                self.leases_taken += 1
                account.remaining = grant.points
                account.charged = 0.0
                account.throttle_status = account.at = None
                account.spoiled = False
                account.usable_at = now + grant.wait_s
                account.spend_until = account.usable_at + self._spend_s
            account.remaining -= cost
            account.outstanding += cost
            return max(0.0, account.usable_at - now)

    def observe(self, shop_key, throttle_status, at, reserved, charged=None):
        with self._lock:
            account = self._accounts.setdefault(shop_key, _Account())
            charged = float(charged or 0.0)
            account.outstanding = max(0.0, account.outstanding - reserved)
            account.remaining += reserved - charged
            account.charged += charged
            if throttle_status and (account.at is None or at >= account.at):
                account.throttle_status, account.at = throttle_status, at
                # Once its points exist, a lease is backed by Shopify's level; less means our picture is
                # wrong (a THROTTLED answer, calls made without the shared budget): resettle at once.
                level = float(throttle_status.get("currentlyAvailable", 0.0))
                if at >= account.usable_at and level + SPOIL_TOLERANCE < account.remaining:
                    account.spoiled = True

    def release(self, shop_key, reserved):
        with self._lock:
            account = self._accounts.setdefault(shop_key, _Account())
            account.outstanding = max(0.0, account.outstanding - reserved)
            account.remaining += reserved

    def held(self, shop_key: str) -> float:
        """Points this process's lease of the shop can still pay for (0 when it must take a new one)."""
        with self._lock:
            account = self._accounts.get(shop_key)
            if account is None or not account.covers(0.0, self._clock()):
                return 0.0
            return max(0.0, account.remaining)

    def settle(self) -> None:
        """Give back every account's unspent points now (a process that stops calling Shopify)."""
        with self._lock:
            for shop_key, account in self._accounts.items():
                if account.remaining or account.charged or account.throttle_status:
                    self._store.settle(shop_key, self.holder, account.settlement())
                    account.remaining = account.charged = 0.0
                    account.throttle_status = account.at = None
                    account.spend_until = 0.0
                    account.spoiled = False

    def state(self, shop_key: str) -> BucketState | None:
        return self._store.state(shop_key)
