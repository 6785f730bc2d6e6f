"""How long a queue job waits for locks: measured where the engine and the handlers take them.

The queue run opens a measure around each job (`measured()`); code that may block on a lock wraps the
wait in `waiting()`. Pure Python (no ORM): a context variable, so threads and lanes never mix their sums.
"""

import contextvars
import time
from contextlib import contextmanager

_current = contextvars.ContextVar("shopify_sync_lock_wait", default=None)


class Waited:
    """Seconds waited so far under one `measured()` block."""

    __slots__ = ("seconds",)

    def __init__(self):
        self.seconds = 0.0


@contextmanager
def measured():
    """Sum the waits of the block (nested `waiting()` calls) into the yielded `Waited`."""
    waited = Waited()
    token = _current.set(waited)
    try:
        yield waited
    finally:
        _current.reset(token)


@contextmanager
def waiting():
    """A block that may wait for a lock; its time counts as waiting when a measure is open."""
    started = time.perf_counter()
    try:
        yield
    finally:
        waited = _current.get()
        if waited is not None:
            waited.seconds += time.perf_counter() - started
