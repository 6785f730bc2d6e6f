"""Shared fixtures: shops, users with each Shopify role, companies."""

from odoo.tests import TransactionCase, new_test_user


class ShopifyCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(
            cls.env, login="shopify_manager", groups="shopify_sync.group_shopify_manager,base.group_user"
        )
        cls.shopify_user = new_test_user(
            cls.env, login="shopify_user", groups="shopify_sync.group_shopify_user,base.group_user"
        )
        cls.internal_user = new_test_user(cls.env, login="plain_internal", groups="base.group_user")

    @classmethod
    def create_shop(cls, domain="test-store.myshopify.com", **values):
        return cls.env["shopify.shop"].create(
            {
                "name": values.pop("name", domain.split(".")[0]),
                "shop_domain": domain,
                "access_token": "test-access-token",
                "client_secret": "test-client-secret",
                **values,
            }
        )
