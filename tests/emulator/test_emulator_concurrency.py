"""The emulator under concurrent clients: the bucket is never overdrawn, every request is accounted for."""

import threading

import requests

from ..common import EmulatorServerCase

QUERY = "{ products(first: 48) { nodes { id } } }"  # requested 50, actual 2 on an empty shop


class TestEmulatorConcurrency(EmulatorServerCase):
    emulator_fake_clock = True  # no refill during the run: what passes is bounded by the bucket alone

    def test_concurrent_requests_never_overdraw_the_bucket(self):
        self.emu_shop.set_bucket(max_available=500, restore_rate=50)
        outcomes = []
        lock = threading.Lock()

        def worker():
            with requests.Session() as session:
                for _ in range(8):
                    body = session.post(
                        f"{self.emulator.url}/admin/api/2026-10/graphql.json",
                        json={"query": QUERY},
                        headers={"X-Shopify-Access-Token": self.emulator_token},
                        timeout=10,
                    ).json()
                    code = body["errors"][0]["extensions"]["code"] if "errors" in body else "ok"
                    with lock:
                        outcomes.append(
                            (code, body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"])
                        )

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        passed = [available for code, available in outcomes if code == "ok"]
        throttled = [available for code, available in outcomes if code == "THROTTLED"]
        self.assertEqual(len(passed) + len(throttled), 32)
        # A request holds 50 while it runs and gets 48 back: 4 in flight hold at most 200 of 500.
        self.assertEqual(throttled, [])
        self.assertEqual(self.emu_shop.bucket.status()["currentlyAvailable"], 500 - 32 * 2)
        self.assertEqual(self.emu_shop.counters["requests"], 32)
        self.assertEqual(self.emu_shop.counters["cost"], 32 * 2)

    def test_concurrent_expensive_requests_are_throttled_exactly(self):
        self.emu_shop.set_bucket(max_available=500, restore_rate=50)
        self.emu_shop.seed_products(48, max_options=1, max_values=1)  # now actual = requested = 50
        codes = []
        lock = threading.Lock()

        def worker():
            for _ in range(5):
                body = self.graphql(QUERY)
                with lock:
                    codes.append(body["errors"][0]["extensions"]["code"] if "errors" in body else "ok")

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # 500 points, 50 each, no refill: exactly 10 of the 20 requests pass whatever the interleaving.
        self.assertEqual(codes.count("ok"), 10)
        self.assertEqual(codes.count("THROTTLED"), 10)
        self.assertEqual(self.emu_shop.counters["throttled"], 10)
        self.assertEqual(self.emu_shop.bucket.status()["currentlyAvailable"], 0)
