"""The customId metafield definition (odoo.product_template_id, type id) is created when the shop is set
up (Test connection), once, before any export: against the emulator."""

from ..common import EmulatorCase


class TestCustomIdDefinitionAtSetup(EmulatorCase):
    def definitions(self):
        return [
            definition
            for definition in self.emu_shop.metafield_definitions.values()
            if (definition.owner_type, definition.namespace, definition.key)
            == ("PRODUCT", "odoo", "product_template_id")
        ]

    def test_test_connection_creates_the_definition_once(self):
        self.assertFalse(self.definitions())
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "connected")
        self.assertTrue(self.shop.product_custom_id_ready)
        [definition] = self.definitions()
        self.assertEqual(definition.type_name, "id")
        self.assertFalse(self.emu_shop.products)  # set up before (and without) any export

        requests = self.emu_shop.counters["requests"]
        self.shop.action_test_connection()
        self.assertEqual(self.emu_shop.counters["requests"], requests + 1)  # shop_info only
        self.assertEqual(len(self.definitions()), 1)

    def test_definition_already_on_shopify_is_accepted(self):
        self.emu_shop.add_metafield_definition("odoo", "product_template_id", "id")
        self.shop.action_test_connection()
        self.assertTrue(self.shop.product_custom_id_ready)
        self.assertEqual(len(self.definitions()), 1)

    def test_first_export_after_setup_does_not_create_it_again(self):
        self.shop.action_test_connection()
        template = self.env["product.template"].create({"name": "Tea towel"})
        binding = self.env["shopify.product.binding"].create(
            {"shop_id": self.shop.id, "product_tmpl_id": template.id}
        )
        stats = self.shop._shopify_export_pending()
        self.assertEqual(stats["exported"], 1, binding.last_error)
        self.assertEqual(len(self.definitions()), 1)
        product = self.emu_shop.products[int(binding.shopify_gid.rsplit("/", 1)[1])]
        self.assertEqual(product.metafields[("odoo", "product_template_id")], ("id", str(template.id)))

    def test_failure_is_reported_and_the_connection_test_still_answers(self):
        self.shop.confirmed_database_uuid = "another-database"  # a copy: nothing may be written
        messages = len(self.shop.message_ids)
        action = self.shop.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(self.shop.product_custom_id_ready)
        self.assertFalse(self.definitions())
        self.assertEqual(len(self.shop.message_ids), messages + 1)
        self.assertIn("could not be created", self.shop.message_ids[0].body)
