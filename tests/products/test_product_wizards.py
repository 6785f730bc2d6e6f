"""The Publish to Shopify action and wizard, and the Import from Shopify wizard (with its bulk path for a
large catalog), driven end to end against the emulator: dry runs show create / update / nothing with
the field differences and write nothing; the buttons then do the work."""

from odoo.tests import Form

from .test_product_export import ProductExportCase

BULK_THRESHOLD_PARAM = "shopify_sync.product_bulk_import_threshold"


class WizardCase(ProductExportCase):
    def setUp(self):
        super().setUp()
        self.towel = self.env["product.template"].create(
            {"name": "Tea towel", "default_code": "TOWEL", "list_price": 9.5}
        )

    def state_of_odoo(self):
        """What a dry run must leave untouched on the Odoo side."""
        Binding = self.env["shopify.product.binding"].with_context(active_test=False)
        return (
            self.env["product.template"].with_context(active_test=False).search_count([]),
            [(b.id, b.sync_state, b.export_pending, b.synced_hash) for b in Binding.search([])],
            self.env["shopify.product.conflict"].search_count([]),
        )

    def writes_on_shopify(self):
        counters = self.emu_shop.counters
        return len(self.emu_shop.products), counters.get("mutations", 0)

    def lines(self, wizard):
        return {line.name: line for line in wizard.line_ids}


class TestPublishWizard(WizardCase):
    def open_from_action(self, templates, view_type="list"):
        """What clicking Publish to Shopify in the product list (or form) does."""
        action = self.env.ref("shopify_sync.action_product_template_shopify_publish")
        self.assertIn(view_type, action.binding_view_types)
        context = {
            "active_model": "product.template",
            "active_ids": templates.ids,
            "active_id": templates[0].id,
        }
        result = action.with_context(**context).run()
        self.assertEqual(result["res_model"], "shopify.product.export.wizard")
        with Form(self.env[result["res_model"]].with_context(**result["context"])) as form:
            form.shop_id = self.shop
        return form.record

    def test_publish_from_the_list_previews_then_publishes(self):
        wizard = self.open_from_action(self.template | self.towel)
        self.assertEqual(wizard.product_tmpl_ids, self.template | self.towel)
        before_odoo, before_shopify = self.state_of_odoo(), self.writes_on_shopify()
        wizard.action_preview()
        lines = self.lines(wizard)
        self.assertEqual(
            {name: line.action for name, line in lines.items()},
            {"Enamel mug": "create", "[TOWEL] Tea towel": "create"},
        )
        self.assertIn("title", lines["[TOWEL] Tea towel"].details)
        self.assertIn("'Tea towel'", lines["[TOWEL] Tea towel"].details)
        self.assertIn("TOWEL", lines["[TOWEL] Tea towel"].details)
        self.assertEqual(self.state_of_odoo(), before_odoo)
        self.assertEqual(self.writes_on_shopify(), before_shopify)
        self.assertFalse(self.emu_shop.products)

        wizard.action_publish()
        self.assertEqual(wizard.state, "done")
        self.assertIn("2 exported, 0 failed", wizard.summary)
        self.assertEqual(len(self.emu_shop.products), 2)
        titles = sorted(product.title for product in self.emu_shop.products.values())
        self.assertEqual(titles, ["Enamel mug", "Tea towel"])
        bindings = self.env["shopify.product.binding"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})

    def test_publish_from_the_form_then_dry_run_shows_update_and_nothing(self):
        wizard = self.open_from_action(self.towel, view_type="form")
        wizard.action_publish()
        self.open_from_action(self.template).action_publish()
        self.assertEqual(len(self.emu_shop.products), 2)

        self.towel.list_price = 11.0  # a change waiting to be exported
        wizard = self.open_from_action(self.template | self.towel)
        before_odoo, before_shopify = self.state_of_odoo(), self.writes_on_shopify()
        wizard.action_preview()
        lines = self.lines(wizard)
        self.assertEqual(lines["Enamel mug"].action, "nothing")
        self.assertFalse(lines["Enamel mug"].details)
        self.assertEqual(lines["[TOWEL] Tea towel"].action, "update")
        self.assertIn("price", lines["[TOWEL] Tea towel"].details)
        self.assertIn("'11'", lines["[TOWEL] Tea towel"].details)
        self.assertEqual(self.state_of_odoo(), before_odoo)
        self.assertEqual(self.writes_on_shopify(), before_shopify)
        towel = next(p for p in self.emu_shop.products.values() if p.title == "Tea towel")
        self.assertEqual(self.emu_shop.variants[towel.variant_ids[0]].price, "9.50")


class TestImportWizard(WizardCase):
    def setUp(self):
        super().setUp()
        self.seeded = self.emu_shop.seed_products(3, max_options=2, max_values=2)
        # One Shopify product already exists in Odoo (same SKUs): the import links it.
        first = self.seeded[0]
        self.existing = self.env["product.template"].create({"name": "Existing in Odoo"})
        self.existing.product_variant_ids.default_code = self.emu_shop.variants[first.variant_ids[0]].sku

    def wizard(self):
        return self.env["shopify.product.import.wizard"].create({"shop_id": self.shop.id, "mode": "all"})

    def test_preview_shows_create_and_update_and_writes_nothing(self):
        before_odoo, before_shopify = self.state_of_odoo(), self.writes_on_shopify()
        wizard = self.wizard()
        wizard.action_preview()
        actions = {line.shopify_gid: line.action for line in wizard.line_ids}
        self.assertEqual(actions[self.seeded[0].gid], "update")  # matched by SKU
        self.assertEqual(actions[self.seeded[1].gid], "create")
        self.assertEqual(actions[self.seeded[2].gid], "create")
        created = wizard.line_ids.filtered(lambda line: line.shopify_gid == self.seeded[1].gid)
        self.assertIn(f"title: Odoo None ← Shopify {self.seeded[1].title!r}", created.details)
        self.assertEqual(self.state_of_odoo(), before_odoo)
        self.assertEqual(self.writes_on_shopify(), before_shopify)
        self.assertFalse(self.existing.shopify_binding_ids)

    def test_import_then_preview_shows_nothing_then_update_after_a_shopify_change(self):
        wizard = self.wizard()
        wizard.action_import()
        self.assertEqual(wizard.state, "done")
        self.assertIn("Create: 2", wizard.summary)
        self.assertIn("Update: 1", wizard.summary)
        self.assertFalse(wizard.bulk_operation_id)  # a small catalog is paged, not bulk
        bindings = self.env["shopify.product.binding"].search([("shop_id", "=", self.shop.id)])
        self.assertEqual(set(bindings.mapped("shopify_gid")), {p.gid for p in self.seeded})
        self.assertEqual(self.existing.shopify_binding_ids.shopify_gid, self.seeded[0].gid)

        preview = self.wizard()
        preview.action_preview()
        self.assertEqual(set(preview.line_ids.mapped("action")), {"nothing"})

        binding = bindings.filtered(lambda b: b.shopify_gid == self.seeded[1].gid)
        variables = binding._shopify_product_set_variables()
        variables["input"]["title"] = "Renamed on Shopify"
        self.client.execute("product_set", variables)
        before_odoo = self.state_of_odoo()
        preview = self.wizard()
        preview.action_preview()
        changed = preview.line_ids.filtered(lambda line: line.shopify_gid == self.seeded[1].gid)
        self.assertEqual(changed.action, "update")
        self.assertIn("'Renamed on Shopify'", changed.details)
        self.assertEqual(self.state_of_odoo(), before_odoo)
        self.assertNotEqual(binding.product_tmpl_id.name, "Renamed on Shopify")


class TestBulkFirstImport(WizardCase):
    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.env["ir.config_parameter"].sudo().set_param(BULK_THRESHOLD_PARAM, "3")
        self.env["ir.config_parameter"].sudo().set_param("shopify_sync.bulk_batch_size", "2")
        self.seeded = self.emu_shop.seed_products(5, max_options=2, max_values=3)
        # Two Odoo products share the SKU of one Shopify product: it is reported, never guessed.
        sku = self.emu_shop.variants[self.seeded[2].variant_ids[0]].sku
        self.env["product.template"].create([{"name": f"Twin {n}", "default_code": sku} for n in (1, 2)])

    def test_large_catalog_is_imported_from_a_bulk_query(self):
        wizard = self.env["shopify.product.import.wizard"].create({"shop_id": self.shop.id, "mode": "all"})
        wizard.action_import()
        operation = wizard.bulk_operation_id
        self.assertEqual(operation.kind, "product_import")
        self.assertFalse(operation.processed)
        Binding = self.env["shopify.product.binding"]
        self.assertFalse(Binding.search([("shop_id", "=", self.shop.id)]))  # nothing paged meanwhile

        wizard.action_refresh_bulk()
        self.assertEqual(operation.status, "completed")
        self.assertTrue(operation.processed)
        self.assertEqual(operation.root_object_count, 5)
        self.assertEqual(operation.processed_count, operation.object_count)
        bindings = Binding.search([("shop_id", "=", self.shop.id)])
        expected = {p.gid for p in self.seeded if p is not self.seeded[2]}
        self.assertEqual(set(bindings.mapped("shopify_gid")), expected)
        for product in self.seeded:
            if product is self.seeded[2]:
                continue
            binding = bindings.filtered(lambda b, gid=product.gid: b.shopify_gid == gid)
            self.assertEqual(binding.product_tmpl_id.name, product.title)
            self.assertEqual(
                set(binding.variant_binding_ids.mapped("shopify_gid")),
                {self.emu_shop.variants[v].gid for v in product.variant_ids},
            )
            self.assertEqual(
                sorted(binding.product_tmpl_id.product_variant_ids.mapped("default_code")),
                sorted(self.emu_shop.variants[v].sku for v in product.variant_ids),
            )
        [error] = operation.line_error_ids
        self.assertIn(self.seeded[2].gid, error.message)
        self.assertIn("several Odoo products", error.message)
        self.assertEqual(operation.line_error_count, 1)
        self.assertIn("1 not imported", wizard.bulk_progress)
        self.assertEqual(wizard.bulk_error_ids, operation.line_error_ids)

    def test_setup_task_uses_the_bulk_query_too(self):
        task = self.env["shopify.setup.task"].create(
            {"shop_id": self.shop.id, "step": "products_import", "name": "First product import"}
        )
        message = self.shop._setup_task_products_import(task)
        operation = self.env["shopify.bulk.operation"].search([("kind", "=", "product_import")])
        self.assertIn(operation.operation_gid, message)
        self.env["shopify.bulk.operation"]._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual(
            self.env["shopify.product.binding"].search_count([("shop_id", "=", self.shop.id)]), 4
        )

    def test_under_the_threshold_products_are_paged(self):
        self.env["ir.config_parameter"].sudo().set_param(BULK_THRESHOLD_PARAM, "5")
        wizard = self.env["shopify.product.import.wizard"].create({"shop_id": self.shop.id, "mode": "all"})
        wizard.action_import()
        self.assertFalse(wizard.bulk_operation_id)
        self.assertFalse(self.env["shopify.bulk.operation"].search([]))
        self.assertIn("Create: 4", wizard.summary)
        self.assertIn("Ambiguous match: 1", wizard.summary)
