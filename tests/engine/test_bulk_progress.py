"""Bulk results processed in batches that resume, show progress and survive bad lines and failing batches;
two workers never process the same operation (its row lock)."""

import threading
import time
from datetime import datetime, timezone
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.tools import mute_logger

from ...emulator import bulk as emulator_bulk
from ...models.engine import bulk_operation as runner
from ...models.engine import registry as work_registry
from ...models.engine.bulk_operation import ShopifyBulkOperation
from ...models.reconcile.handlers import ShopifyBulkOperation as InventoryBulkOperation
from ...models.reconcile.handlers import ShopifyBulkOperation as OrderBulkOperation
from ...models.reconcile.handlers import ShopifyBulkOperation as ProductReconcileOperation
from ...services.errors import ThrottledError
from ..common import EmulatorCase
from ..reconcile.test_inventory_reconcile_bulk import InventoryBulkCase
from ..reconcile.test_product_reconcile import ProductReconcileCase

MARK = "shopify_sync.test_bulk_progress:"


class BulkProgressCase(EmulatorCase):
    """A `catalog` kind whose handler leaves one database row per product (so a batch rolled back leaves
    none) and can be told to fail on a given batch."""

    emulator_fake_clock = True
    products = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Bulk = cls.env["shopify.bulk.operation"]

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.emu_shop.seed_products(self.products, max_options=2, max_values=2, stock=(1, 3))
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.bulk_batch_size", "5")
        self.calls = []  # per handler call: the operation's progress fields when the batch started
        self.fail_on = {}  # batch call number -> exception raised after the batch's rows were written

        def handle(operation, batch):
            self.calls.append(
                {
                    "lines": operation.processed_lines,
                    "position": operation.resume_position,
                    "progress": operation.processed_progress,
                    "roots": [obj["id"] for obj in batch],
                }
            )
            params = operation.env["ir.config_parameter"].sudo()
            for obj in batch:
                params.create({"key": MARK + obj["id"], "value": "1"})
            error = self.fail_on.pop(len(self.calls), None)
            if error is not None:
                raise error
            return len(batch)

        for patcher in (
            patch.object(ShopifyBulkOperation, "_bulk_process_catalog", handle, create=True),
            patch.dict(
                work_registry.BULK_KINDS, {"catalog": work_registry.BulkKind("_bulk_process_catalog")}
            ),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)

    def start(self):
        operation = self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants")
        emulator_bulk.complete_due(self.emulator, self.emu_shop)
        return operation

    def marks(self):
        params = self.env["ir.config_parameter"].sudo().search([("key", "=like", MARK + "%")])
        return sorted(param.key[len(MARK) :] for param in params)

    def product_gids(self):
        return sorted(product.gid for product in self.emu_shop.products.values())


class TestBulkProgress(BulkProgressCase):
    def test_resume_after_an_interruption_processes_every_row_once(self):
        operation = self.start()
        self.fail_on[2] = ThrottledError("Throttled")  # batch 2, the first time only
        with mute_logger("odoo.addons.shopify_sync.models.engine.bulk_operation"):
            self.Bulk._cron_poll()
        self.assertFalse(operation.processed)
        self.assertEqual(operation.resume_position, 5, "batch 1 is kept, batch 2 is not")
        first_batch_lines = self.calls[1]["lines"]
        self.assertGreater(first_batch_lines, 5)  # the products and their variants
        self.assertEqual(operation.processed_lines, first_batch_lines)
        self.assertIn("interrupted after", operation.error_message)
        self.assertEqual(len(self.marks()), 5, "the interrupted batch was rolled back")
        self.assertTrue(0 < operation.processed_progress < 100)

        self.Bulk._cron_poll()  # the next poll resumes after batch 1
        self.assertTrue(operation.processed)
        self.assertEqual(self.marks(), self.product_gids(), "every product handled exactly once")
        self.assertEqual([call["position"] for call in self.calls], [0, 5, 5, 10])
        self.assertEqual(self.calls[2]["roots"], self.calls[1]["roots"], "batch 2 again, from its start")
        self.assertEqual(operation.processed_lines, operation.object_count)
        self.assertEqual(operation.processed_progress, 100.0)
        self.assertFalse(operation.error_message, "it did resume")
        self.assertFalse(operation.line_error_ids)

    def test_progress_moves_batch_by_batch(self):
        operation = self.start()
        self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual([call["position"] for call in self.calls], [0, 5, 10])
        lines = [call["lines"] for call in self.calls]
        self.assertEqual(lines[0], 0)
        self.assertTrue(lines[0] < lines[1] < lines[2] < operation.object_count)
        progress = [call["progress"] for call in self.calls]
        self.assertEqual(progress[0], 0.0)
        self.assertAlmostEqual(progress[1], 100.0 * lines[1] / operation.object_count)
        self.assertTrue(progress[1] < progress[2] < 100.0)
        self.assertEqual(operation.processed_lines, operation.object_count)
        self.assertEqual(operation.resume_position, operation.root_object_count)
        self.assertEqual(operation.processed_progress, 100.0)
        # The shop form lists the operations under way, then no more.
        self.assertFalse(self.shop.bulk_running_ids)

    def test_shop_form_shows_an_operation_under_way(self):
        self.emu_shop.bulk_delay = 3600.0
        operation = self.Bulk._start_query(self.shop, "catalog", "bulk_products_variants")
        self.shop.invalidate_recordset(["bulk_running_ids"])
        self.assertEqual(self.shop.bulk_running_ids, operation)
        self.assertEqual(operation.processed_progress, 0.0)

    def test_a_failing_batch_is_recorded_and_the_others_go_on(self):
        operation = self.start()
        self.fail_on[2] = ValueError("price is not a number")  # no retry fixes that
        with mute_logger("odoo.addons.shopify_sync.models.engine.bulk_operation"):
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        failed_roots = self.calls[1]["roots"]
        handled = sorted(set(self.product_gids()) - set(failed_roots))
        self.assertEqual(self.marks(), handled, "batch 2 rolled back, batches 1 and 3 kept")
        errors = operation.line_error_ids
        self.assertEqual(set(errors.mapped("error_type")), {"batch"})
        self.assertEqual(len(errors), len(failed_roots))
        self.assertEqual(operation.line_error_count, len(failed_roots))
        for gid in failed_roots:
            self.assertTrue(errors.filtered(lambda error, gid=gid: error.message.startswith(gid)))
        self.assertIn("price is not a number", errors[0].message)
        self.assertIn("A batch of 5 rows failed", operation.error_message)
        self.assertEqual(operation.processed_lines, operation.object_count)  # read to the end

    def test_a_broken_line_is_reported_without_losing_the_others(self):
        operation = self.start()
        key = next(iter(self.emu_shop.bulk_files))
        lines = self.emu_shop.bulk_files[key].splitlines(keepends=True)
        lines.insert(3, b'{"id": "gid://shopify/Product/9999", "title": \n')  # cut short
        self.emu_shop.bulk_files[key] = b"".join(lines)
        self.fail_on[2] = ThrottledError("Throttled")  # and an interruption: the line is read twice
        with mute_logger("odoo.addons.shopify_sync.models.engine.bulk_operation"):
            self.Bulk._cron_poll()
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual(self.marks(), self.product_gids(), "every readable product handled once")
        [error] = operation.line_error_ids
        self.assertEqual(error.error_type, "unreadable")
        self.assertEqual(error.line_number, 3)
        self.assertIn("line 3 is not JSON", error.message)
        self.assertEqual(operation.line_error_count, 1)

    def test_finish_outside_the_cron_wakes_it_in_production(self):
        """A webhook job or a button runs inside a savepoint, where batches cannot be committed: with
        auto-commit on, it leaves the processing to the poll cron."""
        cron = self.env.ref(runner.POLL_CRON)
        cron.active = True
        operation = self.start()
        in_background = patch.object(ShopifyBulkOperation, "_bulk_in_background", lambda self: True)
        with in_background, self.env.cr.savepoint():
            operation._refresh()  # what the bulk_operations/finish webhook handler does
        self.assertEqual(operation.status, "completed")
        self.assertFalse(operation.processed)
        self.assertFalse(self.calls)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual(self.marks(), self.product_gids())


class TestBulkProcessingLock(EmulatorCase):
    """Two workers with their own connections. TransactionCase's registry.cursor() opens real
    connections that cannot see this test's data, so the operation is set up in its own committed
    transaction (another shop) and removed after."""

    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.emu_shop.seed_products(30, max_options=1, max_values=1, stock=(1, 1))
        Bulk = self.env["shopify.bulk.operation"]
        # Only its result file is used (by the operation below): any registered query kind will do.
        source = Bulk._start_query(self.shop, "product_import", "bulk_products_variants")
        emulator_bulk.complete_due(self.emulator, self.emu_shop)
        [node] = [op for op in self.emu_shop.bulk_operations.values() if op.gid == source.operation_gid]
        with self.registry.cursor() as setup_cr:
            env = api.Environment(setup_cr, SUPERUSER_ID, {})
            # Inactive: no sync cron to switch on (the test's own transaction holds those rows).
            shop = env["shopify.shop"].create(
                {
                    "name": "bulk lock",
                    "shop_domain": "bulk-lock-test.myshopify.com",
                    "client_secret": "s",
                    "active": False,
                }
            )
            self.operation_id = (
                env["shopify.bulk.operation"]
                .create(
                    {
                        "shop_id": shop.id,
                        "kind": "lockcount",
                        "operation_gid": "gid://shopify/BulkOperation/lock",
                        "status": "completed",
                        "url": node.url,
                        "object_count": node.object_count,
                        "root_object_count": node.root_object_count,
                    }
                )
                .id
            )
            shop_id = shop.id
        self.addCleanup(self._drop_shop, shop_id)
        self.handled = []  # (worker, root gid)

        def count(operation, batch):
            time.sleep(0.02)  # long enough for the other worker to try
            self.handled.extend((threading.current_thread().name, obj["id"]) for obj in batch)
            return len(batch)

        for patcher in (
            patch.object(ShopifyBulkOperation, "_bulk_process_lockcount", count, create=True),
            patch.dict(
                work_registry.BULK_KINDS, {"lockcount": work_registry.BulkKind("_bulk_process_lockcount")}
            ),
            patch.object(ShopifyBulkOperation, "_bulk_batch_size", lambda self: 3),
        ):
            patcher.start()
            self.addCleanup(patcher.stop)

    def _drop_shop(self, shop_id):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["shopify.shop"].browse(shop_id).unlink()

    def worker_operation(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {"shopify_bulk_commit": True})
        return env["shopify.bulk.operation"].browse(self.operation_id)

    def test_a_held_operation_is_skipped_by_the_other_worker(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            self.assertTrue(self.worker_operation(cr_a)._bulk_claim())  # A is processing it
            self.assertIsNone(self.worker_operation(cr_b)._process())
            self.assertFalse(self.handled)
            cr_a.rollback()  # A dies without committing: nothing is lost, B can take it
            operation_b = self.worker_operation(cr_b)
            self.assertEqual(operation_b._process(), 30)
            self.assertEqual(len(self.handled), 30)
            cr_b.rollback()

    def test_after_its_commit_a_worker_stops_if_another_took_over(self):
        """A commit releases the row lock: the worker takes it again and goes on only if nobody
        processed a batch in between."""
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            operation_a = self.worker_operation(cr_a)
            self.assertTrue(operation_a._bulk_claim())
            cr_a.commit()  # A's batch is committed at position 0 here; its lock is gone
            operation_b = self.worker_operation(cr_b)
            self.assertTrue(operation_b._bulk_claim(), "B may take it now")
            operation_b.resume_position = 3  # B processes a batch
            operation_b.env.flush_all()
            self.assertFalse(operation_a._bulk_claim(expect_position=0), "B holds it")
            cr_b.commit()
            # A's snapshot predates B's commit (repeatable read): the lock is refused, not an error.
            self.assertFalse(operation_a._bulk_claim(expect_position=0), "B moved it on: A stops")
            cr_a.rollback()  # a transaction begun after B's commit sees the position B left
            self.assertFalse(operation_a._bulk_claim(expect_position=0), "B moved it on: A stops")
            self.assertTrue(operation_a._bulk_claim(expect_position=3))
            cr_a.rollback()

    def test_two_pollers_with_commits_handle_every_row_once(self):
        errors = []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    self.worker_operation(cr)._process()
            except Exception as error:  # reported below: a thread's exception is otherwise lost
                errors.append(error)

        with patch.object(runner, "auto_commit_enabled", lambda: True):
            threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertFalse(errors)
        gids = [gid for _worker, gid in self.handled]
        self.assertEqual(len(gids), 30)
        self.assertEqual(len(set(gids)), 30, "no row handled twice")
        with self.registry.cursor() as cr:
            operation = self.worker_operation(cr)
            self.assertTrue(operation.processed)
            self.assertEqual(operation.resume_position, 30)
            self.assertEqual(operation.processed_lines, operation.object_count)


class TestInventoryBulkResume(InventoryBulkCase):
    """A flat kind with an end-of-processing hook: resumed, it finds the same drift as an uninterrupted
    run, and its report is closed once, after the last batch."""

    def test_interrupted_stock_comparison_resumes_and_closes_the_report_once(self):
        paged = self.reconcile(bulk=False, dry_run=True)
        original = InventoryBulkOperation._bulk_process_inventory_reconcile
        calls = []

        def throttled_once(operation, batch):
            calls.append(len(batch))
            if len(calls) == 2:
                raise ThrottledError("Throttled")
            return original(operation, batch)

        self.use_bulk(True)
        drift = self.shop.with_context(shopify_reconcile_dry_run=True)._inventory_reconcile()
        with (
            patch.object(InventoryBulkOperation, "_bulk_process_inventory_reconcile", throttled_once),
            mute_logger("odoo.addons.shopify_sync.models.engine.bulk_operation"),
        ):
            self.Bulk._cron_poll()
            operation = drift.bulk_operation_id
            self.assertTrue(operation.processing_interrupted)
            self.assertEqual(operation.resume_position, 3, "one flat batch of 3 lines kept")
            self.assertEqual(drift.state, "running", "the report waits for the end of the file")
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertFalse(operation.processing_interrupted)
        self.assertEqual(drift.state, "done")
        self.assertEqual(self.outcome(drift), self.outcome(paged))
        self.assertEqual(operation.processed_lines, operation.object_count)


class TestOrderReconcileResume(EmulatorCase):
    """A joined kind with an end-of-processing hook: the orders' bulk result, interrupted on its second
    batch, backfills every missing order once and turns the day green after the resume."""

    emulator_fake_clock = False

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(500, 500))
        sku = next(iter(self.emu_shop.variants.values())).sku
        self.env["product.product"].create(
            {"name": "Seeded item", "default_code": sku, "type": "consu", "taxes_id": [Command.clear()]}
        )
        self.shop.action_test_connection()  # connected, with Shopify's timezone and currency
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.bulk_batch_size", "2")
        now = datetime.now(timezone.utc).replace(microsecond=0)
        # No webhook subscription: Odoo never heard of these orders.
        self.orders = [
            self.emu_shop.place_order(
                [{"sku": sku, "quantity": index + 1}], email="buyer@example.org", processed_at=now
            )
            for index in range(5)
        ]

    def test_interrupted_backfill_resumes_and_imports_each_order_once(self):
        original = OrderBulkOperation._bulk_process_order_reconcile
        calls = []

        def throttled_once(operation, batch):
            calls.append([node["id"] for node in batch])
            if len(calls) == 2:
                original(operation, batch)  # its orders are imported, then the run is cut short
                raise ThrottledError("Throttled")
            return original(operation, batch)

        run = self.shop.with_context(shopify_reconcile_parts=["orders"])._run_sync("reconcile")
        self.assertEqual(run.state, "done", run.error_summary)
        loggers = (
            "odoo.addons.shopify_sync.models.engine.bulk_operation",
            "odoo.addons.shopify_sync.models.reconcile.shop",
            "odoo.addons.shopify_sync.models.orders.order_binding",
        )
        with (
            patch.object(OrderBulkOperation, "_bulk_process_order_reconcile", throttled_once),
            mute_logger(*loggers),
        ):
            self.Bulk._cron_poll()
            operation = self.Bulk.search([("kind", "=", "order_reconcile")], limit=1)
            self.assertTrue(operation.processing_interrupted)
            self.assertEqual(operation.resume_position, 2)
            self.assertEqual(len(self.bound_gids()), 2, "the second batch's imports were rolled back")
            reports = operation.completeness_report_ids
            self.assertEqual(set(reports.mapped("state")), {"pending"}, "no verdict before the end")
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual(calls[2], calls[1], "the second batch again, from its start")
        self.assertEqual(self.bound_gids(), {order.gid for order in self.orders})
        sale_orders = self.env["sale.order"].search([("shopify_binding_ids.shop_id", "=", self.shop.id)])
        self.assertEqual(len(sale_orders), 5, "each order imported once")
        day = reports.filtered(lambda report: report.shopify_count)
        self.assertEqual(day.shopify_count, 5)
        self.assertEqual(day.state, "green")

    @property
    def Bulk(self):
        return self.env["shopify.bulk.operation"]

    def bound_gids(self):
        bindings = self.env["shopify.order.binding"].search([("shop_id", "=", self.shop.id)])
        return set(bindings.mapped("shopify_gid"))


class TestProductReconcileResume(ProductReconcileCase):
    """A joined kind keeping state in memory between batches (the bindings seen): after a resume, the
    products of the batches already committed still count as seen, so none is reported missing."""

    def test_interrupted_product_reconciliation_resumes_with_the_same_report(self):
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.bulk_batch_size", "1")
        original = ProductReconcileOperation._bulk_process_product_reconcile
        calls = []

        def throttled_once(operation, batch):
            calls.append([root["id"] for root in batch])
            if len(calls) == 2:
                raise ThrottledError("Throttled")
            return original(operation, batch)

        self.shop.with_context(shopify_reconcile_parts=["products"])._run_sync("reconcile")
        report = self.Report.search([("shop_id", "=", self.shop.id)], limit=1)
        with (
            patch.object(ProductReconcileOperation, "_bulk_process_product_reconcile", throttled_once),
            mute_logger("odoo.addons.shopify_sync.models.engine.bulk_operation"),
        ):
            self.Bulk._cron_poll()
            operation = report.bulk_operation_id
            self.assertTrue(operation.processing_interrupted)
            self.assertEqual(operation.resume_position, 1)
            self.assertEqual(report.state, "running")
            self.assertEqual(report.checked_count, 1, "the first product's batch is kept")
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual(report.state, "done", report.error_message)
        self.assertEqual(calls[2], calls[1])
        self.assertEqual((report.checked_count, report.in_sync_count), (2, 2), "each product checked once")
        self.assertEqual(report.gone_count, 0, "the product of the committed batch was seen")
        self.assertFalse(report.line_ids)
