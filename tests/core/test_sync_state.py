"""Sync state rows: concurrent syncs of different kinds never write the same row.

Real concurrency: two database connections in two threads, committed data, the emulator as Shopify.
Odoo runs REPEATABLE READ, so a transaction that updates a row another transaction changed and committed
after its snapshot fails with "could not serialize access due to concurrent update". When the order poll
and the product poll kept their watermarks on the shop record, the crons that start together failed
that way; with one state row per (shop, kind) both commit.
"""

import threading

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry
from odoo.tests import get_db_name, tagged
from odoo.tools import mute_logger

from ...models.core.sync_state import ORDER_POLL, PRODUCT_POLL
from ..common import EmulatorCase, ShopifyCase

STATE_DOMAIN = "state-store.myshopify.com"
STATE_TOKEN = "state-token"


@tagged("post_install", "-at_install")
class TestSyncStateConcurrency(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        # Committed: both transactions of a test must see the shop.
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": "state",
                    "shop_domain": STATE_DOMAIN,
                    "access_token": STATE_TOKEN,
                    "client_secret": "state-secret",
                    "state": "connected",
                }
            )
            cls.state_shop_id = shop.id
        cls.addClassCleanup(cls._remove_committed_shop, registry)
        super().setUpClass()
        cls.state_emu = cls.emulator.add_shop(
            STATE_DOMAIN, access_token=STATE_TOKEN, client_secret="state-secret"
        )

    @classmethod
    def _remove_committed_shop(cls, registry):
        with registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {"active_test": False})["shopify.shop"].browse(
                cls.state_shop_id
            ).unlink()

    def setUp(self):
        super().setUp()
        self.state_emu.reset()
        self.state_emu.seed_products(2, max_options=1, max_values=1, stock=(5, 5))
        with self.registry.cursor() as cr:
            self._env(cr)["shopify.shop"].browse(self.state_shop_id).write(
                {"api_base_url": self.emulator.url}
            )
        self.addCleanup(self._remove_synced_records)

    def _remove_synced_records(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            shop_domain = [("shop_id", "=", self.state_shop_id)]
            bindings = env["shopify.product.binding"].search(shop_domain)
            templates = bindings.product_tmpl_id
            bindings.unlink()
            templates.unlink()
            for model in ("shopify.api.call", "shopify.sync.log", "shopify.sync.state"):
                if model in env:
                    env[model].search(shop_domain).unlink()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _shop(self, env):
        return env["shopify.shop"].browse(self.state_shop_id)

    def test_order_poll_and_product_poll_in_concurrent_transactions_both_commit(self):
        """The product poll's snapshot predates the order poll's commit; it writes after that commit."""
        now = self.clock.now().replace(tzinfo=None)
        snapshot_taken, orders_committed, outcome = threading.Event(), threading.Event(), {}

        def order_poll():
            try:
                self.assertTrue(snapshot_taken.wait(30))
                with self.registry.cursor() as cr:
                    outcome["orders"] = self._shop(self._env(cr))._shopify_poll_orders(now=now)
            except Exception as error:  # reported to the main thread
                outcome["orders_error"] = error
            finally:
                orders_committed.set()

        def product_poll():
            try:
                with self.registry.cursor() as cr:
                    shop = self._shop(self._env(cr))
                    shop.name  # noqa: B018  (the snapshot is taken here, before the order poll commits)
                    snapshot_taken.set()
                    self.assertTrue(orders_committed.wait(30))
                    outcome["products"] = shop._shopify_poll_products()
            except Exception as error:
                outcome["products_error"] = error
            finally:
                snapshot_taken.set()

        threads = [threading.Thread(target=order_poll), threading.Thread(target=product_poll)]
        with mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertNotIn("orders_error", outcome)
        self.assertNotIn("products_error", outcome)
        self.assertEqual(outcome["orders"], (0, 0))
        self.assertEqual(outcome["products"], {"ok": 2, "failed": 0, "skipped": 0})
        newest = max(product.updated_at for product in self.state_emu.products.values())
        with self.registry.cursor() as cr:
            shop = self._shop(self._env(cr))
            self.assertEqual(shop.orders_synced_until, now, "the order poll's watermark is its start")
            self.assertEqual(
                shop.product_poll_watermark,
                newest.replace(tzinfo=None),
                "the product poll's watermark is the newest product it read",
            )


@tagged("post_install", "-at_install")
class TestSyncStateRows(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop()

    def test_one_row_per_shop_and_kind_created_on_first_use(self):
        States = self.env["shopify.sync.state"]
        self.assertFalse(States._find(self.shop, ORDER_POLL))
        orders = self.shop._state_row(ORDER_POLL)
        self.assertEqual(
            (orders.shop_id, orders.kind, orders.company_id), (self.shop, ORDER_POLL, self.company)
        )
        self.assertEqual(self.shop._state_row(ORDER_POLL), orders, "the second use finds the same row")
        products = self.shop._state_row(PRODUCT_POLL)
        self.assertNotEqual(products, orders)
        self.assertEqual(States.search_count([("shop_id", "=", self.shop.id)]), 2)

    def test_a_watermark_changes_its_row_and_never_the_shop_row(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT ctid FROM shopify_shop WHERE id = %s", [self.shop.id])
        shop_version = self.env.cr.fetchone()[0]
        at = fields.Datetime.now().replace(microsecond=0)
        self.shop._state_row(ORDER_POLL).watermark = at
        self.assertEqual(self.shop.orders_synced_until, at, "the shop field shows the row's watermark")
        self.assertFalse(self.shop.product_poll_watermark)
        self.env.flush_all()
        self.env.cr.execute("SELECT ctid FROM shopify_shop WHERE id = %s", [self.shop.id])
        self.assertEqual(self.env.cr.fetchone()[0], shop_version, "the shop row was not updated")

    def test_shopify_users_read_the_rows_and_only_the_system_writes_them(self):
        state = self.shop._state_row(ORDER_POLL)
        state.watermark = fields.Datetime.now()
        self.assertTrue(state.with_user(self.shopify_user).watermark)
        with self.assertRaises(AccessError):
            state.with_user(self.shopify_user).write({"watermark": False})
        with self.assertRaises(AccessError):
            state.with_user(self.manager).write({"watermark": False})
        with self.assertRaises(AccessError):
            state.with_user(self.internal_user).read(["watermark"])

    def test_other_company_rows_are_invisible(self):
        state = self.shop._state_row(ORDER_POLL)
        other = self.env["res.company"].create({"name": "Other Co"})
        self.shopify_user.write({"company_ids": [(4, other.id)], "company_id": other.id})
        visible = (
            self.env["shopify.sync.state"]
            .with_user(self.shopify_user)
            .with_context(allowed_company_ids=[other.id])
            .search([])
        )
        self.assertNotIn(state, visible)
        self.assertIn(state, self.env["shopify.sync.state"].with_user(self.shopify_user).search([]))
