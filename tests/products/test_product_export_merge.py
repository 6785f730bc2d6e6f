"""Exports never overwrite what changed on Shopify since the last sync, and a product imported from
Shopify goes back by its GID: against the emulator."""

from .test_product_export import ProductExportCase


class ExportCallsCase(ProductExportCase):
    def setUp(self):
        super().setUp()
        self.calls = []
        original = self.client.execute

        def execute(name, variables=None, idempotency_key=None):
            self.calls.append((name, variables))
            return original(name, variables, idempotency_key=idempotency_key)

        self.client.execute = execute

    def names(self):
        return [name for name, _variables in self.calls]

    def change_on_shopify(self, binding, **product_values):
        """A merchant edits the product in Shopify's admin (the emulator applies it, updatedAt moves)."""
        variables = binding._shopify_product_set_variables()
        variables["input"].update(product_values)
        self.client.execute("product_set", variables)
        self.calls.clear()

    def policy(self, field, policy):
        line = self.shop.field_mapping_ids.filtered(lambda line: line.shopify_field == field)
        line.conflict_policy = policy


class TestImportedProductExport(ExportCallsCase):
    def test_imported_product_is_exported_by_gid_with_its_variants_and_no_duplicate(self):
        [seeded] = self.emu_shop.seed_products(1, max_options=2, max_values=3)
        variant_gids = {self.emu_shop.variants[v].gid for v in seeded.variant_ids}
        self.assertGreater(len(variant_gids), 1)
        self.assertNotIn(("odoo", "product_template_id"), seeded.metafields)
        stats = self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(stats["ok"], 1)
        binding = self.env["shopify.product.binding"].search([("shopify_gid", "=", seeded.gid)])
        template = binding.product_tmpl_id
        self.assertFalse(binding.export_pending)  # the import is not echoed back
        self.assertEqual(len(template.product_variant_ids), len(variant_gids))

        template.name = "Renamed in Odoo"
        self.assertTrue(binding.export_pending)
        self.calls.clear()
        stats = self.shop._shopify_export_pending(client=self.client)
        self.assertEqual((stats["exported"], stats["failed"]), (1, 0), binding.last_error)

        [(_name, variables)] = [call for call in self.calls if call[0] == "product_set"]
        self.assertEqual(variables["identifier"], {"id": seeded.gid})  # not the customId it never had
        self.assertEqual(len(self.emu_shop.products), 1)
        remote = self.remote(binding)
        self.assertEqual(remote["gid"], seeded.gid)
        self.assertEqual(remote["fields"]["title"], "Renamed in Odoo")
        self.assertEqual({variant["gid"] for variant in remote["variants"]}, variant_gids)
        self.assertEqual(set(binding.variant_binding_ids.mapped("shopify_gid")), variant_gids)
        self.assertEqual(binding.sync_state, "synced")


class TestExportKeepsShopifyChanges(ExportCallsCase):
    def test_shopify_change_between_two_odoo_edits_is_kept(self):
        binding, _stats = self.publish()
        self.template.name = "Enamel mug v2"  # first Odoo edit, exported
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.remote(binding)["fields"]["title"], "Enamel mug v2")

        self.change_on_shopify(binding, vendor="Acme Shopify")  # the merchant edits on Shopify
        self.template.description_sale = "Now dishwasher safe"  # second Odoo edit
        self.calls.clear()
        stats = self.shop._shopify_export_pending(client=self.client)

        self.assertEqual(stats["exported"], 1)
        self.assertEqual(self.names(), ["products_current", "product_set"])
        remote = self.remote(binding)
        self.assertEqual(remote["fields"]["vendor"], "Acme Shopify")  # not overwritten
        self.assertEqual(remote["fields"]["description_html"], "Now dishwasher safe")
        self.assertEqual(remote["fields"]["title"], "Enamel mug v2")
        self.assertEqual(self.template.product_brand, "Acme Shopify")  # Odoo learnt it
        self.assertFalse(binding.conflict_ids)
        self.assertEqual(binding.synced_values["product"]["vendor"], "Acme Shopify")
        self.assertFalse(binding.export_pending)

    def test_same_field_changed_on_both_sides_follows_the_policy(self):
        binding, _stats = self.publish()
        self.policy("title", "shopify")
        self.change_on_shopify(binding, title="Title from Shopify", vendor="Vendor from Shopify")
        self.template.write({"name": "Title from Odoo", "product_brand": "Vendor from Odoo"})
        self.shop._shopify_export_pending(client=self.client)

        remote = self.remote(binding)
        by_field = {conflict.field_name: conflict for conflict in binding.conflict_ids}
        self.assertEqual(set(by_field), {"title", "vendor"})
        # title: Shopify wins, so Odoo takes its value and the export sends it back unchanged.
        self.assertEqual((by_field["title"].winner, by_field["title"].policy), ("shopify", "shopify"))
        self.assertEqual(self.template.name, "Title from Shopify")
        self.assertEqual(remote["fields"]["title"], "Title from Shopify")
        # vendor: Odoo wins (the default policy): Shopify gets Odoo's value.
        self.assertEqual(by_field["vendor"].winner, "odoo")
        self.assertEqual(remote["fields"]["vendor"], "Vendor from Odoo")
        self.assertEqual(self.template.product_brand, "Vendor from Odoo")

    def test_one_read_for_a_batch_of_bound_products(self):
        others = self.env["product.template"].create([{"name": f"Tea towel {n}"} for n in range(3)])
        Binding = self.env["shopify.product.binding"]
        bindings = Binding.create([{"shop_id": self.shop.id, "product_tmpl_id": t.id} for t in others])
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})
        self.change_on_shopify(bindings[1], title="Towel renamed on Shopify")
        for template in others:
            template.description_sale = "Linen"
        stats = self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(stats["exported"], 3)
        reads = [variables for name, variables in self.calls if name == "products_current"]
        self.assertEqual(len(reads), 1)
        self.assertEqual(sorted(reads[0]["ids"]), sorted(bindings.mapped("shopify_gid")))
        self.assertEqual(self.names().count("product_set"), 3)
        self.assertEqual(others[1].name, "Towel renamed on Shopify")
        self.assertEqual(self.remote(bindings[1])["fields"]["title"], "Towel renamed on Shopify")
        self.assertEqual(self.remote(bindings[1])["fields"]["description_html"], "Linen")

    def test_single_export_job_reads_shopify_first(self):
        binding, _stats = self.publish()
        self.change_on_shopify(binding, tags=["gift", "kitchen", "sale"])
        self.template.name = "Enamel mug, blue rim"
        binding._shopify_export(client=self.client)
        self.assertEqual(self.names(), ["products_current", "product_set"])
        remote = self.remote(binding)
        self.assertEqual(remote["fields"]["tags"], ["gift", "kitchen", "sale"])
        self.assertEqual(remote["fields"]["title"], "Enamel mug, blue rim")
        self.assertEqual(sorted(self.template.product_tag_ids.mapped("name")), ["gift", "kitchen", "sale"])

    def test_new_products_need_no_read(self):
        self.publish()
        self.assertNotIn("products_current", self.names())
