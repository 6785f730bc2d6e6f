"""A webhook and the poll importing the same order in two transactions at once make one sale order.

Real concurrency: two database connections in two threads, committed data, the emulator as Shopify.
The webhook transaction takes the order's lock first and holds it; the poll transaction has already
read the database (Odoo runs REPEATABLE READ, so it cannot see rows committed after that) and waits on
the lock. When the webhook commits, the poll must not create a second binding or sale order, and the
order must still end imported once on the next poll.
"""

import json
import threading
import time
from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tests import get_db_name, tagged
from odoo.tools import mute_logger

from ...emulator import rest
from ...models.core.sync_state import ORDER_POLL
from ..common import EmulatorCase

RACE_DOMAIN = "race-store.myshopify.com"
RACE_TOKEN = "race-token"
SKUS = ("RACE-MUG", "RACE-BOWL")


@tagged("post_install", "-at_install")
class TestOrderRace(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        # Committed before the test transaction starts: creating a shop switches the sync crons on, and
        # the test transaction (which creates shops too) must find them switched already.
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": "race",
                    "shop_domain": RACE_DOMAIN,
                    "access_token": RACE_TOKEN,
                    "client_secret": "race-secret",
                    "state": "connected",
                    # Drafts only: the committed records stay easy to remove afterwards.
                    "order_confirmation_policy": "never",
                }
            )
            for sku in SKUS:
                env["product.product"].create(
                    {"name": sku, "default_code": sku, "type": "consu", "taxes_id": [Command.clear()]}
                )
            cls.race_shop_id = shop.id
        cls.addClassCleanup(cls._remove_committed_records, registry)
        super().setUpClass()
        cls.race_emu = cls.emulator.add_shop(
            RACE_DOMAIN, access_token=RACE_TOKEN, client_secret="race-secret"
        )

    def setUp(self):
        super().setUp()
        self.race_emu.reset()
        self.race_emu.tax_rate = "0"
        self.race_emu.seed_products(2, max_options=1, max_values=1, stock=(20, 20))
        variants = list(self.race_emu.variants.values())
        for variant, sku in zip(variants, SKUS, strict=True):
            variant.sku = sku
        self.order = self.race_emu.place_order(
            [{"variant_id": variants[0].id, "quantity": 2}, {"variant_id": variants[1].id, "quantity": 1}],
            customer={"first_name": "Jonas", "last_name": "Weber", "email": "race-jonas@example.org"},
        )
        with self.registry.cursor() as cr:
            shop = self._env(cr)["shopify.shop"].browse(self.race_shop_id)
            shop.api_base_url = self.emulator.url
            shop._state_row(ORDER_POLL).watermark = False
        self.addCleanup(self._remove_orders)

    def _remove_orders(self):
        """What a test committed: bindings, sale orders, customers, jobs, events, logs."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            shop_domain = [("shop_id", "=", self.race_shop_id)]
            bindings = env["shopify.order.binding"].search(shop_domain)
            orders = bindings.sale_order_id
            partners = env["res.partner"].search([("email", "=", "race-jonas@example.org")])
            bindings.unlink()
            orders.unlink()
            env["shopify.customer.binding"].search(shop_domain).unlink()
            partners.child_ids.unlink()
            partners.unlink()
            for model in (
                "shopify.api.call",
                "shopify.sync.log",
                "shopify.queue.job",
                "shopify.webhook.event",
                "shopify.resource.mark",
                "shopify.webhook.stat",
            ):
                if model in env and "shop_id" in env[model]._fields:
                    env[model].search(shop_domain).unlink()

    @classmethod
    def _remove_committed_records(cls, registry):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["product.product"].search([("default_code", "in", SKUS)]).product_tmpl_id.unlink()
            env["shopify.shop"].browse(cls.race_shop_id).unlink()

    # ------------------------------------------------------------------------------------------------
    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _lock_waiters(self, cr):
        cr.execute(
            """SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND NOT granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""
        )
        return cr.fetchone()[0]

    def race(self, winner, loser):
        """Run `winner` then `loser` (functions of an env) in two transactions: the winner holds the
        order's lock until the loser, whose snapshot predates the winner's commit, waits for it."""
        holding, release, outcome = threading.Event(), threading.Event(), {}

        def run_winner():
            try:
                with self.registry.cursor() as cr:
                    outcome["winner"] = winner(self._env(cr))
                    holding.set()  # the order's lock is held until this transaction ends
                    release.wait(30)
            except Exception as error:  # reported to the main thread
                outcome["winner_error"] = error
                holding.set()

        def run_loser():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    env["shopify.shop"].browse(self.race_shop_id).name  # noqa: B018  (snapshot taken here)
                    outcome["loser"] = loser(env)
            except Exception as error:
                outcome["loser_error"] = error

        winner_thread = threading.Thread(target=run_winner)
        winner_thread.start()
        self.assertTrue(holding.wait(30))
        loser_thread = threading.Thread(target=run_loser)
        loser_thread.start()
        with self.registry.cursor() as watch_cr:
            deadline = time.monotonic() + 30
            while not self._lock_waiters(watch_cr) and time.monotonic() < deadline:
                time.sleep(0.05)
                watch_cr.rollback()
            waiting = self._lock_waiters(watch_cr)
        release.set()
        winner_thread.join(30)
        loser_thread.join(30)
        self.assertTrue(waiting, "the loser waited on the order's lock")
        self.assertNotIn("winner_error", outcome)
        self.assertNotIn("loser_error", outcome)
        return outcome["winner"], outcome["loser"]

    def poll(self, env):
        shop = env["shopify.shop"].browse(self.race_shop_id)
        with mute_logger("odoo.addons.shopify_sync.models.orders.shop"):
            return shop._shopify_poll_orders(now=self.clock.now().replace(tzinfo=None))

    def assertOneOrder(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            bindings = env["shopify.order.binding"].search([("shop_id", "=", self.race_shop_id)])
            self.assertEqual(len(bindings), 1)
            self.assertEqual(bindings.shopify_gid, self.order.gid)
            orders = env["sale.order"].search([("origin", "=", f"Shopify race {self.order.name}")])
            self.assertEqual(orders, bindings.sale_order_id, "one sale order, the binding's")
            self.assertEqual(len(orders.order_line), 2)
            return bindings

    def test_webhook_wins_the_poll_waits_and_leaves_the_order_to_its_next_run(self):
        body = rest.order(self.race_emu, self.order)

        def webhook(env):
            shop = env["shopify.shop"].browse(self.race_shop_id)
            return env["shopify.order.import"]._import_rest(shop, body).id

        binding_id, poll_counts = self.race(webhook, self.poll)
        self.assertEqual(poll_counts, (0, 1), "the poll's import met the committed order: retried later")
        with self.registry.cursor() as cr:
            shop = self._env(cr)["shopify.shop"].browse(self.race_shop_id)
            self.assertEqual(shop.orders_synced_until, self.order.updated_at.replace(tzinfo=None))
            self.assertEqual(self.poll(self._env(cr)), (1, 0), "the next poll finds it and changes nothing")
        self.assertEqual(self.assertOneOrder().id, binding_id)

    def test_poll_wins_the_webhook_job_waits_and_is_retried(self):
        body = rest.order(self.race_emu, self.order)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            shop = env["shopify.shop"].browse(self.race_shop_id)
            event = env["shopify.webhook.event"]._ingest(
                shop, "orders/create", "race-wh", json.dumps(body), body
            )
            job = env["shopify.queue.job"].search([("webhook_event_id", "=", event.id)])
            job_id = job.id

        def process_queue(env):
            with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
                jobs = env["shopify.queue.job"]._cron_process_queue()
            return [(job.id, job.state, job.last_error_type) for job in jobs]

        poll_counts, jobs = self.race(self.poll, process_queue)
        self.assertEqual(poll_counts, (1, 0))
        self.assertEqual(jobs, [(job_id, "pending", "OrderCreatedConcurrently")], "a retryable conflict")
        with self.registry.cursor() as cr:
            env = self._env(cr)
            job = env["shopify.queue.job"].browse(job_id)
            job.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            env["shopify.queue.job"]._cron_process_queue()
            self.assertEqual(job.state, "done", job.last_error_message)
        self.assertOneOrder()
