import json

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ...services import webhook_signature
from ..webhook_common import isolate_unflushed_counts

SECRET = "webhook-test-secret"
DOMAIN = "hooks-store.myshopify.com"
ORDER = {
    "id": 450789469,
    "admin_graphql_api_id": "gid://shopify/Order/450789469",
    "name": "#1001",
    "updated_at": "2026-11-25T10:00:00-05:00",
    "line_items": [{"id": 1, "sku": "ABC", "quantity": 1, "price": "19.99"}],
}


@tagged("post_install", "-at_install")
class WebhookCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env, login="hooks_manager", groups="shopify_sync.group_shopify_manager,base.group_user"
        )
        cls.shop = cls.env["shopify.shop"].create(
            {"name": "hooks", "shop_domain": DOMAIN, "access_token": "t", "client_secret": SECRET}
        )

    def setUp(self):
        super().setUp()
        isolate_unflushed_counts(self)

    def post(self, body=ORDER, secret=SECRET, headers=None, drop=(), raw=None):
        raw_body = raw if raw is not None else json.dumps(body).encode()
        sent = {
            "Content-Type": "application/json",
            "X-Shopify-Shop-Domain": DOMAIN,
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
            "X-Shopify-Triggered-At": "2026-11-25T15:00:00.123Z",
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Hmac-Sha256": webhook_signature.sign(secret, raw_body),
        }
        sent.update(headers or {})
        for name in drop:
            sent.pop(name)
        with mute_logger("odoo.addons.shopify_sync.controllers.webhook"):
            return self.url_open("/shopify/webhook", data=raw_body, headers=sent, timeout=30)

    def stored(self):
        events = self.env["shopify.webhook.event"].search([("shop_id", "=", self.shop.id)])
        jobs = self.env["shopify.queue.job"].search([("shop_id", "=", self.shop.id)])
        return events, jobs

    def rejections(self, reason):
        """Rejections counted for `reason`: written, or held in this process's memory."""
        totals = self.env["shopify.webhook.stat"]._totals(self.env["shopify.shop"].search([]).ids)
        return sum(count for kind, key, _shop, count in totals if (kind, key) == ("rejected", reason))


class TestWebhookIngress(WebhookCase):
    def test_valid_delivery_is_stored_and_queued(self):
        response = self.post()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        events, jobs = self.stored()
        self.assertEqual(len(events), 1)
        self.assertEqual(events.topic, "orders/create")
        self.assertEqual(events.webhook_id, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        self.assertEqual(events.event_id, "98880550-7158-44d4-b7cd-2c97c8a091b5")
        self.assertEqual(events.api_version, "2026-10")
        self.assertEqual(str(events.triggered_at), "2026-11-25 15:00:00.123000")
        self.assertEqual(json.loads(events.raw_body), ORDER)
        self.assertEqual(events.state, "queued")
        self.assertEqual(jobs.kind, "webhook")
        self.assertEqual(jobs.webhook_event_id, events)
        self.assertEqual(jobs.priority, 10)
        self.assertEqual(jobs.resource_gid, "gid://shopify/Order/450789469")
        self.assertEqual(str(jobs.resource_updated_at), "2026-11-25 15:00:00")

    def test_hundred_duplicates_leave_one_row(self):
        for _ in range(100):
            self.assertEqual(self.post().status_code, 200)
        events, jobs = self.stored()
        self.assertEqual((len(events), len(jobs)), (1, 1))
        duplicates = self.env["shopify.webhook.stat"].search(
            [("kind", "=", "duplicate"), ("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(sum(duplicates.mapped("count")), 99)
        self.assertEqual(set(duplicates.mapped("key")), {"orders/create"})
        # The autovacuum folds old counter rows: same total, one row.
        self.env.flush_all()
        self.env.cr.execute("UPDATE shopify_webhook_stat SET create_date = create_date - interval '2 hours'")
        self.env["shopify.webhook.stat"]._gc_fold_counters()
        self.env.invalidate_all()
        duplicates = self.env["shopify.webhook.stat"].search(
            [("kind", "=", "duplicate"), ("shop_id", "=", self.shop.id)]
        )
        self.assertEqual((len(duplicates), duplicates.count), (1, 99))

    def test_same_event_and_topic_with_another_webhook_id_is_a_duplicate(self):
        self.post()
        self.assertEqual(self.post(headers={"X-Shopify-Webhook-Id": "another-delivery"}).status_code, 200)
        self.assertEqual(len(self.stored()[0]), 1)
        # The same event on another topic is other work.
        self.post(headers={"X-Shopify-Webhook-Id": "third", "X-Shopify-Topic": "orders/paid"})
        self.assertEqual(sorted(self.stored()[0].mapped("topic")), ["orders/create", "orders/paid"])

    def assert_rejected(self, response, status, reason):
        self.assertEqual(response.status_code, status)
        events, jobs = self.stored()
        self.assertFalse(events, "nothing is stored for a rejected delivery")
        self.assertFalse(jobs)
        self.assertEqual(self.rejections(reason), 1)

    def test_too_large_body_is_413(self):
        self.env["ir.config_parameter"].set_param("shopify_sync.webhook_max_bytes", "1000")
        big = dict(ORDER, note="x" * 2000)
        self.assert_rejected(self.post(big), 413, "too_large")

    def test_unknown_shop_is_401(self):
        self.assert_rejected(
            self.post(headers={"X-Shopify-Shop-Domain": "other.myshopify.com"}), 401, "unknown_shop"
        )

    def test_archived_shop_is_401(self):
        self.shop.active = False
        self.assert_rejected(self.post(), 401, "unknown_shop")

    def test_domain_header_is_matched_lower_cased(self):
        self.assertEqual(self.post(headers={"X-Shopify-Shop-Domain": DOMAIN.upper()}).status_code, 200)

    def test_shop_without_secret_is_401(self):
        self.shop.client_secret = False
        self.assert_rejected(self.post(), 401, "no_secret")

    def test_missing_signature_is_401(self):
        self.assert_rejected(self.post(drop=["X-Shopify-Hmac-Sha256"]), 401, "missing_hmac")

    def test_wrong_signature_is_401(self):
        self.assert_rejected(self.post(headers={"X-Shopify-Hmac-Sha256": "AAAA"}), 401, "bad_hmac")

    def test_signature_with_another_shops_secret_is_401(self):
        self.env["shopify.shop"].create(
            {"name": "other", "shop_domain": "other-store.myshopify.com", "client_secret": "other-secret"}
        )
        self.assert_rejected(self.post(secret="other-secret"), 401, "bad_hmac")

    def test_body_changed_after_signing_is_401(self):
        raw = json.dumps(ORDER).encode()
        signature = webhook_signature.sign(SECRET, raw)
        tampered = raw.replace(b"19.99", b"0.01")
        response = self.post(raw=tampered, headers={"X-Shopify-Hmac-Sha256": signature})
        self.assert_rejected(response, 401, "bad_hmac")

    def test_missing_topic_is_400(self):
        self.assert_rejected(self.post(drop=["X-Shopify-Topic"]), 400, "missing_headers")

    def test_missing_webhook_id_is_400(self):
        self.assert_rejected(self.post(drop=["X-Shopify-Webhook-Id"]), 400, "missing_headers")

    def test_body_not_a_json_object_is_400(self):
        self.assert_rejected(self.post(raw=b"[1, 2, 3]"), 400, "bad_json")

    def test_body_not_json_is_400(self):
        self.assert_rejected(self.post(raw=b"not json"), 400, "bad_json")

    def test_get_is_not_allowed(self):
        response = self.url_open("/shopify/webhook", timeout=30)
        self.assertEqual(response.status_code, 405)


class TestWebhookProcessing(WebhookCase):
    def test_event_without_handler_is_skipped(self):
        self.post(headers={"X-Shopify-Topic": "shop/update"})
        self.env["shopify.queue.job"]._cron_process_queue()
        events, jobs = self.stored()
        self.assertEqual((events.state, jobs.state), ("skipped", "skipped"))
        self.assertIn("No handler", jobs.last_error_message)

    def test_event_dispatches_to_topic_handler(self):
        from unittest.mock import patch

        received = []
        # Patch the registry class: feature modules (orders) define the real handler in a subclass.
        with patch.object(
            type(self.env["shopify.webhook.event"]),
            "_shopify_webhook_orders_create",
            lambda event, payload: received.append((event.topic, payload["name"])),
            create=True,
        ):
            self.post()
            self.env["shopify.queue.job"]._cron_process_queue()
        events, jobs = self.stored()
        self.assertEqual(received, [("orders/create", "#1001")])
        self.assertEqual((events.state, jobs.state), ("done", "done"))

    def test_autovacuum_deletes_processed_events_past_retention_and_keeps_counting_them(self):
        from datetime import timedelta

        from odoo import fields

        self.post(headers={"X-Shopify-Topic": "shop/update"})
        self.post(
            headers={"X-Shopify-Topic": "shop/update", "X-Shopify-Webhook-Id": "2", "X-Shopify-Event-Id": "2"}
        )
        self.post(
            headers={"X-Shopify-Topic": "orders/paid", "X-Shopify-Webhook-Id": "3", "X-Shopify-Event-Id": "3"}
        )
        self.env["shopify.queue.job"]._cron_process_queue()
        events = self.stored()[0]
        paid = events.filtered(lambda event: event.topic == "orders/paid")
        paid.state = "failed"  # failed work stays until someone retries or ignores it
        events.write({"received_at": fields.Datetime.now() - timedelta(days=15)})
        self.env["shopify.webhook.event"]._gc_old_events()
        self.assertEqual(self.stored()[0], paid)
        purged = self.env["shopify.webhook.stat"].search(
            [("kind", "=", "purged"), ("shop_id", "=", self.shop.id)]
        )
        self.assertEqual((purged.key, purged.count), ("shop/update", 2))
