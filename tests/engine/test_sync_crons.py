from unittest.mock import patch

import psycopg2.errors

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from ...models.engine import registry as work_registry
from ..common import ShopifyCase

# The queue and the scheduled syncs.
SYNC_CRON_XMLIDS = [
    "shopify_sync.ir_cron_shopify_queue",
    *(sync.cron for sync in work_registry.SYNC_KINDS.values()),
]


class TestSyncCrons(ShopifyCase):
    def crons(self):
        return [self.env.ref(xmlid).sudo() for xmlid in SYNC_CRON_XMLIDS]

    def test_crons_run_only_while_a_shop_is_active(self):
        self.env["shopify.shop"].search([]).unlink()
        self.assertEqual({cron.active for cron in self.crons()}, {False})
        shop = self.create_shop()
        self.assertEqual({cron.active for cron in self.crons()}, {True})
        shop.active = False
        self.assertEqual({cron.active for cron in self.crons()}, {False})

    def test_schedule(self):
        intervals = {cron.code: (cron.interval_number, cron.interval_type) for cron in self.crons()}
        self.assertEqual(
            intervals,
            {
                "model._cron_process_queue()": (1, "minutes"),
                "model._cron_sync_products()": (15, "minutes"),
                "model._cron_sync_inventory()": (5, "minutes"),
                "model._cron_sync_orders()": (1, "minutes"),
                "model._cron_reconcile()": (1, "days"),
                "model._cron_sync_customers()": (15, "minutes"),
                "model._cron_sync_payouts()": (1, "days"),
            },
        )
        reconcile = self.env.ref("shopify_sync.ir_cron_shopify_reconcile").sudo()
        self.assertEqual((reconcile.nextcall.hour, reconcile.nextcall.minute), (2, 0))

    def test_each_shop_gets_a_run_and_one_failure_does_not_stop_the_others(self):
        # The handler of the products sync kind (work registry), replaced on the model's class.
        broken = self.create_shop(domain="broken-store.myshopify.com")
        working = self.create_shop(domain="working-store.myshopify.com")
        seen = []

        def sync_products(shop):
            seen.append((shop.shop_domain, shop._current_sync_log().kind))
            if shop == broken:
                shop.name = "changed before failing"
                raise UserError(shop.env._("Map the products first."))
            return {"ok": 3, "failed": 1, "skipped": 2}

        with (
            patch.object(type(self.env["shopify.shop"]), "_sync_products", sync_products),
            mute_logger("odoo.addons.shopify_sync.models.engine.shop"),
        ):
            runs = self.env["shopify.shop"]._cron_sync_products()
        self.assertIn(("broken-store.myshopify.com", "products"), seen)
        self.assertIn(("working-store.myshopify.com", "products"), seen)
        broken_run = runs.filtered(lambda run: run.shop_id == broken)
        working_run = runs.filtered(lambda run: run.shop_id == working)
        self.assertEqual(broken_run.state, "failed")
        self.assertIn("Map the products first.", broken_run.error_summary)
        self.assertNotEqual(
            broken.name, "changed before failing", "the failing hook's writes are rolled back"
        )
        self.assertEqual(
            (working_run.state, working_run.ok_count, working_run.failed_count, working_run.skipped_count),
            ("done", 3, 1, 2),
        )
        self.assertTrue(working_run.ended_at)

    def test_a_run_that_meets_a_concurrent_update_is_retried_a_minute_later(self):
        # All syncs start together when Odoo starts: two of them updating the shop row at once is a race
        # PostgreSQL settles by failing the later one; that run must come back, not wait 15 minutes.
        shop = self.create_shop(domain="racing-store.myshopify.com")
        cron = self.env.ref("shopify_sync.ir_cron_shopify_sync_products").sudo()
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search([("cron_id", "=", cron.id)])

        def sync_products(shop):
            shop.name = "written before the conflict"
            raise psycopg2.errors.SerializationFailure("could not serialize access due to concurrent update")

        with (
            patch.object(type(self.env["shopify.shop"]), "_sync_products", sync_products),
            mute_logger("odoo.addons.shopify_sync.models.engine.shop"),
        ):
            run = shop._run_sync("products")
        self.assertEqual(run.state, "failed")
        self.assertIn("concurrent update", run.error_summary)
        self.assertIn("nothing was lost", run.error_summary)
        self.assertNotEqual(shop.name, "written before the conflict", "the hook's writes are rolled back")
        triggers = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(triggers), 1)
        delay = (triggers.call_at - run.ended_at).total_seconds()
        self.assertTrue(30 <= delay <= 90, delay)

    def test_every_sync_kind_runs_in_a_run_of_its_kind(self):
        shop = self.create_shop()
        for method, kind in (
            ("_cron_sync_inventory", "inventory"),
            ("_cron_sync_orders", "orders"),
            ("_cron_reconcile", "reconcile"),
        ):
            with self.subTest(kind=kind):
                runs = getattr(self.env["shopify.shop"], method)()
                run = runs.filtered(lambda run: run.shop_id == shop)
                self.assertEqual(run.kind, kind)
                self.assertIn(run.state, ("done", "failed"))

    def test_sync_log_open_close(self):
        shop = self.create_shop()
        run = self.env["shopify.sync.log"]._open(shop, "products")
        self.assertEqual(run.state, "running")
        Call = self.env["shopify.api.call"]
        for cost, available in ((10, 1990), (40, 1500), (None, 20)):
            Call.create(
                {
                    "shop_id": shop.id,
                    "operation": "products_page",
                    "outcome": "ok" if cost else "throttled",
                    "actual_cost": cost,
                    "available_after": available,
                    "sync_log_id": run.id,
                }
            )
        Call.create({"shop_id": shop.id, "operation": "shop_info", "outcome": "ok", "actual_cost": 99})
        run._close(ok=7, failed=0, skipped=1)
        self.assertEqual((run.state, run.ok_count, run.skipped_count), ("done", 7, 1))
        self.assertEqual((run.api_call_count, run.cost_used, run.bucket_min), (3, 50.0, 20.0))
        self.assertGreaterEqual(run.duration_s, 0)
