"""Faults a shop can be told to produce, decided per request by a seeded RNG (reproducible runs)."""

import random
import threading
from dataclasses import asdict, dataclass, field, fields


@dataclass
class Faults:
    error_rate: float = 0.0  # share of GraphQL requests answered with `error_status`
    error_status: int = 503
    latency: float = 0.0  # seconds added before answering
    timeout_rate: float = 0.0  # share of requests that hang `timeout_seconds` (longer than the client waits)
    timeout_seconds: float = 5.0
    # share of requests that are executed but whose answer never arrives (504 after `timeout_seconds`):
    # the client cannot tell whether its write happened, which is what idempotency keys are for
    lost_response_rate: float = 0.0
    # {root field name: count}: the next `count` requests selecting that field (e.g. fulfillmentCreate) are
    # executed and their answer lost, whatever the RNG draws: a lost answer at a chosen moment.
    lose_answers: dict = field(default_factory=dict)
    throttle_rate: float = 0.0  # share of requests answered THROTTLED whatever the bucket holds
    throttle_status: int = 200  # 200 (Shopify's usual) or 429
    # Records whose writes fail with a userError: {"sku": [...], "custom_id": [...], "handle": [...]}.
    user_errors: dict = field(default_factory=dict)
    # Webhook deliveries (drawn from the shop's own webhook RNG, one draw per delivery).
    webhook_drop_rate: float = 0.0  # never sent
    webhook_duplicate_rate: float = 0.0  # sent twice (same webhook id)
    webhook_reorder_rate: float = 0.0  # held back and sent after the next delivery

    def as_dict(self):
        return asdict(self)


class FaultInjector:
    """Holds one shop's Faults and its RNG; `draw()` picks what happens to the next request."""

    def __init__(self, seed):
        self.faults = Faults()
        self._rng = random.Random(seed)
        self._seed = seed
        self._lock = threading.Lock()

    def configure(self, reset=False, **values):
        known = {f.name for f in fields(Faults)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        with self._lock:
            if reset:
                self.faults = Faults()
                self._rng = random.Random(self._seed)
            for name, value in values.items():
                setattr(self.faults, name, value)
            return self.faults.as_dict()

    def draw(self):
        """One of "error", "timeout", "lost", "throttle" or None.

        One RNG draw per request keeps runs reproducible.
        """
        with self._lock:
            faults = self.faults
            roll = self._rng.random()
            for outcome, rate in (
                ("error", faults.error_rate),
                ("timeout", faults.timeout_rate),
                ("lost", faults.lost_response_rate),
                ("throttle", faults.throttle_rate),
            ):
                if roll < rate:
                    return outcome
                roll -= rate
            return None

    def take_lost_answer(self, root_fields):
        """True (and one fewer to lose) when a request selecting one of `root_fields` is to be lost."""
        with self._lock:
            pending = self.faults.lose_answers
            for name in root_fields:
                if pending.get(name, 0) > 0:
                    pending[name] -= 1
                    return True
            return False

    def user_error_for(self, **keys):
        """The first configured match among e.g. sku=…, custom_id=…, handle=… (or None)."""
        for name, value in keys.items():
            values = self.faults.user_errors.get(name) or ()
            if value is not None and value in values:
                return f"{name} {value}"
        return None
