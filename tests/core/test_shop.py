from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from ..common import ShopifyCase


class TestShopConfiguration(ShopifyCase):
    def test_domain_is_normalised_to_lower_case(self):
        shop = self.create_shop(domain="  https://My-Store.MyShopify.com/admin ")
        self.assertEqual(shop.shop_domain, "my-store.myshopify.com")
        self.assertEqual(shop.effective_base_url, "https://my-store.myshopify.com")

    def test_domain_must_be_a_myshopify_domain(self):
        for bad in ("shop.example.com", "myshopify.com", "-x.myshopify.com", "a b.myshopify.com", ""):
            with self.subTest(domain=bad), self.assertRaises(ValidationError):
                self.create_shop(domain=bad)

    def test_domain_is_unique(self):
        self.create_shop(domain="twice.myshopify.com")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.create_shop(domain="TWICE.myshopify.com")

    def test_api_base_url_override(self):
        shop = self.create_shop(api_base_url="http://127.0.0.1:8765/")
        self.assertEqual(shop.effective_base_url, "http://127.0.0.1:8765")

    def test_defaults(self):
        shop = self.create_shop()
        self.assertEqual(shop.api_version, "2026-10")
        self.assertEqual(shop.state, "draft")
        self.assertEqual(shop.company_id, self.env.company)
        self.assertTrue(shop.active)


class TestSecrets(ShopifyCase):
    def test_manager_reads_and_writes_secrets(self):
        shop = self.create_shop().with_user(self.manager)
        self.assertEqual(shop.access_token, "test-access-token")
        shop.client_secret = "rotated"
        self.assertEqual(shop.client_secret, "rotated")

    def test_secrets_hidden_from_shopify_user_and_internal_user(self):
        shop = self.create_shop()
        for user in (self.shopify_user, self.internal_user):
            for field in ("access_token", "client_secret", "client_id"):
                with self.subTest(user=user.login, field=field):
                    shop_as_user = shop.with_user(user)
                    with self.assertRaises(AccessError):
                        shop_as_user.read([field])
                    with self.assertRaises(AccessError):
                        shop_as_user.write({field: "x"})

    def test_shopify_user_reads_state_but_cannot_configure(self):
        shop = self.create_shop().with_user(self.shopify_user)
        self.assertEqual(shop.read(["name", "state"])[0]["state"], "draft")
        with self.assertRaises(AccessError):
            shop.write({"name": "renamed"})
        with self.assertRaises(AccessError):
            self.env["shopify.shop"].with_user(self.shopify_user).create(
                {"name": "x", "shop_domain": "x.myshopify.com"}
            )

    def test_plain_internal_user_cannot_read_shops(self):
        shop = self.create_shop()
        with self.assertRaises(AccessError):
            shop.with_user(self.internal_user).read(["name"])

    def test_secret_fields_are_not_exported_in_form_views_for_users(self):
        view = self.env["shopify.shop"].with_user(self.shopify_user).get_views([(False, "form")])
        fields_in_view = view["models"]["shopify.shop"]["fields"]
        for secret in ("access_token", "client_secret", "client_id"):
            self.assertNotIn(secret, fields_in_view)


class TestMultiCompany(ShopifyCase):
    def test_every_shopify_model_has_a_company_rule(self):
        models = self.env["ir.model"].search([("model", "=like", "shopify.%"), ("transient", "=", False)])
        self.assertTrue(models)
        missing = []
        for model in models:
            if self.env[model.model]._abstract or not self.env[model.model]._auto:
                continue
            rules = self.env["ir.rule"].search([("model_id", "=", model.id), ("global", "=", True)])
            if not any("company_ids" in (rule.domain_force or "") for rule in rules):
                missing.append(model.model)
        self.assertEqual(missing, [], "shopify models without a multi-company record rule")

    def test_shop_of_another_company_is_invisible(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        shop_other = self.create_shop(domain="other.myshopify.com", company_id=other.id)
        shop_mine = self.create_shop(domain="mine.myshopify.com")
        self.manager.write({"company_ids": [(4, other.id)], "company_id": self.company.id})
        visible = (
            self.env["shopify.shop"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=[self.company.id])
        )
        self.assertEqual(visible.search([("id", "in", (shop_other | shop_mine).ids)]), shop_mine)
        both = visible.with_context(allowed_company_ids=[self.company.id, other.id])
        self.assertEqual(both.search([("id", "in", (shop_other | shop_mine).ids)]), shop_other | shop_mine)
        with self.assertRaises(AccessError):
            shop_other.with_user(self.manager).with_context(allowed_company_ids=[self.company.id]).read(
                ["name"]
            )


class TestStagingCopyGuard(ShopifyCase):
    def test_new_shop_is_confirmed_on_this_database(self):
        shop = self.create_shop()
        self.assertFalse(shop.is_database_copy)
        shop._check_outbound_allowed()  # does not raise

    def test_copied_database_blocks_outbound_until_confirmed(self):
        shop = self.create_shop()
        params = self.env["ir.config_parameter"].sudo()
        for key, value in (("database.uuid", "another-uuid"), ("web.base.url", "https://staging.example")):
            with self.subTest(changed=key):
                original = params.get_param(key)
                params.set_param(key, value)
                shop.invalidate_recordset(["is_database_copy"])
                self.assertTrue(shop.is_database_copy)
                with self.assertRaisesRegex(UserError, "copy"):
                    shop._check_outbound_allowed()
                with self.assertRaisesRegex(UserError, "copy"):
                    shop._shopify_client(for_write=True)
                params.set_param(key, original)
                shop.invalidate_recordset(["is_database_copy"])
                self.assertFalse(shop.is_database_copy)

        params.set_param("database.uuid", "copied-uuid")
        shop.invalidate_recordset(["is_database_copy"])
        self.assertTrue(shop.is_database_copy)
        shop.with_user(self.manager).action_confirm_database()
        self.assertFalse(shop.is_database_copy)
        self.assertEqual(shop.confirmed_database_uuid, "copied-uuid")
        shop._check_outbound_allowed()

    def test_archived_and_disconnected_shops_send_nothing(self):
        shop = self.create_shop()
        shop.state = "disconnected"
        with self.assertRaisesRegex(UserError, "disconnected"):
            shop._check_outbound_allowed()
        shop.write({"state": "connected", "active": False})
        with self.assertRaisesRegex(UserError, "archived"):
            shop._check_outbound_allowed()

    def test_neutralize_sql_deactivates_shops(self):
        from odoo.modules.neutralize import get_neutralization_queries

        shop = self.create_shop()
        queries = list(get_neutralization_queries(["shopify_sync"]))
        self.assertTrue(queries, "data/neutralize.sql is not found by Odoo's neutralize")
        self.env.flush_all()
        for query in queries:
            self.cr.execute(query)
        shop.invalidate_recordset(["active"])
        self.assertFalse(shop.active)
