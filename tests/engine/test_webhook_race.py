"""Two copies of one delivery arriving together (Shopify does this) both get 200, and one event is stored.

Real concurrency: the registry is not in test mode, so the two HTTP requests run in two real
transactions and commit. A third transaction holds the shop row locked (FOR UPDATE) until both
requests wait on the event insert: the first on the shop row (the foreign key check), the second on
the first's uncommitted row (the unique constraint). Released, the first commits; the second, whose
REPEATABLE READ snapshot predates that commit, gets a serialization failure and Odoo replays it. The
replay must read the same body (the stream is exhausted by then) and answer 200 as a duplicate.
"""

import json
import threading
import time
from unittest.mock import patch

import requests

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, get_db_name, tagged

from ...controllers.webhook import ShopifyWebhookController
from ...models.engine.webhook_stat import UNFLUSHED
from ...services import webhook_signature
from ..webhook_common import isolate_unflushed_counts
from .test_webhook import ORDER

RACE_DOMAIN = "hook-race.myshopify.com"
RACE_SECRET = "hook-race-secret"


@tagged("post_install", "-at_install")
class TestSimultaneousDuplicates(HttpCase):
    registry_test_mode = False  # real transactions: the two requests really run at once

    @classmethod
    def setUpClass(cls):
        # Committed before the test transaction starts (see test_order_race: creating a shop switches
        # the sync crons on); removed with everything it owns afterwards.
        registry = Registry(get_db_name())
        with registry.cursor() as cr:
            shop = api.Environment(cr, SUPERUSER_ID, {})["shopify.shop"].create(
                {"name": "hook race", "shop_domain": RACE_DOMAIN, "client_secret": RACE_SECRET}
            )
            cls.race_shop_id = shop.id
        cls.addClassCleanup(cls._remove_shop, registry)
        super().setUpClass()

    @classmethod
    def _remove_shop(cls, registry):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["shopify.shop"].browse(cls.race_shop_id).unlink()  # events, jobs, counters cascade

    def setUp(self):
        super().setUp()
        # The accepted delivery writes the counts this process holds: none from other tests.
        isolate_unflushed_counts(self)

    def _waiting_on_locks(self, cr):
        cr.execute(
            """SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'"""
        )
        return cr.fetchone()[0]

    def test_two_copies_arriving_together_both_get_200_and_one_event_is_stored(self):
        raw_body = json.dumps(ORDER).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Shop-Domain": RACE_DOMAIN,
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": "race-delivery",
            "X-Shopify-Event-Id": "race-event",
            "X-Shopify-Hmac-Sha256": webhook_signature.sign(RACE_SECRET, raw_body),
        }
        statuses = []

        def deliver():
            response = requests.post(
                self.base_url() + "/shopify/webhook", data=raw_body, headers=headers, timeout=60
            )
            statuses.append(response.status_code)

        registry = Registry(get_db_name())
        runs = []
        receive = ShopifyWebhookController._receive

        def counted_receive(controller, env, httprequest):
            runs.append(httprequest.headers["X-Shopify-Webhook-Id"])
            return receive(controller, env, httprequest)

        with patch.object(ShopifyWebhookController, "_receive", counted_receive):
            with registry.cursor() as lock_cr, registry.cursor() as watch_cr:
                lock_cr.execute("SELECT id FROM shopify_shop WHERE id = %s FOR UPDATE", [self.race_shop_id])
                threads = [threading.Thread(target=deliver) for _ in range(2)]
                for thread in threads:
                    thread.start()
                deadline = time.monotonic() + 30
                while self._waiting_on_locks(watch_cr) < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                    watch_cr.rollback()
                waiting = self._waiting_on_locks(watch_cr)
                lock_cr.rollback()  # release the shop row: the first insert goes on and commits
            for thread in threads:
                thread.join(60)
        self.assertEqual(waiting, 2, "both requests were inserting at the same time")
        self.assertEqual(len(runs), 3, "the second request met a serialization failure and was replayed")
        self.assertEqual(statuses, [200, 200])
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            events = env["shopify.webhook.event"].search([("shop_id", "=", self.race_shop_id)])
            self.assertEqual(len(events), 1)
            self.assertEqual(len(events.job_ids), 1)
            duplicates = env["shopify.webhook.stat"].search(
                [("shop_id", "=", self.race_shop_id), ("kind", "=", "duplicate")]
            )
            self.assertEqual(sum(duplicates.mapped("count")), 1)
            rejected = env["shopify.webhook.stat"].search(
                [("shop_id", "=", self.race_shop_id), ("kind", "=", "rejected")]
            )
            self.assertFalse(rejected, "no bad_hmac counted for the replay")
        self.assertFalse(UNFLUSHED.peek(get_db_name()), "nor held in memory")
