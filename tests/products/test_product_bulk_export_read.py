"""A mass export of bound products reads Shopify's current values with one bulk query (not pages of
`nodes`) before the three-way merge, and ends in the same state as the paged read, on the emulator."""

import json

from ...emulator import bulk as emulator_bulk
from .test_product_export import ProductExportCase

THRESHOLD_PARAM = "shopify_sync.product_bulk_export_threshold"


class TestBulkReadBeforeExport(ProductExportCase):
    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 60.0
        self.shop._shopify_ensure_custom_id_definition()
        self.Bulk = self.env["shopify.bulk.operation"]
        self.Binding = self.env["shopify.product.binding"]

    def finish_on_shopify(self):
        self.clock.advance(61)
        emulator_bulk.complete_due(self.emulator, self.emu_shop)
        self.Bulk._cron_poll()

    def campaign(self, prefix):
        """Three products published one by one, then renamed on Shopify (the first), given a new vendor
        on both sides (the second: a conflict) and repriced in Odoo (all): a price campaign."""
        templates = self.env["product.template"].create(
            [
                {"name": f"{prefix} towel {n}", "default_code": f"{prefix}-{n}", "list_price": 9.5 + n}
                for n in range(3)
            ]
        )
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "100")
        bindings = self.Binding.create(
            [{"shop_id": self.shop.id, "product_tmpl_id": template.id} for template in templates]
        )
        self.shop._shopify_export_pending(bindings, client=self.client)
        self.assertEqual(set(bindings.mapped("sync_state")), {"synced"})
        for index, changes in ((0, {"title": f"{prefix} towel 0 (Shopify)"}), (1, {"vendor": "Shopify Co"})):
            variables = bindings[index]._shopify_product_set_variables()
            variables["input"].update(changes)
            self.client.execute("product_set", variables)
        self.clock.advance(5)
        templates[1].product_brand = "Odoo Co"
        for template in templates:
            template.list_price += 1.25
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD_PARAM, "2")
        return bindings

    def end_state(self, bindings, prefix):
        """What both sides hold for `bindings`, without ids, the prefix replaced."""
        rows = []
        for binding in bindings:
            remote = self.remote(binding)
            rows.append(
                {
                    "odoo": [binding.product_tmpl_id.name, binding.product_tmpl_id.product_brand],
                    "odoo_prices": binding.product_tmpl_id.product_variant_ids.mapped("lst_price"),
                    "shopify": {k: remote["fields"].get(k) for k in ("title", "vendor", "status")},
                    "shopify_prices": [str(v["fields"]["price"]) for v in remote["variants"]],
                    "binding": [binding.sync_state, binding.export_pending, binding.last_error or ""],
                    "snapshot": binding.synced_values["product"],
                    "conflicts": self.env["shopify.product.conflict"]
                    .search([("binding_id", "=", binding.id)])
                    .mapped(lambda c: [c.field_name, c.scope, c.winner]),
                }
            )
        return json.loads(json.dumps(rows, default=str).replace(prefix, "X"))

    def test_bulk_read_gives_the_same_end_state_as_the_paged_read(self):
        paged = self.campaign("Paged")
        before = dict(self.emu_shop.operations)
        operation, failed = self.shop.with_context(
            shopify_export_paged_read=True
        )._shopify_start_product_bulk_export(paged)
        self.assertEqual((operation.kind, failed), ("product_export", 0))
        self.assertGreater(
            self.emu_shop.operations.get("ProductsCurrent", 0), before.get("ProductsCurrent", 0)
        )
        self.finish_on_shopify()
        self.assertTrue(operation.processed)

        bulk = self.campaign("Bulk")
        before = dict(self.emu_shop.operations)
        reading, failed = self.shop._shopify_start_product_bulk_export(bulk)
        self.assertEqual((reading.kind, reading.operation_type, failed), ("product_export_read", "query", 0))
        # Held by the read meanwhile: neither the export jobs nor the scheduled export send them.
        self.assertEqual(reading.export_binding_ids, bulk)
        self.assertEqual(self.shop._shopify_export_pending()["exported"], 0)
        self.finish_on_shopify()  # the read completes: merged, then the bulk mutation starts
        self.assertTrue(reading.processed)
        self.assertFalse(reading.export_binding_ids)
        # No page of current values was read: one bulk query did it.
        self.assertEqual(self.emu_shop.operations.get("ProductsCurrent", 0), before.get("ProductsCurrent", 0))
        export = self.Bulk.search([("kind", "=", "product_export")], order="id desc", limit=1)
        self.assertEqual(len(export.line_refs), 3)
        self.assertEqual(export.export_binding_ids, bulk)
        self.finish_on_shopify()
        self.assertEqual((export.processed, export.line_error_count), (True, 0))

        self.assertEqual(self.end_state(bulk, "Bulk"), self.end_state(paged, "Paged"))
        # And that state is the merge's: Shopify's rename kept, Odoo's prices sent.
        state = self.end_state(bulk, "Bulk")
        self.assertEqual(state[0]["shopify"]["title"], "X towel 0 (Shopify)")
        self.assertEqual(state[0]["odoo"][0], "X towel 0 (Shopify)")
        self.assertEqual(state[2]["shopify_prices"], ["12.75"])
        self.assertEqual([row["binding"][:2] for row in state], [["synced", False]] * 3)

    def test_a_failed_read_releases_the_products_for_the_next_export(self):
        bindings = self.campaign("Failed")
        reading, _failed = self.shop._shopify_start_product_bulk_export(bindings)
        self.emu_shop.bulk_operations.clear()  # Shopify lost it
        self.Bulk._cron_poll()
        self.assertEqual(reading.status, "expired")
        self.assertFalse(reading.export_binding_ids)
        self.assertEqual(set(bindings.mapped("export_pending")), {True})
        self.assertFalse(self.Bulk.search([("kind", "=", "product_export")]))
        self.assertIn(reading.operation_gid, bindings[0].last_error)
