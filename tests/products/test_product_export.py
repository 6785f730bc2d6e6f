"""Odoo → Shopify against the emulator, and the round trip back (poll and webhook bodies)."""

from ...services.mapping import products as mapping
from ..common import EmulatorCase


def rest_body(emu_shop, gid):
    """The products/update body Shopify would send for the emulator's product (REST shape)."""
    product = emu_shop.products[int(gid.rsplit("/", 1)[1])]
    variants = [emu_shop.variants[v] for v in product.variant_ids]
    body = {
        "id": product.id,
        "admin_graphql_api_id": product.gid,
        "title": product.title,
        "body_html": product.description_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "handle": product.handle,
        "status": product.status.lower(),
        "tags": ", ".join(product.tags),
        "updated_at": product.updated_at.isoformat(),
        "options": [{"name": o.name, "position": o.position, "values": o.values} for o in product.options],
        "variants": [],
    }
    for position, variant in enumerate(variants, start=1):
        item = emu_shop.inventory_items[variant.inventory_item_id]
        values = dict(variant.selected)
        row = {
            "id": variant.id,
            "admin_graphql_api_id": variant.gid,
            "position": position,
            "price": variant.price,
            "compare_at_price": variant.compare_at_price,
            "sku": variant.sku,
            "barcode": variant.barcode,
            "inventory_item_id": item.id,
            "weight": item.weight_value,
            "weight_unit": {"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"}[
                item.weight_unit
            ],
        }
        for index, option in enumerate(product.options, start=1):
            row[f"option{index}"] = values.get(option.name)
        body["variants"].append(row)
    return body


class ProductExportCase(EmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Attribute = cls.env["product.attribute"]
        cls.color = Attribute.create(
            {"name": "Color", "value_ids": [(0, 0, {"name": n}) for n in ("Blue", "Red", "Green")]}
        )
        cls.size = Attribute.create(
            {"name": "Size", "value_ids": [(0, 0, {"name": n}) for n in ("S", "M", "L")]}
        )

    def setUp(self):
        super().setUp()
        self.client = self.direct_client()
        self.template = self.env["product.template"].create(
            {
                "name": "Enamel mug",
                "description_sale": "Blue & white\n350 ml",
                "product_brand": "Acme",
                "categ_id": self.env["product.category"].create({"name": "Mugs"}).id,
                "product_tag_ids": [(0, 0, {"name": "kitchen"}), (0, 0, {"name": "gift"})],
                "list_price": 24.90,
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": self.color.id, "value_ids": [(6, 0, self.color.value_ids.ids)]}),
                    (0, 0, {"attribute_id": self.size.id, "value_ids": [(6, 0, self.size.value_ids.ids)]}),
                ],
            }
        )
        large = self.template.attribute_line_ids[1].product_template_value_ids.filtered(
            lambda v: v.name == "L"
        )
        large.price_extra = 2.0
        for number, product in enumerate(self.template.product_variant_ids, start=1):
            names = product.product_template_attribute_value_ids.mapped("name")
            product.write(
                {"default_code": "MUG-" + "-".join(names), "barcode": f"40063813{number:05d}", "weight": 0.34}
            )

    def publish(self, template=None):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": (template or self.template).id}
        )
        stats = self.shop._shopify_export_pending(client=self.client)
        return binding, stats

    def remote(self, binding):
        node = self.client.execute("product_by_id", {"id": binding.shopify_gid})["product"]
        return mapping.product_from_graphql(node)

    def variant(self, color, size):
        return self.template.product_variant_ids.filtered(
            lambda p: set(p.product_template_attribute_value_ids.mapped("name")) == {color, size}
        )


class TestExport(ProductExportCase):
    def test_publish_creates_product_with_two_options_three_values(self):
        binding, stats = self.publish()
        self.assertEqual(stats["exported"], 1)
        self.assertEqual(len(self.emu_shop.products), 1)
        self.assertTrue(binding.shopify_gid.startswith("gid://shopify/Product/"))
        self.assertEqual((binding.sync_state, binding.export_pending), ("synced", False))
        remote = self.remote(binding)
        self.assertEqual(
            remote["options"],
            [
                {"name": "Color", "values": ["Blue", "Red", "Green"]},
                {"name": "Size", "values": ["S", "M", "L"]},
            ],
        )
        self.assertEqual(len(remote["variants"]), 9)
        self.assertEqual(len(binding.variant_binding_ids), 9)
        self.assertTrue(
            all(
                line.inventory_item_gid.startswith("gid://shopify/InventoryItem/")
                for line in binding.variant_binding_ids
            )
        )
        # The metafield definition of our customId was created at setup, and the product carries it.
        self.assertTrue(self.shop.product_custom_id_ready)
        emu_product = next(iter(self.emu_shop.products.values()))
        self.assertEqual(
            emu_product.metafields[("odoo", "product_template_id")], ("id", str(self.template.id))
        )

    def test_each_field_reaches_shopify(self):
        compare_at = self.shop.with_context(active_test=False).field_mapping_ids.filtered(
            lambda line: line.shopify_field == "compare_at_price"
        )
        compare_at.active = True
        self.variant("Red", "L").shopify_compare_at_price = 35.5
        binding, _stats = self.publish()
        remote = self.remote(binding)
        fields = remote["fields"]
        self.assertEqual(fields["title"], "Enamel mug")
        self.assertEqual(fields["description_html"], "Blue & white\n350 ml")
        self.assertEqual(fields["vendor"], "Acme")
        self.assertEqual(fields["product_type"], "Mugs")
        self.assertEqual(fields["tags"], ["gift", "kitchen"])
        self.assertEqual(fields["status"], "ACTIVE")
        emu_product = next(iter(self.emu_shop.products.values()))
        self.assertEqual(emu_product.description_html, "<p>Blue &amp; white</p><p>350 ml</p>")
        by_sku = {v["fields"]["sku"]: v for v in remote["variants"]}
        red_large = by_sku["MUG-Red-L"]
        self.assertEqual(red_large["fields"]["price"], mapping.parse_money("26.90"))
        self.assertEqual(by_sku["MUG-Red-S"]["fields"]["price"], mapping.parse_money("24.90"))
        self.assertEqual(red_large["fields"]["compare_at_price"], mapping.parse_money("35.50"))
        self.assertIsNone(by_sku["MUG-Red-S"]["fields"]["compare_at_price"])
        self.assertEqual(red_large["fields"]["barcode"], self.variant("Red", "L").barcode)
        self.assertEqual(red_large["fields"]["weight"], mapping.weight_to_kg("0.34", "KILOGRAMS"))
        # Money goes out as a decimal string, never cents.
        emu_prices = {
            self.emu_shop.variants[v].sku: self.emu_shop.variants[v].price for v in emu_product.variant_ids
        }
        self.assertEqual(emu_prices["MUG-Red-L"], "26.90")

    def test_status_follows_sale_ok_and_active(self):
        binding, _stats = self.publish()
        self.template.sale_ok = False
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.remote(binding)["fields"]["status"], "DRAFT")
        self.template.active = False
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.remote(binding)["fields"]["status"], "ARCHIVED")
        self.assertEqual(len(self.remote(binding)["variants"]), 9)

    def test_odoo_change_is_exported_and_variants_kept(self):
        binding, _stats = self.publish()
        variant_gids = set(binding.variant_binding_ids.mapped("shopify_gid"))
        self.template.name = "Enamel mug, large"
        self.variant("Blue", "S").default_code = "MUG-BS-2"
        self.shop._shopify_export_pending(client=self.client)
        remote = self.remote(binding)
        self.assertEqual(remote["fields"]["title"], "Enamel mug, large")
        self.assertIn("MUG-BS-2", [v["fields"]["sku"] for v in remote["variants"]])
        # Variants are updated in place (sent with their ids), not deleted and re-created.
        self.assertEqual({v["gid"] for v in remote["variants"]}, variant_gids)

    def test_removed_attribute_value_deletes_the_shopify_variants(self):
        binding, _stats = self.publish()
        line = self.template.attribute_line_ids.filtered(lambda line: line.attribute_id == self.size)
        line.value_ids = [(3, self.size.value_ids.filtered(lambda v: v.name == "L").id)]
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(len(self.remote(binding)["variants"]), 6)
        self.assertEqual(len(binding.variant_binding_ids), 6)

    def test_retry_after_a_lost_answer_creates_no_duplicate(self):
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": self.template.id}
        )
        self.shop._shopify_ensure_custom_id_definition(self.client)
        # First attempt: Shopify applies the productSet but the answer never reaches Odoo (timeout).
        self.client.execute("product_set", binding._shopify_product_set_variables())
        self.assertEqual(len(self.emu_shop.products), 1)
        self.assertFalse(binding.shopify_gid)
        # The retry sends the same customId: Shopify updates the product it created.
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(len(self.emu_shop.products), 1)
        self.assertEqual(binding.shopify_gid, next(iter(self.emu_shop.products.values())).gid)

    def test_timeout_after_shopify_applied_it_creates_no_duplicate(self):
        self.shop._shopify_ensure_custom_id_definition(self.client)
        # Shopify applies every productSet but the answers are lost (504 after the work is done).
        self.emu_shop.set_faults(lost_response_rate=1.0, timeout_seconds=0.01)
        self.client.max_attempts = 3
        binding, stats = self.publish()
        self.assertEqual((stats["exported"], stats["failed"]), (0, 1))
        self.assertEqual(self.emu_shop.counters["lost_responses"], 3)
        self.assertEqual(len(self.emu_shop.products), 1)  # three attempts, one product
        self.emu_shop.set_faults(reset=True)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(len(self.emu_shop.products), 1)
        self.assertEqual(binding.shopify_gid, next(iter(self.emu_shop.products.values())).gid)

    def test_gateway_timeout_is_retried_without_duplicate(self):
        self.shop._shopify_ensure_custom_id_definition(self.client)
        self.emu_shop.set_faults(timeout_rate=1.0, timeout_seconds=1.5)
        self.client.timeout, self.client.max_attempts = 1.0, 1
        binding, stats = self.publish()
        self.assertEqual((stats["exported"], stats["failed"]), (0, 1))
        self.assertEqual(self.emu_shop.counters["timeouts"], 1)
        self.assertTrue(binding.export_pending)  # left for the next run
        self.emu_shop.set_faults(reset=True)
        stats = self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(stats["exported"], 1)
        self.assertEqual(len(self.emu_shop.products), 1)
        self.assertEqual(binding.sync_state, "synced")

    def test_user_error_is_recorded_and_others_still_export(self):
        other = self.env["product.template"].create({"name": "Tea towel", "default_code": "TOWEL"})
        self.emu_shop.set_faults(user_errors={"sku": ["TOWEL"]})
        Binding = self.env["shopify.product.binding"]
        failing = Binding.create({"shop_id": self.shop.id, "product_tmpl_id": other.id, "export_priority": 1})
        fine = Binding.create({"shop_id": self.shop.id, "product_tmpl_id": self.template.id})
        stats = self.shop._shopify_export_pending(client=self.client)
        self.assertEqual((stats["exported"], stats["failed"]), (1, 1))
        self.assertEqual(failing.sync_state, "error")
        self.assertIn("TOWEL", failing.last_error)
        self.assertTrue(failing.export_pending)
        self.assertEqual(fine.sync_state, "synced")

    def test_more_than_three_attributes_is_reported(self):
        extra = self.env["product.attribute"].create(
            [{"name": n, "value_ids": [(0, 0, {"name": f"{n} 1"})]} for n in ("Material", "Finish")]
        )
        self.template.attribute_line_ids = [
            (0, 0, {"attribute_id": attribute.id, "value_ids": [(6, 0, attribute.value_ids.ids)]})
            for attribute in extra
        ]
        binding, stats = self.publish()
        self.assertEqual(stats["failed"], 1)
        self.assertIn("4 attributes", binding.limit_warning)
        self.assertEqual(binding.sync_state, "error")
        self.assertFalse(self.emu_shop.products)

    def test_budget_stops_the_run_cleanly(self):
        templates = self.env["product.template"].create([{"name": f"Towel {n}"} for n in range(4)])
        Binding = self.env["shopify.product.binding"]
        Binding.create([{"shop_id": self.shop.id, "product_tmpl_id": t.id} for t in templates])
        self.client.execute("shop_info")  # the budget learns the bucket from a response
        self.emu_shop.set_bucket(available=25, restore_rate=0.001)
        self.client.execute("shop_info")
        stats = self.shop._shopify_export_pending(client=self.client, window_s=0)
        self.assertGreaterEqual(stats["exported"], 1)
        self.assertGreater(stats["left"], 0)
        self.assertEqual(stats["exported"] + stats["left"], 4)
        self.assertEqual(len(self.emu_shop.products), stats["exported"])
        self.assertEqual(Binding.search_count([("export_pending", "=", True)]), stats["left"])
        self.assertEqual(self.emu_shop.counters.get("throttled", 0), 0)


class TestRoundTrip(ProductExportCase):
    def test_shopify_changes_come_back_by_poll_and_echo_is_ignored(self):
        binding, _stats = self.publish()
        # Our own export's products/update webhook: nothing to import, nothing to export.
        echo = mapping.product_from_rest(rest_body(self.emu_shop, binding.shopify_gid))
        result = self.env["shopify.product.binding"]._shopify_import(self.shop, echo)
        self.assertIn(result["action"], ("nothing", "skipped"), result["diffs"])
        self.assertFalse(binding.export_pending)
        self.assertFalse(binding.conflict_ids)
        # A merchant edits the product on Shopify: title, and the price of every small mug.
        variables = binding._shopify_product_set_variables()
        variables["input"]["title"] = "Mug from Shopify"
        for variant in variables["input"]["variants"]:
            if variant["optionValues"][1]["name"] == "S":
                variant["price"] = "22.90"
        self.client.execute("product_set", variables)
        stats = self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(stats["ok"], 1)
        self.assertEqual(self.template.name, "Mug from Shopify")
        self.assertAlmostEqual(self.variant("Red", "S").lst_price, 22.90)
        self.assertAlmostEqual(self.variant("Red", "M").lst_price, 24.90)
        self.assertAlmostEqual(self.variant("Green", "L").lst_price, 26.90)
        self.assertFalse(binding.limit_warning)
        # The import does not bounce back as an export.
        self.assertFalse(binding.export_pending)
        self.assertTrue(self.shop.product_poll_watermark)
        # A second poll (overlapping watermark) finds nothing new to apply.
        again = self.shop._shopify_poll_products(client=self.client)
        self.assertEqual(again["ok"], 0)

    def test_prices_odoo_cannot_express_are_reported(self):
        binding, _stats = self.publish()
        variables = binding._shopify_product_set_variables()
        variables["input"]["variants"][0]["price"] = "19.90"  # one variant alone: no attribute extra fits
        self.client.execute("product_set", variables)
        self.shop._shopify_poll_products(client=self.client)
        self.assertIn("cannot all be expressed", binding.limit_warning)
        self.assertTrue(binding.export_pending)  # Odoo's closest prices go back, visibly

    def test_true_conflict_through_the_emulator(self):
        binding, _stats = self.publish()
        self.template.name = "Odoo title"
        variables = binding._shopify_product_set_variables()
        variables["input"]["title"] = "Shopify title"
        self.client.execute("product_set", variables)
        self.shop._shopify_poll_products(client=self.client)
        conflict = binding.conflict_ids
        self.assertEqual((conflict.field_name, conflict.winner), ("title", "odoo"))
        self.assertEqual(self.template.name, "Odoo title")
        self.assertTrue(binding.export_pending)
        self.shop._shopify_export_pending(client=self.client)
        self.assertEqual(self.remote(binding)["fields"]["title"], "Odoo title")

    def test_delete_on_shopify_archives_in_odoo(self):
        binding, _stats = self.publish()
        self.env["shopify.product.binding"]._shopify_archive_deleted(self.shop, binding.shopify_gid)
        self.assertFalse(self.template.active)
        self.assertFalse(binding.active)
        self.assertTrue(self.template.exists())


class TestDryRun(ProductExportCase):
    def test_export_preview_writes_nothing(self):
        wizard = self.env["shopify.product.export.wizard"].create(
            {"shop_id": self.shop.id, "product_tmpl_ids": [(6, 0, self.template.ids)]}
        )
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.action, "create")
        self.assertIn("title", wizard.line_ids.details)
        self.assertFalse(self.env["shopify.product.binding"].search([]))
        self.assertFalse(self.emu_shop.products)
        self.assertEqual(self.emu_shop.counters.get("requests", 0), 0)

    def test_export_preview_after_publish_shows_update_or_nothing(self):
        binding, _stats = self.publish()
        wizard = self.env["shopify.product.export.wizard"].create(
            {"shop_id": self.shop.id, "product_tmpl_ids": [(6, 0, self.template.ids)]}
        )
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.action, "nothing")
        self.template.with_context(shopify_import=True).name = "Renamed quietly"
        wizard.action_preview()
        self.assertEqual(wizard.line_ids.action, "update")
        self.assertIn("Renamed quietly", wizard.line_ids.details)
        self.assertEqual(self.remote(binding)["fields"]["title"], "Enamel mug")
