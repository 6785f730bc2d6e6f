"""The one backoff policy (services/backoff.py), as the queue and the client use it."""

from ...services import queue_policy
from ...services.auth import StaticTokenAuth
from ...services.backoff import backoff_seconds
from ...services.client import ShopifyClient
from ...services.errors import NetworkError, ThrottledError
from ..pure import PureCase


class TestBackoff(PureCase):
    def test_grows_exponentially_with_equal_jitter_and_cap(self):
        self.assertEqual(backoff_seconds(0, base=30, cap=100), 0.0)
        self.assertEqual(backoff_seconds(1, base=30, cap=6 * 3600, rand=lambda: 0.0), 15.0)
        self.assertEqual(backoff_seconds(1, base=30, cap=6 * 3600, rand=lambda: 1.0), 30.0)
        self.assertEqual(backoff_seconds(4, base=30, cap=6 * 3600, rand=lambda: 1.0), 240.0)
        self.assertEqual(backoff_seconds(4, base=30, cap=6 * 3600, rand=lambda: 0.5), 180.0)
        self.assertEqual(backoff_seconds(30, base=30, cap=6 * 3600, rand=lambda: 1.0), 6 * 3600.0)
        self.assertEqual(backoff_seconds(30, base=30, cap=6 * 3600, rand=lambda: 0.0), 3 * 3600.0)
        for _ in range(50):
            self.assertTrue(120.0 <= backoff_seconds(4, base=30, cap=6 * 3600) <= 240.0)

    def test_queue_uses_it_and_never_waits_less_than_asked(self):
        self.assertEqual(queue_policy.retry_delay_seconds(NetworkError("down"), 2, rand=lambda: 1.0), 60.0)
        slow_down = ThrottledError("Throttled", retry_after=500)
        self.assertEqual(queue_policy.retry_delay_seconds(slow_down, 1, rand=lambda: 1.0), 500.0)

    def test_client_uses_it_with_its_own_scale(self):
        client = ShopifyClient(
            "http://127.0.0.1:9",
            "2026-10",
            StaticTokenAuth("t"),
            backoff_base_s=0.5,
            backoff_max_s=30.0,
            rng=lambda: 1.0,
        )
        self.addCleanup(client.close)
        self.assertEqual(client._retry_delay(NetworkError("down"), 1), 0.5)
        self.assertEqual(client._retry_delay(NetworkError("down"), 3), 2.0)
        self.assertEqual(client._retry_delay(NetworkError("down"), 20), 30.0)
        self.assertEqual(client._retry_delay(NetworkError("down", retry_after=7), 1), 7.0)
