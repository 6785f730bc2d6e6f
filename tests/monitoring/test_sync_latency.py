"""Sync latency and throughput: measured per job, summarised per kind in /shopify/health and metrics."""

import time
from datetime import timedelta

from odoo import fields
from odoo.tools import mute_logger

from ..common import ShopifyCase
from ..engine.test_queue import job_handler, register_test_kinds


class TestSyncLatency(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_test_kinds(cls)
        cls.shop = cls.create_shop()
        cls.Job = cls.env["shopify.queue.job"]
        cls.Health = cls.env["shopify.health"]

    def test_a_job_records_the_time_from_its_change_to_applied(self):
        job = self.Job._enqueue(self.shop, "probe", origin_ts=time.time() - 3.0)
        with (
            job_handler("probe", lambda job: None),
            mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"),
        ):
            self.Job._cron_process_queue()
        self.assertEqual(job.state, "done")
        self.assertGreaterEqual(job.latency_s, 3.0)
        self.assertLess(job.latency_s, 30.0)
        self.assertGreaterEqual(job.run_s, 0.0)

    def test_a_delivery_starts_its_clock_at_shopifys_event_time(self):
        triggered = fields.Datetime.now() - timedelta(seconds=7)
        event = self.env["shopify.webhook.event"]._ingest(
            self.shop,
            "orders/create",
            "latency-1",
            '{"id": 5, "updated_at": "2020-01-01T00:00:00Z"}',
            {"id": 5, "admin_graphql_api_id": "gid://shopify/Order/5", "updated_at": "2020-01-01T00:00:00Z"},
            triggered_at=triggered.isoformat() + ".250000Z",
        )
        job = event.job_ids
        self.assertEqual(len(job), 1)
        self.assertAlmostEqual(job.origin_ts, time.time() - 7, delta=2, msg="the header wins over updated_at")
        self.assertEqual(job.origin_ts % 1, 0.25, "to the fraction of a second")
        self.assertEqual((job.kind, job.state, job.priority), ("webhook", "pending", 10))
        self.assertEqual(job.serial_key, "gid://shopify/Order/5")
        self.assertEqual(job.company_id, self.shop.company_id)

    def test_ingest_is_one_statement(self):
        body = {
            "id": 6,
            "admin_graphql_api_id": "gid://shopify/Order/6",
            "updated_at": "2026-01-01T00:00:00Z",
        }
        self.shop.company_id  # noqa: B018 (read before counting, as the controller's signature check does)
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self.env["shopify.webhook.event"]._ingest(self.shop, "orders/create", "latency-2", "{}", body)
        self.assertEqual(self.env.cr.sql_log_count - before, 1, "event and job inserted in one round trip")

    def finished(self, kind, latencies, **values):
        now = fields.Datetime.now()
        for latency in latencies:
            job = self.Job._enqueue(self.shop, kind, payload={"latency": latency}, **values)
            job.write({"state": "done", "finished_at": now - timedelta(minutes=5), "latency_s": latency})
        return now

    def test_health_and_metrics_give_p50_p95_and_a_histogram_per_kind(self):
        now = self.finished("inventory_push", [1.0, 2.0, 10.0])
        self.finished("order_fetch", [0.5])
        old = self.Job._enqueue(self.shop, "order_fetch")
        old.write({"state": "done", "finished_at": now - timedelta(hours=2), "latency_s": 999.0})
        health = self.Health._snapshot(self.shop, now)[self.shop.id]
        push = health["sync_latency_1h"]["inventory_push"]
        self.assertEqual(push["direction"], "to_shopify")
        self.assertEqual(push["count"], 3)
        self.assertEqual(push["p50_s"], 2.0)
        self.assertEqual(push["p95_s"], 9.2)
        self.assertEqual(push["per_minute"], 0.05)
        fetch = health["sync_latency_1h"]["order_fetch"]
        self.assertEqual((fetch["direction"], fetch["count"], fetch["p95_s"]), ("from_shopify", 1, 0.5))
        self.assertEqual(health["records_per_minute_1h"], round(4 / 60, 2))

        text = self.Health._metrics_text(self.shop, now)
        labels = f'shop="{self.shop.shop_domain}",kind="inventory_push",direction="to_shopify"'
        self.assertIn(f'shopify_sync_latency_seconds_bucket{{{labels},le="1"}} 1', text)
        self.assertIn(f'shopify_sync_latency_seconds_bucket{{{labels},le="5"}} 2', text)
        self.assertIn(f'shopify_sync_latency_seconds_bucket{{{labels},le="+Inf"}} 3', text)
        self.assertIn(f"shopify_sync_latency_seconds_sum{{{labels}}} 13", text)
        self.assertIn(f"shopify_sync_latency_seconds_count{{{labels}}} 3", text)
        self.assertIn("# TYPE shopify_sync_latency_seconds histogram", text)
        self.assertIn(f"shopify_sync_records_per_minute{{{labels}}} 0.05", text)
