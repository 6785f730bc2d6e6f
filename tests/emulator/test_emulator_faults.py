"""Fault injection, the `/_emulator` admin API and snapshots."""

import os
import tempfile

import requests

from ...emulator import EmulatorServer, FakeClock, snapshot
from ..common import EmulatorServerCase
from ..pure import PureCase

DOMAIN = "faulty.myshopify.com"


def statuses(emulator, token, count):
    return [
        requests.post(
            f"{emulator.url}/admin/api/2026-10/graphql.json",
            json={"query": "{ shop { name } }"},
            headers={"X-Shopify-Access-Token": token},
            timeout=10,
        ).status_code
        for _ in range(count)
    ]


class TestEmulatorFaults(PureCase):
    def start(self, seed=0):
        self.slept = []
        emulator = EmulatorServer(seed=seed, clock=FakeClock(), sleep=self.slept.append).start()
        self.addCleanup(emulator.stop)
        shop = emulator.add_shop(DOMAIN, access_token="tok")
        return emulator, shop

    def test_server_error_share_is_seeded(self):
        emulator, shop = self.start(seed=7)
        shop.set_faults(error_rate=0.3, error_status=502)
        first = statuses(emulator, "tok", 40)
        self.assertEqual(set(first), {200, 502})
        self.assertTrue(5 <= first.count(502) <= 20, first)
        self.assertEqual(shop.counters["server_errors"], first.count(502))
        shop.set_faults(reset=True, error_rate=0.3, error_status=502)  # same seed → same sequence
        self.assertEqual(statuses(emulator, "tok", 40), first)
        other, other_shop = self.start(seed=8)
        other_shop.set_faults(error_rate=0.3, error_status=502)
        self.assertNotEqual(statuses(other, "tok", 40), first)

    def test_latency_and_timeout_use_the_injected_sleep(self):
        emulator, shop = self.start()
        shop.set_faults(latency=0.25, timeout_rate=1.0, timeout_seconds=3)
        self.assertEqual(statuses(emulator, "tok", 1), [504])
        self.assertEqual(self.slept, [0.25, 3])
        self.assertEqual(shop.counters["timeouts"], 1)

    def test_lose_answers_loses_the_named_field_only_as_often_as_asked(self):
        emulator, shop = self.start()
        shop.set_faults(lose_answers={"shop": 2})
        self.assertEqual(statuses(emulator, "tok", 3), [504, 504, 200], "two lost, then answered")
        self.assertEqual(shop.counters["lost_responses"], 2)
        self.assertEqual(shop.faults.faults.lose_answers, {"shop": 0})
        shop.set_faults(lose_answers={"productCreate": 1})
        self.assertEqual(statuses(emulator, "tok", 2), [200, 200], "other fields are answered")

    def test_throttle_storm_as_429(self):
        emulator, shop = self.start()
        shop.set_faults(throttle_rate=1.0, throttle_status=429)
        response = requests.post(
            f"{emulator.url}/admin/api/2026-10/graphql.json",
            json={"query": "{ shop { name } }"},
            headers={"X-Shopify-Access-Token": "tok"},
            timeout=10,
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.headers["Retry-After"], "1")
        self.assertEqual(response.json()["errors"][0]["extensions"]["code"], "THROTTLED")
        self.assertEqual(shop.counters["throttled"], 1)
        # A storm does not drain the bucket: once it stops, requests pass.
        shop.set_faults(throttle_rate=0.0)
        self.assertEqual(statuses(emulator, "tok", 1), [200])

    def test_snapshot_round_trip(self):
        emulator, shop = self.start()
        shop.add_location("City store")
        shop.add_metafield_definition("odoo", "product_tmpl_id")
        shop.seed_products(4)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "state.json")
            snapshot.save(emulator, path)
            copy = EmulatorServer(clock=FakeClock())
            [restored] = snapshot.load(copy, path)
        before, after = shop.state(), restored.state()
        for key in ("products", "inventoryLevels", "locations"):
            self.assertEqual(after[key], before[key])
        self.assertEqual(restored.access_token, "tok")
        self.assertEqual(restored.find_definition("PRODUCT", "odoo", "product_tmpl_id").type_name, "id")
        self.assertGreater(restored.next_id(), max(shop.variants))


class TestEmulatorUserErrorsAndAdmin(EmulatorServerCase):
    def admin(self, method, path, **body):
        response = requests.request(method, f"{self.emulator.url}/_emulator{path}", json=body, timeout=10)
        return response.status_code, response.json()

    def test_user_errors_on_chosen_records(self):
        [product] = self.emu_shop.seed_products(1, max_options=1, max_values=1)
        variant = self.emu_shop.variants[product.variant_ids[0]]
        self.emu_shop.set_faults(user_errors={"sku": [variant.sku]})
        body = self.graphql(
            """mutation($input: ProductSetInput!, $id: ID!) {
                 productSet(input: $input, identifier: {id: $id}) {
                   product { id } userErrors { field message }
                 }
               }""",
            {
                "id": product.gid,
                "input": {
                    "title": "x",
                    "variants": [{"optionValues": variant_option_values(variant), "sku": variant.sku}],
                },
            },
        )
        result = body["data"]["productSet"]
        self.assertIsNone(result["product"])
        self.assertIn(variant.sku, result["userErrors"][0]["message"])
        self.assertNotEqual(self.emu_shop.products[product.id].title, "x")

    def test_admin_api(self):
        status, created = self.admin(
            "POST", "/shops", domain="other.myshopify.com", access_token="other-token"
        )
        self.assertEqual((status, created["access_token"]), (201, "other-token"))
        status, seeded = self.admin("POST", "/shops/other.myshopify.com/seed", count=3)
        self.assertEqual((status, len(seeded["products"])), (200, 3))
        self.assertEqual(
            self.admin("POST", "/shops/other.myshopify.com/bucket", max_available=200, restore_rate=50)[0],
            200,
        )
        status, faults = self.admin("POST", "/shops/other.myshopify.com/faults", error_rate=0.5)
        self.assertEqual(faults["error_rate"], 0.5)
        self.assertEqual(self.admin("POST", "/shops/other.myshopify.com/faults", bogus=1)[0], 400)
        status, state = self.admin("GET", "/shops/other.myshopify.com")
        self.assertEqual(len(state["products"]), 3)
        self.assertEqual(state["throttleStatus"]["maximumAvailable"], 200.0)
        self.assertTrue(all(level["available"] >= 0 for level in state["inventoryLevels"]))
        self.assertEqual(self.admin("POST", "/clock/advance", seconds=1)[0], 400)  # real clock here
        self.assertEqual(self.admin("GET", "/shops/nope.myshopify.com")[0], 404)
        self.assertEqual(self.admin("POST", "/shops/other.myshopify.com/reset")[0], 200)
        self.assertEqual(self.admin("GET", "/shops/other.myshopify.com")[1]["products"], [])
        self.assertEqual(self.admin("POST", "/reset")[0], 200)
        self.assertIsNone(self.emulator.shop("other.myshopify.com"))
        self.emulator.shops[self.emulator_domain] = self.emu_shop  # keep this class's shop for other tests


def variant_option_values(variant):
    return [{"optionName": name, "name": value} for name, value in variant.selected]
