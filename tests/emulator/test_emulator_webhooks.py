"""Emulator webhooks over real HTTP: subscriptions through GraphQL, signed REST-shaped deliveries to a
local receiver, retries, deletion after 8 failures, seeded drop/duplicate/reorder faults."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from ..common import EmulatorServerCase

CREATE = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $input: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $input) {
    webhookSubscription { id topic uri format includeFields apiVersion { handle } }
    userErrors { field message }
  }
}
"""
LIST = """
query Subscriptions($topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: 20, topics: $topics) { nodes { id topic uri } }
}
"""
UPDATE = """
mutation Update($id: ID!, $input: WebhookSubscriptionInput!) {
  webhookSubscriptionUpdate(id: $id, webhookSubscription: $input) {
    webhookSubscription { id uri } userErrors { field message }
  }
}
"""
DELETE = """
mutation Delete($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } }
}
"""
PRODUCT_SET = """
mutation Set($input: ProductSetInput!) {
  productSet(input: $input) { product { id } userErrors { field message } }
}
"""


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records every request and answers scripted statuses."""

    def __init__(self):
        self.requests = []
        self.statuses = []  # answered in turn; 200 once empty
        self.default_status = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, topic=None):
        return [
            json.loads(body)
            for _path, headers, body in self.requests
            if topic in (None, headers["X-Shopify-Topic"])
        ]


class TestEmulatorWebhooks(EmulatorServerCase):
    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        dispatcher = self.emulator.webhooks
        backoff = dispatcher.backoff
        dispatcher.backoff = lambda attempt: 0.0
        self.addCleanup(setattr, dispatcher, "backoff", backoff)
        self.addCleanup(dispatcher.flush)
        self.emu_shop.seed_products(2, max_options=1, max_values=1, stock=(20, 20))
        self.sku = next(iter(self.emu_shop.variants.values())).sku

    def subscribe(self, topic, path="/hook", version="2026-10", **extra):
        body = self.graphql(
            CREATE, {"topic": topic, "input": {"uri": self.receiver.url(path), **extra}}, version=version
        )
        result = body["data"]["webhookSubscriptionCreate"]
        self.assertEqual(result["userErrors"], [])
        return result["webhookSubscription"]

    def flush(self):
        self.assertTrue(self.emulator.webhooks.flush(timeout=10), "webhook deliveries did not finish")

    # -- subscriptions -------------------------------------------------------------------------------
    def test_subscription_create_list_update_delete(self):
        for version in ("2026-01", "2026-04", "2026-07", "2026-10"):
            created = self.subscribe("ORDERS_CREATE", f"/{version}", version=version)
            self.assertEqual(created["apiVersion"], {"handle": version})
            self.assertEqual(created["format"], "JSON")
        self.subscribe("PRODUCTS_UPDATE", "/products", version="2026-10", name="products_feed")
        duplicate = self.graphql(
            CREATE, {"topic": "PRODUCTS_UPDATE", "input": {"uri": self.receiver.url("/products")}}
        )
        self.assertEqual(
            duplicate["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"],
            "Address for this topic has already been taken",
        )
        orders = self.graphql(LIST, {"topics": ["ORDERS_CREATE"]})["data"]["webhookSubscriptions"]["nodes"]
        self.assertEqual(len(orders), 4)
        everything = self.graphql(LIST)["data"]["webhookSubscriptions"]["nodes"]
        self.assertEqual(len(everything), 5)

        target = orders[0]["id"]
        updated = self.graphql(UPDATE, {"id": target, "input": {"uri": self.receiver.url("/moved")}})
        self.assertEqual(
            updated["data"]["webhookSubscriptionUpdate"]["webhookSubscription"]["uri"],
            self.receiver.url("/moved"),
        )
        deleted = self.graphql(DELETE, {"id": target})["data"]["webhookSubscriptionDelete"]
        self.assertEqual(deleted, {"deletedWebhookSubscriptionId": target, "userErrors": []})
        again = self.graphql(DELETE, {"id": target})["data"]["webhookSubscriptionDelete"]
        self.assertEqual(again["userErrors"][0]["message"], "Webhook subscription does not exist")
        self.assertEqual(len(self.graphql(LIST)["data"]["webhookSubscriptions"]["nodes"]), 4)

    # -- delivery ------------------------------------------------------------------------------------
    def test_order_webhooks_are_signed_rest_bodies_with_all_headers(self):
        self.subscribe("ORDERS_CREATE", "/a")
        self.subscribe("ORDERS_CREATE", "/b", name="second")
        self.subscribe("ORDERS_PAID", "/a")
        order = self.emu_shop.place_order(
            [{"sku": self.sku, "quantity": 2}],
            customer={"first_name": "Ana", "last_name": "Roth", "email": "ana@example.org"},
        )
        self.flush()
        self.assertEqual(len(self.receiver.requests), 3)
        creates = [
            (path, headers, body)
            for path, headers, body in self.receiver.requests
            if headers["X-Shopify-Topic"] == "orders/create"
        ]
        self.assertEqual(sorted(path for path, _h, _b in creates), ["/a", "/b"])
        for _path, headers, body in self.receiver.requests:
            # An independent HMAC: base64 of HMAC-SHA256 over the raw body, keyed with the client secret.
            expected = base64.b64encode(
                hmac.new(b"test-client-secret", body, hashlib.sha256).digest()
            ).decode()
            self.assertEqual(headers["X-Shopify-Hmac-Sha256"], expected)
            self.assertEqual(headers["X-Shopify-Shop-Domain"], self.emulator_domain)
            self.assertEqual(headers["X-Shopify-API-Version"], "2026-10")
            self.assertTrue(headers["X-Shopify-Triggered-At"].startswith("2026-11-01T00:00:00"))
            self.assertEqual(headers["Content-Type"], "application/json")
        # One merchant action → one event id shared by every delivery; each delivery its own webhook id.
        self.assertEqual(len({h["X-Shopify-Event-Id"] for _p, h, _b in creates}), 1)
        self.assertEqual(len({h["X-Shopify-Webhook-Id"] for _p, h, _b in self.receiver.requests}), 3)
        self.assertEqual([h.get("X-Shopify-Name") for p, h, _b in sorted(creates)], [None, "second"])
        body = json.loads(creates[0][2])
        self.assertEqual(body["id"], order.id)
        self.assertEqual(body["admin_graphql_api_id"], order.gid)
        self.assertEqual(body["name"], "#1001")
        self.assertEqual(body["financial_status"], "paid")
        self.assertEqual(body["customer"]["email"], "ana@example.org")
        line = body["line_items"][0]
        self.assertEqual((line["sku"], line["quantity"]), (self.sku, 2))
        self.assertIsInstance(line["price"], str)
        self.assertEqual(line["price_set"]["shop_money"]["currency_code"], "USD")
        self.assertEqual(body["updated_at"], "2026-10-31T20:00:00-04:00")  # shop time zone, with offset
        log = self.emulator.webhooks.log(self.emulator_domain)
        self.assertEqual([entry["state"] for entry in log], ["delivered"] * 3)

    def test_product_inventory_and_edit_topics(self):
        for topic in ("PRODUCTS_CREATE", "INVENTORY_LEVELS_UPDATE", "ORDERS_EDITED", "ORDERS_CANCELLED"):
            self.subscribe(topic)
        created = self.graphql(
            PRODUCT_SET,
            {
                "input": {
                    "title": "Hook mug",
                    "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
                    "variants": [
                        {
                            "optionValues": [{"optionName": "Title", "name": "Default Title"}],
                            "sku": "HOOK-1",
                            "price": "9.50",
                        }
                    ],
                }
            },
        )["data"]["productSet"]
        self.assertEqual(created["userErrors"], [])
        order = self.emu_shop.place_order([{"sku": self.sku, "quantity": 3}])
        status = requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/orders/{order.id}/edit",
            json={"quantities": {order.line_items[0].gid: 1}},
            timeout=10,
        ).status_code
        self.assertEqual(status, 200)
        self.flush()
        [product] = self.receiver.bodies("products/create")
        self.assertEqual(
            (product["title"], product["variants"][0]["sku"], product["variants"][0]["price"]),
            ("Hook mug", "HOOK-1", "9.50"),
        )
        levels = self.receiver.bodies("inventory_levels/update")
        self.assertEqual([level["available"] for level in levels], [17, 19])  # ordered 3, edit gave 2 back
        self.assertTrue(levels[0]["admin_graphql_api_id"].startswith("gid://shopify/InventoryLevel/"))
        [edit] = self.receiver.bodies("orders/edited")
        self.assertEqual(edit["order_edit"]["order_id"], order.id)
        self.assertEqual(
            edit["order_edit"]["line_items"]["removals"], [{"id": order.line_items[0].id, "delta": 2}]
        )

    def test_include_fields_trims_the_body(self):
        self.subscribe("ORDERS_CREATE", includeFields=["id", "updated_at"])
        order = self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
        self.flush()
        self.assertEqual(
            self.receiver.bodies(), [{"id": order.id, "updated_at": "2026-10-31T20:00:00-04:00"}]
        )

    def test_retried_until_2xx(self):
        self.subscribe("ORDERS_CREATE")
        self.receiver.statuses = [500, 302, 404]
        self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
        self.flush()
        self.assertEqual(len(self.receiver.requests), 4)
        self.assertEqual(len({h["X-Shopify-Webhook-Id"] for _p, h, _b in self.receiver.requests}), 1)
        self.assertEqual(
            len({b for _p, _h, b in self.receiver.requests}), 1
        )  # the original payload each time
        [entry] = self.emulator.webhooks.log(self.emulator_domain)
        self.assertEqual((entry["state"], entry["attempts"]), ("delivered", [500, 302, 404, 200]))
        self.assertEqual(len(self.emu_shop.webhook_subscriptions), 1)

    def test_subscription_deleted_after_8_consecutive_failures(self):
        self.subscribe("ORDERS_CREATE")
        self.receiver.default_status = 503
        self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
        self.flush()
        self.assertEqual(len(self.receiver.requests), 8)
        [entry] = self.emulator.webhooks.log(self.emulator_domain)
        self.assertEqual((entry["state"], entry["attempts"]), ("failed", [503] * 8))
        self.assertEqual(self.graphql(LIST)["data"]["webhookSubscriptions"]["nodes"], [])
        self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
        self.flush()
        self.assertEqual(len(self.receiver.requests), 8)  # nothing delivered any more

    def test_unreachable_endpoint_counts_as_failure(self):
        closed = Receiver()
        uri = closed.url()
        closed.stop()
        created = self.graphql(CREATE, {"topic": "ORDERS_CREATE", "input": {"uri": uri}})
        self.assertEqual(created["data"]["webhookSubscriptionCreate"]["userErrors"], [])
        self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
        self.flush()
        [entry] = self.emulator.webhooks.log(self.emulator_domain)
        self.assertEqual(entry["state"], "failed")
        self.assertTrue(all(isinstance(attempt, str) for attempt in entry["attempts"]))

    def _faulty_run(self):
        self.emu_shop.reset()
        self.emu_shop.seed_products(2, max_options=1, max_values=1, stock=(50, 50))
        self.emu_shop.set_faults(webhook_drop_rate=0.2, webhook_duplicate_rate=0.2, webhook_reorder_rate=0.2)
        self.subscribe("ORDERS_CREATE")
        start = len(self.receiver.requests)
        sku = next(iter(self.emu_shop.variants.values())).sku
        for _ in range(15):
            self.emu_shop.place_order([{"sku": sku, "quantity": 1}])
            self.flush_live()
        self.flush()
        received = [json.loads(body)["name"] for _p, _h, body in self.receiver.requests[start:]]
        states = [(e["state"], e["duplicate"]) for e in self.emulator.webhooks.log(self.emulator_domain)]
        return received, states

    def flush_live(self):
        """Wait for queued deliveries without releasing held (reordered) ones."""
        dispatcher = self.emulator.webhooks
        with dispatcher._condition:
            dispatcher._condition.wait_for(lambda: not dispatcher._queue and not dispatcher._busy, timeout=10)

    def test_drop_duplicate_reorder_faults_are_seeded(self):
        received, states = self._faulty_run()
        again_received, again_states = self._faulty_run()
        self.assertEqual((received, states), (again_received, again_states))
        names = [f"#{1001 + i}" for i in range(15)]
        self.assertLess(len(set(received)), 15, "some deliveries were dropped")
        self.assertGreater(len(received), len(set(received)), "some deliveries were duplicated")
        first_seen = list(dict.fromkeys(received))
        self.assertNotEqual(first_seen, sorted(first_seen, key=names.index), "some deliveries were reordered")
        self.assertIn(("dropped", False), states)

    def test_app_uninstalled(self):
        self.subscribe("APP_UNINSTALLED")
        self.addCleanup(setattr, self.emu_shop, "access_token", self.emu_shop.access_token)
        response = requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/uninstall", json={}, timeout=10
        )
        self.assertEqual(response.status_code, 200)
        self.flush()
        [body] = self.receiver.bodies("app/uninstalled")
        self.assertEqual(body["myshopify_domain"], self.emulator_domain)
        self.assertEqual(self.emu_shop.webhook_subscriptions, {})
        self.graphql("{ shop { name } }", expect_status=401)

    def test_delivery_log_over_the_admin_api(self):
        self.subscribe("ORDERS_CREATE")
        self.emu_shop.place_order([{"sku": self.sku, "quantity": 1}])
        response = requests.post(f"{self.emulator.url}/_emulator/webhooks/flush", json={}, timeout=15)
        self.assertEqual(response.json(), {"flushed": True})
        log = requests.get(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/webhooks/deliveries", timeout=10
        ).json()
        [entry] = log["deliveries"]
        self.assertEqual(
            (entry["topic"], entry["state"], entry["payload"]["name"]),
            ("orders/create", "delivered", "#1001"),
        )
