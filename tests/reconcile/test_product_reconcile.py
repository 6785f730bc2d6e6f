"""Daily product reconciliation against the emulator: products changed on Shopify behind our back are
corrected by the field policy, missing links reported both ways, dry run writes nothing, a broken row
does not stop the others; the bulk query is finished by the polling cron."""

from ...services import bulk
from ...services.mapping import products as mapping
from ..common import EmulatorCase

PRODUCT_UPDATE = """
mutation Update($product: ProductUpdateInput!) {
  productUpdate(product: $product) { product { id } userErrors { field message } }
}
"""
VARIANTS_UPDATE = """
mutation Variants($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id } userErrors { field message }
  }
}
"""
BULK_CANCEL = """
mutation Cancel($id: ID!) { bulkOperationCancel(id: $id) { userErrors { field message } } }
"""
PRODUCT_DELETE = """
mutation Delete($input: ProductDeleteInput!) {
  productDelete(input: $input) { deletedProductId userErrors { field message } }
}
"""


class ProductReconcileCase(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.size = cls.env["product.attribute"].create(
            {"name": "Size", "value_ids": [(0, 0, {"name": n}) for n in ("S", "M")]}
        )
        cls.shop.state = "connected"
        cls.Bulk = cls.env["shopify.bulk.operation"]
        cls.Report = cls.env["shopify.product.reconcile"]

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.client = self.direct_client()
        self.mug = self.make_template("Enamel mug", "MUG", "4006381300011")
        self.cap = self.make_template("Linen cap", "CAP", "4006381300028")
        self.mug_binding = self.publish(self.mug)
        self.cap_binding = self.publish(self.cap)

    def make_template(self, name, code, barcode):
        template = self.env["product.template"].create(
            {
                "name": name,
                "product_brand": "Acme",
                "list_price": 24.90,
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": self.size.id, "value_ids": [(6, 0, self.size.value_ids.ids)]})
                ],
            }
        )
        for index, product in enumerate(template.product_variant_ids):
            product.write({"default_code": f"{code}-{index}", "barcode": f"{barcode}{index}"})
        return template

    def publish(self, template):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": template.id}
        )
        stats = self.shop._shopify_export_pending(bindings=binding, client=self.client)
        self.assertEqual(stats["exported"], 1)
        self.assertEqual(binding.sync_state, "synced")
        return binding

    def set_rule(self, field_name, direction=mapping.BOTH, policy=mapping.ODOO_WINS):
        line = self.shop.field_mapping_ids.filtered(lambda line: line.shopify_field == field_name)
        line.write({"direction": direction, "conflict_policy": policy})

    def shopify_update(self, binding, **values):
        """Change a product in Shopify's admin (straight to the emulator, not through Odoo)."""
        self.clock.advance(60)
        data = self.graphql(PRODUCT_UPDATE, {"product": {"id": binding.shopify_gid, **values}})
        self.assertFalse(data["data"]["productUpdate"]["userErrors"])

    def shopify_variant_update(self, binding, **values):
        self.clock.advance(60)
        variant = binding.variant_binding_ids[0]
        data = self.graphql(
            VARIANTS_UPDATE,
            {"productId": binding.shopify_gid, "variants": [{"id": variant.shopify_gid, **values}]},
        )
        self.assertFalse(data["data"]["productVariantsBulkUpdate"]["userErrors"])
        return variant

    def remote_product(self, binding):
        node = self.client.execute("product_by_id", {"id": binding.shopify_gid})["product"]
        return mapping.product_from_graphql(node)

    def reconcile(self, **context):
        """The daily cron's path for this shop (products only: the other parts have tests of their own),
        then the polling cron finishing the bulk query."""
        context.setdefault("shopify_reconcile_parts", ["products"])
        run = self.shop.with_context(**context)._run_sync("reconcile")
        report = self.Report.search([("shop_id", "=", self.shop.id)], limit=1)
        self.assertEqual(report.state, "running")
        self.assertEqual(report.sync_log_id, run)
        self.Bulk._cron_poll()
        self.assertEqual(report.state, "done", report.error_message)
        self.assertTrue(report.bulk_operation_id.processed)
        return report, run

    def line_of(self, report, binding):
        return report.line_ids.filtered(lambda line: line.binding_id == binding)


class TestProductReconcile(ProductReconcileCase):
    def test_in_sync_catalog_reports_nothing_to_do(self):
        report, run = self.reconcile()
        self.assertEqual(report.bulk_operation_id.kind, "product_reconcile")
        self.assertEqual((report.checked_count, report.in_sync_count), (2, 2))
        self.assertFalse(report.line_ids)
        self.assertEqual((run.ok_count, run.failed_count), (2, 0))
        self.assertFalse((self.mug_binding | self.cap_binding).filtered("export_pending"))

    def test_shopify_owned_field_is_corrected_in_odoo(self):
        self.set_rule("title", mapping.TO_ODOO)
        self.set_rule("price", mapping.TO_ODOO)
        self.shopify_update(self.mug_binding, title="Enamel mug XL")
        variant = self.shopify_variant_update(self.mug_binding, price="29.50")
        report, run = self.reconcile()
        self.assertEqual(self.mug.name, "Enamel mug XL")
        self.assertEqual(variant.product_id.lst_price, 29.50)
        self.assertEqual((report.drift_count, report.in_sync_count), (1, 1))
        line = self.line_of(report, self.mug_binding)
        self.assertEqual(line.kind, "drift")
        self.assertIn("title → Odoo", line.drifted)
        self.assertIn("price [", line.drifted)
        self.assertIn("Applied in Odoo", line.action)
        # Odoo now agrees with Shopify: nothing to export, the next run finds the product in sync.
        self.assertFalse(self.mug_binding.export_pending)
        self.assertEqual(run.ok_count, 2)
        report, _run = self.reconcile()
        self.assertEqual((report.in_sync_count, report.drift_count), (2, 0))

    def test_odoo_owned_field_is_re_exported(self):
        self.set_rule("vendor", mapping.TO_SHOPIFY)
        self.shopify_update(self.cap_binding, vendor="Someone else")
        report, _run = self.reconcile()
        self.assertEqual(self.cap.product_brand, "Acme")
        self.assertTrue(self.cap_binding.export_pending)
        line = self.line_of(report, self.cap_binding)
        self.assertEqual(line.kind, "drift")
        self.assertIn("vendor → Shopify", line.drifted)
        self.assertIn("Re-export queued", line.action)
        stats = self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(stats["exported"], 1)
        self.assertEqual(self.remote_product(self.cap_binding)["fields"]["vendor"], "Acme")
        report, _run = self.reconcile()
        self.assertEqual(report.in_sync_count, 2)

    def test_both_sides_changed_follows_the_conflict_policy(self):
        self.set_rule("title", mapping.BOTH, mapping.SHOPIFY_WINS)
        self.set_rule("vendor", mapping.BOTH, mapping.ODOO_WINS)
        self.mug.write({"name": "Enamel mug (Odoo)", "product_brand": "Acme Odoo"})
        self.assertTrue(self.mug_binding.export_pending)
        self.shopify_update(self.mug_binding, title="Enamel mug (Shopify)", vendor="Acme Shopify")
        report, _run = self.reconcile()
        self.assertEqual(report.conflict_count, 1)
        line = self.line_of(report, self.mug_binding)
        self.assertEqual(line.kind, "conflict")
        conflicts = self.mug_binding.conflict_ids
        self.assertEqual(
            sorted((c.field_name, c.winner) for c in conflicts), [("title", "shopify"), ("vendor", "odoo")]
        )
        self.assertIn("Conflict on title: shopify won", line.action)
        self.assertEqual(self.mug.name, "Enamel mug (Shopify)")
        self.assertEqual(self.mug.product_brand, "Acme Odoo")
        self.assertTrue(self.mug_binding.export_pending)  # Odoo's vendor goes back out

    def test_odoo_side_written_behind_change_tracking_is_exported(self):
        # A write that bypassed change tracking (import context), noticed by its write date.
        self.mug.with_context(shopify_import=True).write({"name": "Renamed in Odoo"})
        self.assertFalse(self.mug_binding.export_pending)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE product_template SET write_date = %s WHERE id = %s",
            [self.mug_binding.synced_at.replace(year=self.mug_binding.synced_at.year + 1), self.mug.id],
        )
        self.env.invalidate_all()
        report, _run = self.reconcile()
        line = self.line_of(report, self.mug_binding)
        self.assertIn("title → Shopify", line.drifted)
        self.assertTrue(self.mug_binding.export_pending)
        self.assertEqual((report.drift_count, report.in_sync_count), (1, 1))

    def test_missing_bindings_are_reported_both_ways(self):
        stranger = self.emu_shop.seed_products(1, max_options=1, max_values=1)[0]
        data = self.graphql(PRODUCT_DELETE, {"input": {"id": self.cap_binding.shopify_gid}})
        self.assertFalse(data["data"]["productDelete"]["userErrors"])
        never = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.make_template("Candle", "CDL", "40063").id}
        )
        report, run = self.reconcile()
        self.assertEqual(
            (report.unbound_count, report.gone_count, report.unexported_count, report.in_sync_count),
            (1, 1, 1, 1),
        )
        unbound = report.line_ids.filtered(lambda line: line.kind == "unbound")
        self.assertEqual(unbound.shopify_gid, stranger.gid)
        gone = report.line_ids.filtered(lambda line: line.kind == "gone")
        self.assertEqual((gone.binding_id, gone.product_tmpl_id), (self.cap_binding, self.cap))
        self.assertEqual(report.line_ids.filtered(lambda line: line.kind == "unexported").binding_id, never)
        self.assertEqual(run.skipped_count, 3)
        # Reported, not acted upon: nothing was imported, archived or deleted.
        self.assertTrue(self.cap_binding.active)
        self.assertFalse(self.env["shopify.product.binding"].search([("shopify_gid", "=", stranger.gid)]))

    def test_dry_run_writes_nothing(self):
        self.set_rule("title", mapping.TO_ODOO)
        self.set_rule("vendor", mapping.TO_SHOPIFY)
        self.shopify_update(self.mug_binding, title="Changed title", vendor="Changed vendor")
        bindings = self.mug_binding | self.cap_binding
        before = bindings.read(["synced_values", "synced_hash", "export_pending", "shopify_updated_at"])
        jobs_before = self.env["shopify.queue.job"].search_count([])
        report, _run = self.reconcile(shopify_reconcile_dry_run=True)
        self.assertTrue(report.dry_run)
        self.assertEqual(self.mug.name, "Enamel mug")
        self.assertEqual(self.mug.product_brand, "Acme")
        bindings.invalidate_recordset()
        self.assertEqual(
            bindings.read(["synced_values", "synced_hash", "export_pending", "shopify_updated_at"]), before
        )
        self.assertFalse(self.mug_binding.conflict_ids)
        self.assertEqual(self.env["shopify.queue.job"].search_count([]), jobs_before)
        line = self.line_of(report, self.mug_binding)
        self.assertIn("title → Odoo", line.drifted)
        self.assertIn("vendor → Shopify", line.drifted)
        self.assertIn("Would apply", line.action)
        self.assertIn("Would re-export", line.action)
        self.assertEqual(report.drift_count, 1)

    def test_a_bulk_query_canceled_on_shopify_fails_the_report(self):
        self.emu_shop.bulk_delay = 3600.0
        self.shop._run_sync("reconcile")
        report = self.Report.search([("shop_id", "=", self.shop.id)])
        data = self.graphql(BULK_CANCEL, {"id": report.bulk_operation_id.operation_gid})
        self.assertFalse(data["data"]["bulkOperationCancel"]["userErrors"])
        self.Bulk._cron_poll()
        self.assertEqual(report.bulk_operation_id.status, "canceled")
        self.assertEqual(report.state, "failed")
        self.assertIn("canceled", report.error_message)

    def test_the_daily_cron_reconciles_products_with_the_other_parts(self):
        self.env["shopify.shop"]._cron_reconcile()
        report = self.Report.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(report.sync_log_id.kind, "reconcile")
        self.Bulk._cron_poll()
        self.assertEqual((report.state, report.in_sync_count), ("done", 2))
        self.assertGreaterEqual(report.sync_log_id.ok_count, 2)

    def test_reports_are_listed_from_the_shop(self):
        report, _run = self.reconcile()
        action = self.shop.action_view_product_reconciliations()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), report)

    def test_only_the_requested_parts_run(self):
        run = self.shop.with_context(shopify_reconcile_parts=["inventory"])._run_sync("reconcile")
        self.assertEqual(run.state, "done")
        self.assertFalse(self.Report.search([("shop_id", "=", self.shop.id)]))
        self.assertFalse(
            self.Bulk.search([("shop_id", "=", self.shop.id), ("kind", "=", "product_reconcile")])
        )

    def test_a_shop_never_connected_is_left_alone(self):
        self.shop.state = "draft"
        run = self.shop._run_sync("reconcile")
        self.assertEqual(run.state, "done")
        self.assertFalse(self.Report.search([("shop_id", "=", self.shop.id)]))

    def test_a_second_run_while_one_is_pending_is_not_started(self):
        self.emu_shop.bulk_delay = 3600.0
        self.shop._run_sync("reconcile")
        run = self.shop._run_sync("reconcile")
        reports = self.Report.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(reports.mapped("state"), ["failed", "running"])
        self.assertIn("not finished", reports[0].error_message)
        self.assertEqual(run.skipped_count, 1)


class TestBrokenRows(ProductReconcileCase):
    def test_a_broken_product_does_not_stop_the_others(self):
        self.set_rule("title", mapping.TO_ODOO)
        self.set_rule("barcode", mapping.BOTH, mapping.SHOPIFY_WINS)
        # Shopify gives the mug the barcode of an Odoo cap variant: Odoo refuses it for the mug only.
        taken = self.cap.product_variant_ids[0].barcode
        self.shopify_variant_update(self.mug_binding, barcode=taken)
        self.shopify_update(self.mug_binding, title="Mug renamed")
        self.shopify_update(self.cap_binding, title="Cap renamed")
        report, run = self.reconcile()
        self.assertEqual((report.failed_count, report.drift_count), (1, 1))
        error = self.line_of(report, self.mug_binding)
        self.assertEqual(error.kind, "error")
        self.assertIn(taken, error.action)
        self.assertEqual(self.mug.name, "Enamel mug")  # its whole merge was rolled back
        self.assertEqual(self.cap.name, "Cap renamed")
        self.assertEqual((run.failed_count, run.ok_count), (1, 1))

    def test_an_unreadable_row_is_reported_and_the_batch_goes_on(self):
        self.set_rule("title", mapping.TO_ODOO)
        self.shopify_update(self.cap_binding, title="Cap renamed")
        operation = self.Bulk._start_query(self.shop, "product_reconcile", "bulk_product_reconcile")
        self.Report.create({"shop_id": self.shop.id, "bulk_operation_id": operation.id})
        operation._refresh()  # completes and processes the genuine file
        self.assertEqual(self.cap.name, "Cap renamed")
        batch = next(bulk.joined_batches(bulk.parse_lines(bulk.stream_lines(operation.url))))
        mug_root = next(root for root in batch if root["id"] == self.mug_binding.shopify_gid)
        mug_root["__children"]["ProductVariant"][0]["price"] = "twelve"
        self.shopify_update(self.cap_binding, title="Cap renamed again")
        cap_root = next(root for root in batch if root["id"] == self.cap_binding.shopify_gid)
        cap_root["title"] = "Cap renamed again"
        cap_root["updatedAt"] = self.remote_product(self.cap_binding)["updated_at"].isoformat()
        report = operation._product_reconcile_report()
        operation._bulk_process_product_reconcile(batch)
        self.assertEqual(self.cap.name, "Cap renamed again")
        error = report.line_ids.filtered(lambda line: line.kind == "error")
        self.assertEqual(error.shopify_gid, self.mug_binding.shopify_gid)
        self.assertIn("twelve", error.action)
