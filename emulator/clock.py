"""Time sources: the real clock, and a fake one tests move by hand (no sleeping in tests)."""

import threading
import time
from datetime import datetime, timezone


class Clock:
    """Wall-clock time in seconds since the epoch; `sleep` really sleeps."""

    def time(self):
        return time.time()

    def now(self):
        return datetime.fromtimestamp(self.time(), tz=timezone.utc).replace(microsecond=0)

    def sleep(self, seconds):
        if seconds > 0:
            time.sleep(seconds)


class FakeClock(Clock):
    """A clock that only moves when told to: `advance(seconds)`, or `sleep` (which advances instantly)."""

    # 2026-11-01T00:00:00Z: a fixed start makes generated timestamps reproducible.
    START = 1793491200.0

    def __init__(self, start=START):
        self._now = float(start)
        self._lock = threading.Lock()

    def time(self):
        with self._lock:
            return self._now

    def advance(self, seconds):
        with self._lock:
            self._now += seconds

    def sleep(self, seconds):
        if seconds > 0:
            self.advance(seconds)
