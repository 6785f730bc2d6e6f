"""Product webhooks and the product_export job, through the engine's real inbox and queue."""

import json

from odoo.tools import mute_logger

from ..common import EmulatorCase
from .test_product_import import rest_product


class TestProductWebhooksAndJobs(EmulatorCase):
    def deliver(self, topic, body, webhook_id):
        raw = json.dumps(body)
        self.env["shopify.webhook.event"]._ingest(self.shop, topic, webhook_id, raw, body)

    def process(self):
        with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
            return self.env["shopify.queue.job"]._cron_process_queue(batch_size=50)

    def binding(self):
        return (
            self.env["shopify.product.binding"]
            .with_context(active_test=False)
            .search([("shop_id", "=", self.shop.id), ("shopify_gid", "=", "gid://shopify/Product/501")])
        )

    def test_create_update_delete_webhooks(self):
        self.deliver("products/create", rest_product(), "w1")
        self.process()
        template = self.binding().product_tmpl_id
        self.assertEqual(template.name, "Enamel mug")
        self.assertEqual(len(template.product_variant_ids), 9)
        self.deliver(
            "products/update", rest_product(title="Renamed", updated_at="2026-11-01T11:00:00Z"), "w2"
        )
        self.process()
        self.assertEqual(template.name, "Renamed")
        # A delivery older than what was applied is skipped.
        self.deliver("products/update", rest_product(title="Stale", updated_at="2026-11-01T10:30:00Z"), "w3")
        jobs = self.process()
        self.assertEqual(template.name, "Renamed")
        self.assertEqual(jobs.state, "skipped")
        self.deliver("products/delete", {"id": 501}, "w4")
        self.process()
        self.assertFalse(template.active)
        self.assertFalse(self.binding().active)
        self.assertFalse(self.binding().export_pending)

    def test_odoo_change_is_exported_by_the_queue(self):
        template = self.env["product.template"].create({"name": "Tea towel", "default_code": "TOWEL"})
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": template.id}
        )
        job = self.env["shopify.queue.job"].search(
            [("kind", "=", "product_export"), ("res_id", "=", binding.id)]
        )
        self.assertEqual(len(job), 1)
        self.process()
        self.assertEqual(job.state, "done", job.last_error_message)
        self.assertEqual(binding.sync_state, "synced")
        self.assertEqual(len(self.emu_shop.products), 1)
        template.name = "Tea towel, linen"
        template.name = "Tea towel, linen"  # the same value again queues nothing new
        jobs = self.env["shopify.queue.job"].search(
            [("kind", "=", "product_export"), ("state", "=", "pending")]
        )
        self.assertEqual(len(jobs), 1)
        self.process()
        self.assertEqual(next(iter(self.emu_shop.products.values())).title, "Tea towel, linen")
        self.assertFalse(binding.export_pending)
