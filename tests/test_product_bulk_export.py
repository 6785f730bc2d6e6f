"""Large exports as one bulk mutation of productSet, against the emulator: GIDs and complete variants,
a rejected line recorded against its product while the others succeed, a re-run sends only what is still
marked, finish by poll and by webhook, and no duplicate when an export whose answer was lost is re-run."""

import json
from unittest.mock import patch

from odoo.tools import mute_logger

from ..emulator import bulk as emulator_bulk
from ..models.products import shop as bulk_export
from .test_product_export import ProductExportCase, rest_body

THRESHOLD_PARAM = "shopify_sync.product_bulk_export_threshold"


class TestProductBulkExport(ProductExportCase):
    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 60.0
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "2")
        self.shop._shopify_ensure_custom_id_definition()
        self.towels = self.env["product.template"].create(
            [
                {"name": f"Tea towel {n}", "default_code": f"TOWEL-{n}", "list_price": 9.5 + n}
                for n in range(1, 4)
            ]
        )
        self.templates = self.template | self.towels
        self.Bulk = self.env["shopify.bulk.operation"]

    def publish(self, templates=None):
        wizard = self.env["shopify.product.export.wizard"].create(
            {"shop_id": self.shop.id, "product_tmpl_ids": [(6, 0, (templates or self.templates).ids)]}
        )
        wizard.action_publish()
        return wizard

    def bindings(self):
        return {
            binding.product_tmpl_id: binding
            for binding in self.env["shopify.product.binding"].search([("shop_id", "=", self.shop.id)])
        }

    def finish_on_shopify(self):
        self.clock.advance(61)
        emulator_bulk.complete_due(self.emulator, self.emu_shop)

    def emulator_product(self, binding):
        return self.emu_shop.products[int(binding.shopify_gid.rsplit("/", 1)[1])]

    def test_publish_runs_one_bulk_mutation_finished_by_poll(self):
        mutations_before = self.emu_shop.counters["mutations"]
        wizard = self.publish()
        operation = wizard.bulk_operation_id
        self.assertEqual((operation.kind, operation.operation_type), ("product_export", "mutation"))
        self.assertEqual(len(operation.line_refs), 4)
        # Staged upload + bulkOperationRunMutation: no productSet call per product.
        self.assertEqual(self.emu_shop.counters["mutations"] - mutations_before, 2)
        self.assertFalse(self.emu_shop.products)
        self.assertIn("one bulk operation", wizard.summary)
        self.assertIn("0 of 4 products answered", wizard.bulk_progress)
        bindings = self.bindings()
        self.assertEqual(
            operation.export_binding_ids, self.env["shopify.product.binding"].concat(*bindings.values())
        )
        self.assertTrue(all(binding.export_pending for binding in bindings.values()))
        # Neither the immediate export jobs nor the scheduled export send them meanwhile.
        self.assertFalse(self.env["shopify.queue.job"].search([("kind", "=", "product_export")]))
        self.assertEqual(self.shop._shopify_export_pending()["exported"], 0)
        self.assertFalse(self.emu_shop.products)

        # Changed in Odoo while Shopify runs the operation: sent again by the next export.
        self.towels[2].list_price = 42.0

        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual((operation.processed_count, operation.line_error_count), (4, 0))
        wizard.invalidate_recordset(["bulk_progress"])  # what reopening the form does
        self.assertIn("4 of 4 products answered, 0 not exported", wizard.bulk_progress)
        self.assertFalse(operation.export_binding_ids)
        self.assertEqual(len(self.emu_shop.products), 4)

        mug = bindings[self.template]
        product = self.emulator_product(mug)
        self.assertEqual(product.title, "Enamel mug")
        variants = [self.emu_shop.variants[v] for v in product.variant_ids]
        self.assertEqual(len(variants), 9)
        self.assertEqual(
            sorted(v.sku for v in variants), sorted(self.template.product_variant_ids.mapped("default_code"))
        )
        self.assertEqual(
            {
                (line.product_id.default_code, line.shopify_gid, line.inventory_item_gid)
                for line in mug.variant_binding_ids
            },
            {(v.sku, v.gid, self.emu_shop.inventory_items[v.inventory_item_id].gid) for v in variants},
        )
        self.assertEqual((mug.sync_state, mug.export_pending), ("synced", False))
        self.assertTrue(mug.synced_hash)
        self.assertEqual(mug.synced_values["product"]["title"], "Enamel mug")
        # The binding's snapshot is what Shopify holds: a re-import finds nothing to apply.
        result = self.env["shopify.product.binding"]._shopify_import(self.shop, self.remote(mug))
        self.assertEqual(result["action"], "nothing")

        changed = bindings[self.towels[2]]
        self.assertTrue(changed.shopify_gid)
        self.assertEqual((changed.sync_state, changed.export_pending), ("pending", True))
        [sent_variant] = changed.synced_values["variants"].values()
        self.assertEqual(sent_variant["price"], "12.5")  # what was sent, not the price set meanwhile
        stats = self.shop._shopify_export_marked()
        self.assertEqual(stats["exported"], 1)
        [remote_variant] = self.remote(changed)["variants"]
        self.assertEqual(str(remote_variant["fields"]["price"]), "42.00")
        self.assertFalse(changed.export_pending)

    def test_rejected_line_is_recorded_against_its_product_and_only_it_is_sent_again(self):
        self.addCleanup(self.emu_shop.set_faults, reset=True)
        self.emu_shop.set_faults(user_errors={"sku": ["TOWEL-2"]})
        operation = self.publish().bulk_operation_id
        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        bindings = self.bindings()
        refused = bindings[self.towels[1]]
        [error] = operation.line_error_ids
        self.assertEqual((error.res_model, error.res_id), ("shopify.product.binding", refused.id))
        self.assertEqual(
            error.line_number, operation.line_refs.index(["shopify.product.binding", refused.id])
        )
        self.assertIn("TOWEL-2", error.message)
        self.assertEqual(error.record_name, refused.display_name)
        self.assertEqual(operation.line_error_count, 1)
        self.assertEqual((refused.sync_state, refused.export_pending), ("error", True))
        self.assertIn("TOWEL-2", refused.last_error)
        self.assertFalse(refused.shopify_gid)
        others = [binding for template, binding in bindings.items() if template != self.towels[1]]
        self.assertTrue(all(binding.shopify_gid and not binding.export_pending for binding in others))
        self.assertEqual(len(self.emu_shop.products), 3)
        updated = {p.id: p.updated_at for p in self.emu_shop.products.values()}

        # Fixed, then re-run (threshold 0: as a bulk mutation again): only the refused product is sent.
        self.emu_shop.set_faults(reset=True)
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "0")
        self.clock.advance(5)
        stats = self.shop._shopify_export_marked()
        self.assertEqual(stats["failed"], 0)
        rerun = self.Bulk.search([("kind", "=", "product_export"), ("id", "!=", operation.id)])
        self.assertEqual(rerun.line_refs, [["shopify.product.binding", refused.id]])
        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertEqual((rerun.processed, rerun.line_error_count), (True, 0))
        self.assertEqual((refused.sync_state, refused.export_pending), ("synced", False))
        self.assertFalse(refused.last_error)
        self.assertEqual(self.emulator_product(refused).title, "Tea towel 2")
        self.assertEqual(len(self.emu_shop.products), 4)
        for product_id, updated_at in updated.items():
            self.assertEqual(self.emu_shop.products[product_id].updated_at, updated_at)

    def test_an_answer_that_cannot_be_applied_fails_only_its_line(self):
        operation = self.publish().bulk_operation_id
        self.finish_on_shopify()
        towel = next(p for p in self.emu_shop.products.values() if p.title == "Tea towel 1")
        # Meanwhile someone linked another Odoo product to that Shopify product by hand.
        other = self.env["product.template"].create({"name": "Linked by hand"})
        self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": other.id, "shopify_gid": towel.gid}
        )
        with mute_logger("odoo.sql_db"):
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertFalse(operation.error_message)
        [error] = operation.line_error_ids
        bindings = self.bindings()
        failed = bindings[self.towels[0]]
        self.assertEqual(error.res_id, failed.id)
        self.assertEqual((failed.sync_state, failed.export_pending), ("error", True))
        self.assertFalse(failed.shopify_gid)
        self.assertEqual(failed.last_error, error.message)
        for template in self.template | self.towels[1:]:
            self.assertEqual(bindings[template].sync_state, "synced")
            self.assertTrue(bindings[template].shopify_gid)

    def test_finish_webhook_applies_the_answers(self):
        posted = self.capture_webhook_deliveries()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://odoo.example.com")
        self.shop.action_confirm_database()
        self.shop._webhook_sync_subscriptions()
        operation = self.publish().bulk_operation_id
        self.finish_on_shopify()
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        self.assertFalse(operation.processed)
        [(body, headers)] = [p for p in posted if p[1]["X-Shopify-Topic"] == "bulk_operations/finish"]
        job = self.run_delivery(body, headers)
        self.assertEqual(job.state, "done")
        self.assertTrue(operation.processed)
        bindings = self.bindings()
        self.assertEqual(
            {binding.shopify_gid for binding in bindings.values()},
            {product.gid for product in self.emu_shop.products.values()},
        )
        self.assertTrue(all(not binding.export_pending for binding in bindings.values()))

    def test_rerun_after_a_lost_answer_updates_the_same_products(self):
        operation = self.publish().bulk_operation_id
        self.finish_on_shopify()
        created = {product.gid for product in self.emu_shop.products.values()}
        self.assertEqual(len(created), 4)
        # Shopify ran it, but Odoo never got the answer (the operation is gone before anyone asked).
        self.emu_shop.bulk_operations.clear()
        self.Bulk._cron_poll()
        self.assertEqual(operation.error_message, "Shopify no longer knows it.")
        self.assertEqual(operation.status, "expired")
        bindings = self.bindings()
        for binding in bindings.values():
            self.assertFalse(binding.bulk_export_operation_id)
            self.assertFalse(binding.shopify_gid)
            self.assertEqual((binding.sync_state, binding.export_pending), ("error", True))
            self.assertIn(operation.operation_gid, binding.last_error)

        # The same export again: keyed by customId, Shopify updates what the lost run created.
        rerun = self.publish().bulk_operation_id
        self.assertNotEqual(rerun, operation)
        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertEqual((rerun.processed, rerun.line_error_count), (True, 0))
        self.assertEqual({product.gid for product in self.emu_shop.products.values()}, created)
        self.assertEqual({binding.shopify_gid for binding in bindings.values()}, created)
        self.assertEqual(len(self.emulator_product(bindings[self.template]).variant_ids), 9)

    def test_echoes_and_the_poll_while_the_answers_are_awaited_create_nothing(self):
        self.shop._shopify_poll_products()  # a watermark exists (the catalog is empty)
        operation = self.publish().bulk_operation_id
        self.finish_on_shopify()
        self.clock.advance(5)
        towel = next(p for p in self.emu_shop.products.values() if p.title == "Tea towel 1")
        # Meanwhile a merchant creates a product on Shopify.
        [newcomer] = self.emu_shop.seed_products(1, max_options=1, max_values=1)
        templates_before = self.env["product.template"].search_count([])
        body = rest_body(self.emu_shop, towel.gid)
        self.env["shopify.webhook.event"]._ingest(
            self.shop, "products/create", "w-echo", json.dumps(body), body
        )
        [job] = self.env["shopify.queue.job"].search([("kind", "=", "webhook")])
        job._run()
        self.assertEqual(job.state, "skipped")
        polled = self.shop._shopify_poll_products()
        self.assertEqual(polled["ok"], 0)
        self.assertEqual(self.env["product.template"].search_count([]), templates_before)

        self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertLessEqual(self.shop.product_poll_watermark, operation.create_date)
        polled = self.shop._shopify_poll_products()
        self.assertEqual(self.env["product.template"].search_count([]), templates_before + 1)
        bindings = self.env["shopify.product.binding"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(
            set(bindings.mapped("shopify_gid")), {p.gid for p in self.emu_shop.products.values()}
        )
        self.assertEqual(
            bindings.filtered(lambda b: b.shopify_gid == newcomer.gid).product_tmpl_id.name, newcomer.title
        )
        self.assertTrue(all(b.sync_state == "synced" for b in bindings))

    def test_bound_products_are_merged_with_shopify_first_and_sent_by_gid(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "10")
        self.publish()
        bindings = self.bindings()
        gids = {binding.shopify_gid for binding in bindings.values()}
        towel = bindings[self.towels[0]]
        # A merchant renames a towel on Shopify; Odoo changes its price.
        variables = towel._shopify_product_set_variables()
        variables["input"]["title"] = "Renamed on Shopify"
        self.client.execute("product_set", variables)
        self.clock.advance(5)
        self.towels[0].list_price = 15.0
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "2")
        operation = self.publish().bulk_operation_id
        self.assertEqual(len(operation.line_refs), 4)
        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertEqual((operation.processed, operation.line_error_count), (True, 0))
        self.assertEqual({p.gid for p in self.emu_shop.products.values()}, gids)
        self.assertEqual(self.towels[0].name, "Renamed on Shopify")  # kept, not overwritten
        remote = self.remote(towel)
        self.assertEqual(remote["fields"]["title"], "Renamed on Shopify")
        self.assertEqual(str(remote["variants"][0]["fields"]["price"]), "15.00")
        self.assertEqual((towel.sync_state, towel.export_pending), ("synced", False))

    def test_what_exceeds_the_file_size_limit_waits_for_the_next_run(self):
        first = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.towels[0].id}
        )
        line = len(json.dumps(first._shopify_product_set_variables(), separators=(",", ":"))) + 1
        with patch.object(bulk_export, "MAX_VARIABLES_BYTES", 2 * line + 50):
            operation = self.publish(self.towels).bulk_operation_id
        self.assertEqual(len(operation.line_refs), 2)
        bindings = self.bindings()
        left = [b for b in bindings.values() if not b.bulk_export_operation_id]
        self.assertEqual(len(left), 1)
        self.assertTrue(left[0].export_pending)

    def test_export_jobs_of_many_marked_products_start_one_bulk_mutation(self):
        bindings = self.env["shopify.product.binding"].create(
            [{"shop_id": self.shop.id, "product_tmpl_id": template.id} for template in self.templates]
        )
        jobs = self.env["shopify.queue.job"].search([("kind", "=", "product_export")])
        self.assertEqual(len(jobs), 4)
        for job in jobs:
            job._run()
        self.assertEqual(set(jobs.mapped("state")), {"skipped"})
        operation = self.Bulk.search([("kind", "=", "product_export")])
        self.assertEqual(len(operation.line_refs), 4)
        self.assertEqual(operation.export_binding_ids, bindings)
        self.assertFalse(self.emu_shop.products)
        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})

    def test_scheduled_sync_sends_many_marked_products_as_one_bulk_mutation(self):
        Binding = self.env["shopify.product.binding"]
        bindings = Binding.create(
            [{"shop_id": self.shop.id, "product_tmpl_id": template.id} for template in self.templates]
        )
        self.assertTrue(all(bindings.mapped("export_pending")))
        self.shop._sync_products()
        operation = self.Bulk.search([("kind", "=", "product_export")])
        self.assertEqual(len(operation.line_refs), 4)
        self.assertEqual(operation.export_binding_ids, bindings)
        self.assertFalse(self.emu_shop.products)
        self.shop._sync_products()  # the next run leaves them to the operation
        self.assertEqual(self.Bulk.search_count([("kind", "=", "product_export")]), 1)
        self.finish_on_shopify()
        self.Bulk._cron_poll()
        self.assertEqual(len(self.emu_shop.products), 4)
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})
        self.assertFalse(any(bindings.mapped("export_pending")))

    def test_a_shopify_manager_can_publish_and_refresh_a_bulk_export(self):
        wizard = (
            self.env["shopify.product.export.wizard"]
            .with_user(self.manager)
            .create({"shop_id": self.shop.id, "product_tmpl_ids": [(6, 0, self.templates.ids)]})
        )
        wizard.action_publish()
        operation = wizard.bulk_operation_id
        self.assertEqual(len(operation.line_refs), 4)
        self.finish_on_shopify()
        wizard.action_refresh_bulk()
        self.assertTrue(operation.processed)
        self.assertEqual(len(self.emu_shop.products), 4)
        self.assertIn("4 of 4 products answered", wizard.bulk_progress)

    def test_under_the_threshold_the_publish_stays_direct(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "4")
        wizard = self.publish()
        self.assertFalse(wizard.bulk_operation_id)
        self.assertFalse(self.Bulk.search([]))
        self.assertIn("4 exported, 0 failed", wizard.summary)
        self.assertEqual(len(self.emu_shop.products), 4)
