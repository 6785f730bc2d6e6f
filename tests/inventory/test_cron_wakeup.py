"""The timed wake-up of Odoo's cron threads (services/cron_wakeup.py) that makes a trigger due in a few
seconds run then, not at the next minute's poll."""

import threading
from datetime import datetime, timedelta

from ...services import cron_wakeup
from ..pure import PureCase


class TestCronWakeup(PureCase):
    def test_wakes_once_per_database_and_second_at_that_time(self):
        fired = []
        done = threading.Event()

        def notify(dbname):
            fired.append(dbname)
            done.set()

        now = datetime(2026, 11, 25, 12, 0, 0)
        at = now + timedelta(seconds=0.2)
        first = cron_wakeup.wake_at("wakeup_db", at, notify, now=now)
        self.assertIs(cron_wakeup.wake_at("wakeup_db", at, notify, now=now), first, "one timer per second")
        self.assertEqual(cron_wakeup.pending_wakeups("wakeup_db"), [at])
        self.assertTrue(done.wait(5))
        first.join(5)
        self.assertEqual(fired, ["wakeup_db"])
        self.assertEqual(cron_wakeup.pending_wakeups("wakeup_db"), [])

    def test_no_timer_for_the_past_or_beyond_the_minute_poll(self):
        now = datetime(2026, 11, 25, 12, 0, 0)
        self.assertIsNone(cron_wakeup.wake_at("wakeup_db", now - timedelta(seconds=1), print, now=now))
        self.assertIsNone(cron_wakeup.wake_at("wakeup_db", now + timedelta(minutes=2), print, now=now))

    def test_a_failing_notification_is_logged_not_raised(self):
        def notify(_dbname):
            raise OSError("database unreachable")

        now = datetime(2026, 11, 25, 12, 0, 0)
        with self.assertLogs(cron_wakeup.__name__, "WARNING"):
            timer = cron_wakeup.wake_at("wakeup_fail", now + timedelta(seconds=0.05), notify, now=now)
            timer.join(5)
