"""Sync state rows: concurrent syncs of different kinds never write the same row.

Real concurrency: two database connections in two threads, committed data, the emulator as Shopify.
Odoo runs REPEATABLE READ, so a transaction that updates a row another transaction changed and committed
after its snapshot fails with "could not serialize access due to concurrent update". When the order poll
and the product poll kept their watermarks on the shop record, the crons that start together failed
that way; with one state row per (shop, kind) both commit.
"""

import threading

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import get_db_name, tagged
from odoo.tools import mute_logger

from .common import EmulatorCase

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
        cls.state_emu = cls.emulator.add_shop(STATE_DOMAIN, access_token=STATE_TOKEN, client_secret="state-secret")

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
            self._env(cr)["shopify.shop"].browse(self.state_shop_id).write({"api_base_url": self.emulator.url})
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
