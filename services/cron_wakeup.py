"""Wake Odoo's cron threads at a given second, so a trigger due in a few seconds runs then.

Odoo's cron threads sleep until a `cron_trigger` notification or for a minute: a trigger created for
"in 5 seconds" (a debounced stock push, a short retry) would otherwise wait for the next minute's poll.
`wake_at(dbname, at, notify)` calls `notify(dbname)` (the caller's notification: the queue sends Odoo's
`cron_trigger`) at `at` from a timer thread of this process. The trigger row itself stays the durable
promise: if this process dies first, the next poll (≤ 1 minute) still runs it. One timer per (database,
second), however many triggers ask for it. Pure Python (threads only).
"""

import logging
import threading
from datetime import datetime, timedelta, timezone

_logger = logging.getLogger(__name__)


# Beyond this the cron threads' own poll (every 60 s) is as good: no timer.
HORIZON = timedelta(seconds=60)


# Fired a little after the second is due: trigger rows and queue rows are due from its start.
MARGIN_SECONDS = 0.05


_lock = threading.Lock()


_timers = {}  # (dbname, at) -> threading.Timer


def wake_at(dbname, at, notify, now=None):
    """Call `notify(dbname)` at `at` (naive UTC); returns the timer, or None when none is needed (past, or
    beyond the horizon)."""
    delay = (at - (now or datetime.now(timezone.utc).replace(tzinfo=None))).total_seconds()
    if delay <= 0 or delay > HORIZON.total_seconds():
        return None
    key = (dbname, at)
    with _lock:
        if key in _timers:
            return _timers[key]
        timer = threading.Timer(delay + MARGIN_SECONDS, _fire, args=(key, notify))
        timer.daemon = True
        _timers[key] = timer
    timer.start()
    return timer


def pending_wakeups(dbname):
    """The seconds this process will wake `dbname`'s cron threads at (for tests and diagnostics)."""
    with _lock:
        return sorted(at for name, at in _timers if name == dbname)


def _fire(key, notify):
    with _lock:
        _timers.pop(key, None)
    try:
        notify(key[0])
    except Exception:  # the minute poll still runs the trigger
        _logger.warning("Could not wake the cron threads of %s", key[0], exc_info=True)
