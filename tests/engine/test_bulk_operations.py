"""Bulk queries against the emulator: nested result streamed and joined, finish by webhook and by poll,
concurrency limit per shop."""

from unittest.mock import patch

from odoo.exceptions import UserError

from ...emulator import bulk as emulator_bulk
from ...models.engine import registry as work_registry
from ...models.engine.bulk_operation import ShopifyBulkOperation, concurrency_limit
from ...services import bulk
from ..common import EmulatorCase


class TestBulkOperations(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Bulk = cls.env["shopify.bulk.operation"]

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.emu_shop.seed_products(12, max_options=2, max_values=2, stock=(1, 3))
        self.batches = []
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.bulk_batch_size", "5")

        def record(operation, batch):
            self.batches.append(batch)
            return len(batch) + sum(len(kids) for obj in batch for kids in obj.get("__children", {}).values())

        for patcher in (
            patch.object(ShopifyBulkOperation, "_bulk_process_catalog", record, create=True),
            patch.dict(
                work_registry.BULK_KINDS, {"catalog": work_registry.BulkKind("_bulk_process_catalog")}
            ),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)

    def expected_catalog(self):
        return {
            product.gid: sorted(
                variant.gid for variant in self.emu_shop.variants.values() if variant.product_id == product.id
            )
            for product in self.emu_shop.products.values()
        }

    def joined(self):
        return {
            obj["id"]: sorted(child["id"] for child in obj.get("__children", {}).get("ProductVariant", []))
            for batch in self.batches
            for obj in batch
        }

    def test_nested_result_is_streamed_and_joined_in_batches_on_poll(self):
        operation = self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants")
        self.assertTrue(operation.operation_gid.startswith("gid://shopify/BulkOperation/"))
        self.assertFalse(operation.processed)
        self.Bulk._cron_poll()
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual(self.joined(), self.expected_catalog())
        self.assertEqual([len(batch) for batch in self.batches], [5, 5, 2])
        self.assertEqual(operation.processed_count, operation.object_count)
        self.assertEqual(operation.root_object_count, 12)
        # Done once: the next poll leaves it alone.
        self.Bulk._cron_poll()
        self.assertEqual(len(self.batches), 3)

    def test_finish_webhook_processes_the_result(self):
        posted = self.capture_webhook_deliveries()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        self.shop.action_confirm_database()
        self.shop._webhook_sync_subscriptions()
        operation = self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants")
        emulator_bulk.complete_due(self.emulator, self.emu_shop)  # what the emulator's ticker does
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        self.assertFalse(operation.processed)
        [(body, headers)] = [p for p in posted if p[1]["X-Shopify-Topic"] == "bulk_operations/finish"]
        job = self.run_delivery(body, headers)
        self.assertEqual(job.state, "done")
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual(self.joined(), self.expected_catalog())

    def test_concurrency_limit_per_shop(self):
        self.assertEqual(concurrency_limit("2026-01"), 5)
        self.assertEqual(concurrency_limit("2025-10"), 1)
        self.emu_shop.bulk_delay = 3600.0  # they keep running
        operations = self.Bulk
        for _index in range(5):
            operations |= self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants")
        self.assertLessEqual(set(operations.mapped("status")), {"created", "running"})
        requests_before = self.emu_shop.counters["requests"]
        with self.assertRaisesRegex(UserError, "already runs 5 bulk operation"):
            self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants")
        self.assertEqual(self.emu_shop.counters["requests"], requests_before)  # refused before asking
        self.Bulk._cron_poll()
        self.assertEqual(set(operations.mapped("status")), {"running"})
        self.clock.advance(3601)
        self.Bulk._cron_poll()
        self.assertEqual(set(operations.mapped("status")), {"completed"})
        self.assertTrue(self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants"))

    def test_children_before_their_parent_and_orphans_are_kept(self):
        lines = [
            b'{"id": "gid://shopify/ProductVariant/2", "__parentId": "gid://shopify/Product/1"}',
            b'{"id": "gid://shopify/Product/1"}',
            b'{"id": "gid://shopify/ProductVariant/9", "__parentId": "gid://shopify/Product/8"}',
        ]
        [batch] = list(bulk.joined_batches(bulk.parse_lines(lines), batch_size=10))
        self.assertEqual(batch[0]["__children"]["ProductVariant"][0]["id"], "gid://shopify/ProductVariant/2")
        self.assertTrue(batch[1]["__orphan"])
        with self.assertRaisesRegex(ValueError, "line 1 is not JSON"):
            list(bulk.parse_lines([b"{}", b"{broken"]))


class TestBulkMutation(EmulatorCase):
    def product_line(self, handle):
        return {
            "input": {
                "title": handle.title(),
                "handle": handle,
                "productOptions": [{"name": "Title", "values": [{"name": "Default"}]}],
                "variants": [{"optionValues": [{"optionName": "Title", "name": "Default"}], "price": "9.50"}],
            },
            "variantsFirst": 1,
        }

    def test_results_matched_by_line_number_and_line_errors_recorded_against_records(self):
        self.addCleanup(self.emu_shop.set_faults, reset=True)
        self.emu_shop.set_faults(user_errors={"handle": ["refused"]})
        templates = self.env["product.template"].create(
            [{"name": name} for name in ("Alpha", "Refused", "Gamma")]
        )
        rows = [(template, self.product_line(template.name.lower())) for template in templates]
        Bulk = self.env["shopify.bulk.operation"]
        # A mutation kind of this test only: no hook, the line errors are recorded all the same.
        registered = patch.dict(work_registry.BULK_KINDS, {"product_push": work_registry.BulkKind()})
        registered.start()
        self.addCleanup(registered.stop)
        operation = Bulk._start_mutation(self.shop, "product_push", "product_set", rows)
        self.assertEqual(operation.operation_type, "mutation")
        Bulk._cron_poll()
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual(operation.processed_count, 3)
        self.assertEqual(operation.line_error_count, 1)
        [error] = operation.line_error_ids
        self.assertEqual(
            (error.line_number, error.res_model, error.res_id), (1, "product.template", templates[1].id)
        )
        self.assertTrue(error.message)
        handles = {product.handle for product in self.emu_shop.products.values()}
        self.assertEqual(handles, {"alpha", "gamma"})
