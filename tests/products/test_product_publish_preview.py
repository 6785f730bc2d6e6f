"""The Publish wizard's dry run compares with what Shopify holds now, not with the last synced snapshot:
each difference says which side changed since the last sync and which value the export keeps. It reads
Shopify (one query per chunk) and writes nothing, in Odoo or on Shopify."""

from .test_product_export_merge import ExportCallsCase

READ_OPERATIONS = {"ProductsCurrent", "ProductVariantsPage"}


class TestPublishPreviewAgainstShopify(ExportCallsCase):
    def setUp(self):
        super().setUp()
        self.towel = self.env["product.template"].create(
            {"name": "Tea towel", "default_code": "TOWEL", "list_price": 9.5}
        )
        self.wizard_for(self.template | self.towel).action_publish()
        Binding = self.env["shopify.product.binding"]
        self.mug_binding = Binding.search([("product_tmpl_id", "=", self.template.id)])
        self.towel_binding = Binding.search([("product_tmpl_id", "=", self.towel.id)])
        self.assertEqual(set((self.mug_binding | self.towel_binding).mapped("sync_state")), {"synced"})

    def wizard_for(self, templates):
        return self.env["shopify.product.export.wizard"].create(
            {"shop_id": self.shop.id, "product_tmpl_ids": [(6, 0, templates.ids)]}
        )

    def preview(self):
        wizard = self.wizard_for(self.template | self.towel)
        wizard.action_preview()
        return {line.shopify_gid: line for line in wizard.line_ids}

    def state(self):
        """Everything a dry run must leave alone, in Odoo and on Shopify."""
        Binding = self.env["shopify.product.binding"].with_context(active_test=False)
        products = sorted((p.title, p.updated_at) for p in self.emu_shop.products.values())
        return (
            [(t.name, t.list_price, t.write_date) for t in self.template | self.towel],
            [
                (b.sync_state, b.export_pending, b.synced_hash, b.synced_values, b.shopify_updated_at)
                for b in Binding.search([])
            ],
            self.env["shopify.product.conflict"].search_count([]),
            self.env["shopify.queue.job"].search_count([]),
            products,
            self.emu_shop.counters.get("mutations", 0),
        )

    def test_differences_are_against_shopify_now_and_say_which_side_changed(self):
        self.change_on_shopify(self.mug_binding, title="Mug on Shopify")  # Shopify only
        self.change_on_shopify(self.towel_binding, title="Cotton towel")  # both sides, below
        self.towel.name = "Linen towel"
        self.towel.list_price = 11.0  # Odoo only
        before = self.state()
        requests = self.emu_shop.counters.get("requests", 0)
        operations = dict(self.emu_shop.operations)

        lines = self.preview()

        mug, towel = lines[self.mug_binding.shopify_gid], lines[self.towel_binding.shopify_gid]
        self.assertEqual((mug.action, towel.action), ("update", "update"))
        self.assertIn(
            "title: Shopify changed it since the last sync ('Enamel mug' → 'Mug on Shopify'); "
            "Odoo takes it: Odoo 'Enamel mug' ← Shopify 'Mug on Shopify'",
            mug.details,
        )
        self.assertEqual(len(mug.details.splitlines()), 1, "nothing else differs")
        self.assertIn("price", towel.details)
        self.assertIn("Odoo '11' → Shopify '9.5'", towel.details)  # Shopify's current price
        self.assertIn(
            "title: Shopify changed it since the last sync ('Tea towel' → 'Cotton towel') and so did Odoo "
            "('Linen towel'); Odoo's value will win by policy “Odoo wins”",
            towel.details,
        )
        # Only reads went to Shopify, one query for both products; nothing changed anywhere.
        self.assertEqual(self.state(), before)
        sent = {name for name, count in self.emu_shop.operations.items() if count != operations.get(name, 0)}
        self.assertEqual(sent, {"ProductsCurrent"})
        self.assertEqual(self.emu_shop.counters["requests"] - requests, 1)
        self.assertEqual(self.template.name, "Enamel mug")

        self.policy("title", "shopify")
        towel = self.preview()[self.towel_binding.shopify_gid]
        self.assertIn(
            "Odoo's value will lose by policy “Shopify wins”: Odoo 'Linen towel' ← Shopify", towel.details
        )

    def test_nothing_when_shopify_holds_odoo_values(self):
        before = self.state()
        lines = self.preview()
        self.assertEqual({line.action for line in lines.values()}, {"nothing"})
        self.assertEqual(self.state(), before)

    def test_product_deleted_on_shopify_is_reported(self):
        self.client.execute("product_delete", {"input": {"id": self.towel_binding.shopify_gid}})
        lines = self.preview()
        towel = lines[self.towel_binding.shopify_gid]
        self.assertEqual(towel.action, "error")
        self.assertIn("no longer has this product", towel.details)
        self.assertEqual(lines[self.mug_binding.shopify_gid].action, "nothing")
