import calendar
import json
from datetime import datetime

from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from ..webhook_common import isolate_unflushed_counts

NOW = datetime(2026, 11, 25, 12, 0, 0)


def at(hour, minute):
    return datetime(2026, 11, 25, hour, minute)


def epoch(moment):
    return calendar.timegm(moment.timetuple())


@tagged("post_install", "-at_install")
class TestHealthAndMetrics(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, login="health_user", groups="shopify_sync.group_shopify_user,base.group_user")
        new_test_user(cls.env, login="plain_user", groups="base.group_user")
        cls.shop = cls.env["shopify.shop"].create(
            {"name": "health", "shop_domain": "health-store.myshopify.com", "client_secret": "s"}
        )
        cls.known_state()

    @classmethod
    def known_state(cls):
        shop = cls.shop
        Call = cls.env["shopify.api.call"]
        Call.create(
            {
                "shop_id": shop.id,
                "operation": "orders_page",
                "called_at": at(10, 30),
                "outcome": "error",
                "requested_cost": 5,
                "error_code": "INTERNAL_SERVER_ERROR",
                "error_message": "Internal error",
            }
        )
        Call.create(
            {
                "shop_id": shop.id,
                "operation": "shop_info",
                "called_at": at(11, 0),
                "outcome": "ok",
                "requested_cost": 12,
                "actual_cost": 10,
                "available_after": 1990,
                "maximum_available": 2000,
                "restore_rate": 100,
                "throttle_wait_ms": 250,
            }
        )
        Job = cls.env["shopify.queue.job"]

        def job(kind, state, finished=None, created=None):
            record = Job._enqueue(shop, kind)
            record.write({"state": state, "finished_at": finished})
            if created:
                cls.env.flush_all()
                cls.env.cr.execute(
                    "UPDATE shopify_queue_job SET create_date = %s WHERE id = %s", [created, record.id]
                )
            return record

        job("order_fetch", "pending", created=at(11, 50))
        job("order_fetch", "done", finished=at(11, 30))
        job("order_fetch", "done", finished=at(10, 0))  # outside the last hour
        job("product_export", "failed", finished=at(11, 40))
        job("webhook", "dead", finished=at(11, 45))
        Log = cls.env["shopify.sync.log"]
        Log.create(
            {
                "shop_id": shop.id,
                "kind": "products",
                "state": "done",
                "started_at": at(11, 29),
                "ended_at": at(11, 30),
                "ok_count": 5,
                "failed_count": 1,
                "skipped_count": 2,
                "cost_used": 12.5,
            }
        )
        Log.create({"shop_id": shop.id, "kind": "inventory", "state": "failed", "ended_at": at(11, 35)})
        cls.env["shopify.webhook.event"].create(
            {"shop_id": shop.id, "topic": "orders/create", "webhook_id": "w1", "received_at": at(11, 50)}
        )
        Stat = cls.env["shopify.webhook.stat"]
        Stat._increment("duplicate", "orders/create", shop, 2)
        Stat._increment("rejected", "bad_hmac", shop)
        for _ in range(3):
            Stat._increment("rejected", "unknown_shop")
        Stat._increment("purged", "orders/create", shop, 4)
        cls.env.invalidate_all()

    def setUp(self):
        super().setUp()
        isolate_unflushed_counts(self)  # exact counts below: none left by other tests' rejections

    def get(self, path, token=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.url_open(path, headers=headers, timeout=30)

    @freeze_time(NOW)
    def test_health_json_for_a_known_state(self):
        self.authenticate("health_user", "health_user")
        response = self.get("/shopify/health")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/json")
        self.assertEqual(
            response.json(),
            {
                "generated_at": "2026-11-25T12:00:00Z",
                "shops": [
                    {
                        "id": self.shop.id,
                        "name": "health",
                        "domain": "health-store.myshopify.com",
                        "state": self.shop.state,
                        "api": {
                            "reachable": True,
                            "last_success_at": "2026-11-25T11:00:00Z",
                            "last_error": "Internal error",
                            "last_error_at": "2026-11-25T10:30:00Z",
                        },
                        "queue": {
                            "pending": 1,
                            "running": 0,
                            "failed": 1,
                            "dead": 1,
                            "oldest_pending_age_s": 600,
                        },
                        "error_rate_1h": 0.6667,
                        "jobs_finished_1h": 3,
                        "last_sync": {"products": "2026-11-25T11:30:00Z"},
                        "last_webhook": {"orders/create": "2026-11-25T11:50:00Z"},
                        "api_bucket": {"available": 1990.0, "maximum": 2000.0, "at": "2026-11-25T11:00:00Z"},
                        "sync_latency_1h": {},
                        "records_per_minute_1h": 0.0,
                        "api_version": {
                            "version": "2026-10",
                            "end_of_support": "2027-10-01",
                            "warning": None,
                            "deprecated_calls_7d": 0,
                            "deprecated_reason": None,
                        },
                        "order_completeness": {
                            "days_checked": 0,
                            "days_green": 0,
                            "days_failed_check": 0,
                            "green": False,
                            "missing": 0,
                            "extra": 0,
                            "differing": 0,
                            "backfilled": 0,
                            "last_checked_at": None,
                            "days": [],
                        },
                        "inventory": {"oldest_waiting_age_s": 0, "oldest_waiting_since": None},
                    }
                ],
            },
        )

    @freeze_time(NOW)
    def test_metrics_text_for_a_known_state(self):
        token = "s3cret-monitoring-token"
        self.env["ir.config_parameter"].set_param("shopify_sync.monitoring_token", token)
        response = self.get("/shopify/metrics", token=token)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        shop = 'shop="health-store.myshopify.com"'
        expected = f"""\
# HELP shopify_queue_jobs Jobs in the work queue by state and kind.
# TYPE shopify_queue_jobs gauge
shopify_queue_jobs{{{shop},state="dead",kind="webhook"}} 1
shopify_queue_jobs{{{shop},state="done",kind="order_fetch"}} 2
shopify_queue_jobs{{{shop},state="failed",kind="product_export"}} 1
shopify_queue_jobs{{{shop},state="pending",kind="order_fetch"}} 1
# HELP shopify_queue_oldest_pending_age_seconds Age of the oldest pending job.
# TYPE shopify_queue_oldest_pending_age_seconds gauge
shopify_queue_oldest_pending_age_seconds{{{shop}}} 600
# HELP shopify_webhook_events_received_total Webhook deliveries accepted and stored, by topic.
# TYPE shopify_webhook_events_received_total counter
shopify_webhook_events_received_total{{{shop},topic="orders/create"}} 5
# HELP shopify_webhook_duplicates_total Webhook deliveries answered 200 but not stored again.
# TYPE shopify_webhook_duplicates_total counter
shopify_webhook_duplicates_total{{{shop},topic="orders/create"}} 2
# HELP shopify_webhook_rejected_total Webhook requests rejected, by reason.
# TYPE shopify_webhook_rejected_total counter
shopify_webhook_rejected_total{{{shop},reason="bad_hmac"}} 1
shopify_webhook_rejected_total{{shop="",reason="unknown_shop"}} 3
# HELP shopify_sync_runs_total Sync runs by kind and final state.
# TYPE shopify_sync_runs_total counter
shopify_sync_runs_total{{{shop},kind="inventory",state="failed"}} 1
shopify_sync_runs_total{{{shop},kind="products",state="done"}} 1
# HELP shopify_sync_records_total Records handled by sync runs, by kind and outcome.
# TYPE shopify_sync_records_total counter
shopify_sync_records_total{{{shop},kind="inventory",outcome="ok"}} 0
shopify_sync_records_total{{{shop},kind="inventory",outcome="failed"}} 0
shopify_sync_records_total{{{shop},kind="inventory",outcome="skipped"}} 0
shopify_sync_records_total{{{shop},kind="products",outcome="ok"}} 5
shopify_sync_records_total{{{shop},kind="products",outcome="failed"}} 1
shopify_sync_records_total{{{shop},kind="products",outcome="skipped"}} 2
# HELP shopify_api_cost_used_total GraphQL cost points used.
# TYPE shopify_api_cost_used_total counter
shopify_api_cost_used_total{{{shop}}} 10
# HELP shopify_api_throttle_wait_seconds_total Time spent waiting for the API budget to refill.
# TYPE shopify_api_throttle_wait_seconds_total counter
shopify_api_throttle_wait_seconds_total{{{shop}}} 0.25
# HELP shopify_last_success_timestamp_seconds Unix time of the last success per kind (api: last API call).
# TYPE shopify_last_success_timestamp_seconds gauge
shopify_last_success_timestamp_seconds{{{shop},kind="products"}} {epoch(at(11, 30))}
shopify_last_success_timestamp_seconds{{{shop},kind="api"}} {epoch(at(11, 0))}
# HELP shopify_sync_latency_seconds Seconds from a change (Shopify event, Odoo change) to applied in Odoo / \
acknowledged by Shopify, for the changes applied in the last hour (a sliding window, not a counter).
# TYPE shopify_sync_latency_seconds histogram
# HELP shopify_sync_records_per_minute Changes applied per minute over the last hour, by kind and direction.
# TYPE shopify_sync_records_per_minute gauge
# HELP shopify_order_completeness_green 1 when every checked day of the last 7 has every Shopify order in \
Odoo with the same total.
# TYPE shopify_order_completeness_green gauge
# HELP shopify_order_completeness_days_checked Days of the last 7 with a finished completeness check.
# TYPE shopify_order_completeness_days_checked gauge
shopify_order_completeness_days_checked{{{shop}}} 0
# HELP shopify_order_completeness_days_green Green days among the last 7 checked.
# TYPE shopify_order_completeness_days_green gauge
# HELP shopify_orders_missing Shopify orders of the last 7 days with no sale order in Odoo (last check).
# TYPE shopify_orders_missing gauge
# HELP shopify_orders_differing Orders of the last 7 days whose Odoo total differs from Shopify's.
# TYPE shopify_orders_differing gauge
# HELP shopify_orders_extra Sale orders of the last 7 days that Shopify does not list for that day.
# TYPE shopify_orders_extra gauge
# HELP shopify_orders_backfilled Orders the checks of the last 7 days imported (backfill).
# TYPE shopify_orders_backfilled gauge
# HELP shopify_order_completeness_last_check_timestamp_seconds Unix time of the last completeness check.
# TYPE shopify_order_completeness_last_check_timestamp_seconds gauge
# HELP shopify_inventory_oldest_waiting_age_seconds Age of the oldest Odoo stock change not yet on Shopify \
(0: none waits; held pairs excluded).
# TYPE shopify_inventory_oldest_waiting_age_seconds gauge
shopify_inventory_oldest_waiting_age_seconds{{{shop}}} 0
"""
        self.assertEqual(response.text, expected)

    def test_unauthenticated_gets_401_and_no_data(self):
        self.env["ir.config_parameter"].set_param("shopify_sync.monitoring_token", "right-token")
        for path in ("/shopify/health", "/shopify/metrics"):
            with self.subTest(path=path, who="anonymous"):
                response = self.get(path)
                self.assertEqual(response.status_code, 401)
                self.assertNotIn(b"health-store", response.content)
            with self.subTest(path=path, who="wrong token"):
                response = self.get(path, token="wrong-token")
                self.assertEqual(response.status_code, 401)
                self.assertNotIn(b"health-store", response.content)

    def test_no_token_configured_means_bearer_never_matches(self):
        response = self.get("/shopify/health", token="anything")
        self.assertEqual(response.status_code, 401)

    def test_internal_user_without_shopify_role_gets_401(self):
        self.authenticate("plain_user", "plain_user")
        self.assertEqual(self.get("/shopify/metrics").status_code, 401)

    def test_token_sees_health(self):
        self.env["ir.config_parameter"].set_param("shopify_sync.monitoring_token", "tok")
        response = self.get("/shopify/health", token="tok")
        self.assertEqual(response.status_code, 200)
        shops = json.loads(response.content)["shops"]
        self.assertEqual([shop["domain"] for shop in shops], ["health-store.myshopify.com"])

    def test_health_tab_on_the_shop_form(self):
        self.assertEqual(self.shop.health_pending_count, 1)
        self.assertEqual(self.shop.health_failed_count, 1)
        self.assertEqual(self.shop.health_dead_count, 1)
        self.assertIn('"orders/create"', self.shop.health_details)
        # Readable fields, not JSON: the last call, the cost bucket, the sync and webhook tables.
        self.assertTrue(self.shop.health_api_reachable)
        self.assertFalse(self.shop.health_api_hint)
        self.assertEqual(self.shop.health_api_last_success_at, at(11, 0))
        self.assertEqual(self.shop.health_api_last_error, "Internal error")
        self.assertEqual(self.shop.health_api_last_error_at, at(10, 30))
        self.assertEqual((self.shop.health_bucket_available, self.shop.health_bucket_maximum), (1990, 2000))
        self.assertAlmostEqual(self.shop.health_bucket_percent, 99.5)
        self.assertEqual(self.shop.health_bucket_at, at(11, 0))
        products = self.shop.dash_sync_kind_ids.filtered(lambda row: row.kind == "products")
        self.assertEqual(products.last_success_at, at(11, 30))
        topic = self.shop.dash_webhook_topic_ids.filtered(lambda row: row.topic == "orders/create")
        self.assertEqual(topic.last_received_at, at(11, 50))
        arch = self.shop.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="health_bucket_percent"', arch)
        self.assertIn('name="dash_webhook_topic_ids"', arch)
        self.assertIn('name="dash_completeness_line"', arch)
        self.assertEqual(self.shop.dash_completeness_line, "Order completeness: not checked yet")

    def test_health_tab_says_what_to_do_when_the_api_fails(self):
        self.env["shopify.api.call"].create(
            {
                "shop_id": self.shop.id,
                "operation": "shop_info",
                "called_at": at(11, 55),
                "outcome": "error",
                "requested_cost": 1,
                "error_code": "ACCESS_DENIED",
                "error_message": "Invalid API key or access token",
            }
        )
        self.shop.invalidate_recordset()
        self.assertFalse(self.shop.health_api_reachable)
        self.assertEqual(self.shop.health_api_last_error, "Invalid API key or access token")
        self.assertIn("Test connection", self.shop.health_api_hint)
