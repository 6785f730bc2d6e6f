"""Order completeness against the emulator: orders whose webhooks Shopify dropped are found by the
reconciliation's bulk query, backfilled, and their day's report turns green; dry runs, differing totals,
broken orders, the window, metrics and health."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase
from odoo.tools import mute_logger

from ...emulator import bulk as emulator_bulk
from ...emulator import webhooks as emulator_webhooks
from ...services import completeness
from ..common import EmulatorCase

HOOK_URI = "https://odoo.example.com/shopify/webhook"
IMPORT_LOGGERS = (
    "odoo.addons.shopify_sync.models.reconcile.shop",
    "odoo.addons.shopify_sync.models.orders.order_binding",
)


class TestOrderCompleteness(EmulatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Bulk = cls.env["shopify.bulk.operation"]
        cls.Report = cls.env["shopify.completeness.report"]
        cls.Binding = cls.env["shopify.order.binding"]

    def setUp(self):
        super().setUp()
        self.emu_shop.bulk_delay = 0.0
        self.emu_shop.seed_products(1, max_options=1, max_values=1, stock=(500, 500))
        self.sku = next(iter(self.emu_shop.variants.values())).sku
        self.env["product.product"].create(
            {"name": "Seeded item", "default_code": self.sku, "type": "consu", "taxes_id": [Command.clear()]}
        )
        self.shop.action_test_connection()  # connected, with Shopify's timezone and currency
        self.zone = completeness.shop_zone(self.shop.timezone_remote)
        # The orders/create webhooks the emulator sends, captured instead of posted over HTTP.
        self.posted = self.capture_webhook_deliveries()
        self.addCleanup(self.emu_shop.set_faults, reset=True)
        with self.emu_shop.lock:
            _subscription, errors = emulator_webhooks.create_subscription(
                self.emu_shop, "ORDERS_CREATE", {"uri": HOOK_URI}, self.shop.api_version
            )
        self.assertEqual(errors, [])

    # ------------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------------
    def place(self, quantity=1, days_ago=0, **options):
        processed_at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=days_ago)
        return self.emu_shop.place_order(
            [{"sku": self.sku, "quantity": quantity}],
            email=f"buyer{quantity}@example.org",
            processed_at=processed_at,
            **options,
        )

    def place_with_webhooks_dropped(self, count, **options):
        self.emu_shop.set_faults(webhook_drop_rate=1.0)
        orders = [self.place(quantity=index + 1, **options) for index in range(count)]
        self.emu_shop.set_faults(reset=True)
        return orders

    def deliver_webhooks(self):
        """What Odoo's webhook controller does with the deliveries that reached it: store, then process."""
        self.assertTrue(self.emulator.webhooks.flush(timeout=30))
        for body, headers in self.posted:
            job = self.run_delivery(body, headers)
            self.assertEqual(job.state, "done", job.last_error_message)
        self.posted.clear()

    def reconcile(self, **context):
        """The daily hook, then the bulk runner's poll (the finish webhook's fallback)."""
        run = self.shop.with_context(**context)._run_sync("reconcile")
        self.assertEqual(run.state, "done", run.error_summary)
        with mute_logger(*IMPORT_LOGGERS):
            self.Bulk._cron_poll()
        return run

    def today_report(self):
        today = completeness.window_days(datetime.now(timezone.utc).replace(tzinfo=None), self.zone, 1)[0]
        return self.Report.search([("shop_id", "=", self.shop.id), ("day", "=", today)])

    def emulator_total(self, orders):
        return sum(Decimal(self.graphql_total(order.gid)) for order in orders)

    def graphql_total(self, gid):
        data = self.graphql(
            "query($id: ID!) { order(id: $id) { totalPriceSet { shopMoney { amount } } } }", {"id": gid}
        )
        return data["data"]["order"]["totalPriceSet"]["shopMoney"]["amount"]

    def bound_gids(self):
        return set(self.Binding.search([("shop_id", "=", self.shop.id)]).mapped("shopify_gid"))

    # ------------------------------------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------------------------------------
    def test_dropped_webhooks_are_backfilled_and_the_day_turns_green(self):
        delivered = [self.place(quantity=1), self.place(quantity=2)]
        self.deliver_webhooks()
        dropped = self.place_with_webhooks_dropped(2)
        yesterday = self.place_with_webhooks_dropped(1, days_ago=1)
        log = self.emulator.webhooks.log(self.emu_shop.domain)
        self.assertEqual([entry["state"] for entry in log], ["delivered"] * 2 + ["dropped"] * 3)
        self.assertEqual(self.bound_gids(), {order.gid for order in delivered})

        run = self.reconcile()

        self.assertEqual(run.ok_count, 3)  # the three days of the default window started
        everything = delivered + dropped + yesterday
        self.assertEqual(self.bound_gids(), {order.gid for order in everything})
        self.assertTrue(all(self.Binding.search([("shop_id", "=", self.shop.id)]).mapped("sale_order_id")))
        reports = self.Report.search([("shop_id", "=", self.shop.id)], order="day")
        self.assertEqual(len(reports), 3)
        self.assertEqual(set(reports.mapped("state")), {"green"})
        today = self.today_report()
        self.assertEqual(today, reports[-1])
        self.assertEqual((today.shopify_count, today.odoo_count), (4, 4))
        expected_total = float(self.emulator_total(delivered + dropped))
        self.assertAlmostEqual(today.shopify_total, expected_total, places=2)
        self.assertAlmostEqual(today.odoo_total, expected_total, places=2)
        self.assertEqual((today.difference_count, today.difference_total), (0, 0.0))
        self.assertEqual((today.missing_count, today.differing_count, today.extra_count), (0, 0, 0))
        self.assertEqual(today.backfilled_count, 2)
        for order in dropped:
            self.assertIn(order.name, today.backfilled_orders)
        self.assertEqual(sorted(today.details["backfilled"]), sorted(order.gid for order in dropped))
        self.assertFalse(today.dry_run)
        self.assertTrue(today.checked_at)
        self.assertEqual(today.timezone, self.shop.timezone_remote)
        yesterday_report = reports[-2]
        self.assertEqual((yesterday_report.shopify_count, yesterday_report.backfilled_count), (1, 1))
        self.assertEqual(reports[0].shopify_count, 0)  # a day without orders is complete too
        self.assertEqual(self.shop.completeness_red_count, 0)

    def test_dry_run_lists_the_missing_orders_and_imports_nothing(self):
        dropped = self.place_with_webhooks_dropped(2)
        self.reconcile(shopify_reconcile_dry_run=True)
        report = self.today_report()
        self.assertTrue(report.dry_run)
        self.assertEqual(report.state, "red")
        self.assertEqual((report.shopify_count, report.odoo_count, report.missing_count), (2, 0, 2))
        self.assertEqual(report.backfilled_count, 0)
        for order in dropped:
            self.assertIn(order.name, report.missing_orders)
        self.assertEqual({entry["gid"] for entry in report.details["missing"]}, {o.gid for o in dropped})
        self.assertFalse(self.bound_gids())
        # The real run updates the same row.
        self.reconcile()
        self.assertEqual(self.today_report(), report)
        self.assertEqual((report.state, report.dry_run, report.backfilled_count), ("green", False, 2))
        self.assertEqual(
            self.Report.search_count([("shop_id", "=", self.shop.id), ("day", "=", report.day)]), 1
        )

    def test_an_order_whose_odoo_total_differs_is_listed_red(self):
        order = self.place(quantity=3)
        self.deliver_webhooks()
        sale_order = self.Binding.search([("shopify_gid", "=", order.gid)]).sale_order_id
        self.assertTrue(sale_order)
        sale_order.order_line[0].price_unit += 5.0  # someone edited the sale order in Odoo
        self.reconcile()
        report = self.today_report()
        self.assertEqual(report.state, "red")
        self.assertEqual((report.missing_count, report.differing_count, report.backfilled_count), (0, 1, 0))
        self.assertIn(order.name, report.differing_orders)
        [entry] = report.details["differing"]
        self.assertEqual(Decimal(entry["odoo_total"]) - Decimal(entry["shopify_total"]), Decimal("15.00"))
        self.assertAlmostEqual(report.difference_total, -15.0, places=2)
        self.assertEqual(self.shop.completeness_red_count, 1)

    def test_a_broken_order_does_not_stop_the_backfill_of_the_others(self):
        # Shopify's placeholder currency XXX: no Odoo currency matches, the import refuses the order.
        [broken] = self.place_with_webhooks_dropped(1, presentment_currency="XXX", exchange_rate=1)
        fine = self.place_with_webhooks_dropped(2)
        self.reconcile()
        report = self.today_report()
        self.assertEqual(self.bound_gids(), {order.gid for order in fine})
        self.assertEqual(report.state, "red")
        self.assertEqual((report.backfilled_count, report.backfill_failed_count), (2, 1))
        self.assertEqual((report.missing_count, report.shopify_count, report.odoo_count), (1, 3, 2))
        self.assertIn(broken.name, report.missing_orders)
        self.assertIn("XXX", report.backfilled_orders)
        [failed] = report.details["backfill_failed"]
        self.assertEqual(failed["gid"], broken.gid)
        self.assertIn("UserError", failed["reason"])

    def test_a_held_order_is_missing_with_what_to_fix(self):
        self.addCleanup(setattr, self.emu_shop, "tax_rate", self.emu_shop.tax_rate)  # a setting: not reset
        self.emu_shop.tax_rate = "0.19"  # a tax Odoo has no mapping for: the import holds the order
        [held] = self.place_with_webhooks_dropped(1)
        self.reconcile()
        report = self.today_report()
        binding = self.Binding.search([("shopify_gid", "=", held.gid)])
        self.assertEqual(binding.state, "held")
        self.assertEqual((report.state, report.backfilled_count, report.missing_count), ("red", 1, 1))
        self.assertIn("held in Odoo", report.missing_orders)
        self.assertIn("Tax Mapping", report.missing_orders)

    def test_shopify_users_read_the_reports_and_others_do_not(self):
        self.reconcile(shopify_reconcile_dry_run=True)
        reports = self.Report.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(len(reports), 3)
        self.assertEqual(
            self.Report.with_user(self.shopify_user).search([("shop_id", "=", self.shop.id)]), reports
        )
        with self.assertRaises(AccessError):
            reports.with_user(self.shopify_user).write({"state": "green"})
        with self.assertRaises(AccessError):
            self.Report.with_user(self.internal_user).search([])

    def test_the_views_render(self):
        Report = self.env["shopify.completeness.report"]
        views = Report.get_views([(False, "list"), (False, "form"), (False, "graph"), (False, "search")])
        self.assertEqual(set(views["views"]), {"list", "form", "graph", "search"})
        dashboard = self.env.ref("shopify_sync.shopify_shop_view_form_dashboard")
        arch = self.shop.get_views([(dashboard.id, "form")])["views"]["form"]["arch"]
        self.assertIn("dash_completeness_ids", arch)
        shop_form = self.shop.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_view_completeness_reports", shop_form)
        self.assertIn("order_reconcile_days", shop_form)

    def test_metrics_and_health_show_the_figures(self):
        self.place_with_webhooks_dropped(2)
        self.reconcile(shopify_reconcile_dry_run=True)
        Health = self.env["shopify.health"]
        label = f'{{shop="{self.shop.shop_domain}"}}'
        text = Health._metrics_text(self.shop)
        self.assertIn(f"shopify_orders_missing{label} 2\n", text)
        self.assertIn(f"shopify_order_completeness_green{label} 0\n", text)
        self.assertIn(f"shopify_order_completeness_days_checked{label} 3\n", text)
        self.assertIn("# TYPE shopify_order_completeness_last_check_timestamp_seconds gauge", text)
        health = Health._snapshot(self.shop)[self.shop.id]["order_completeness"]
        self.assertEqual((health["missing"], health["green"], health["days_checked"]), (2, False, 3))
        today = [day for day in health["days"] if day["day"] == self.today_report().day.isoformat()]
        self.assertEqual(today[0]["shopify_count"], 2)
        self.assertEqual(today[0]["state"], "red")
        json.dumps(health)  # the health endpoint serialises it as is

        self.reconcile()
        text = Health._metrics_text(self.shop)
        self.assertIn(f"shopify_orders_missing{label} 0\n", text)
        self.assertIn(f"shopify_order_completeness_green{label} 1\n", text)
        self.assertIn(f"shopify_orders_backfilled{label} 2\n", text)
        health = Health._snapshot(self.shop)[self.shop.id]["order_completeness"]
        self.assertEqual((health["missing"], health["green"], health["days_green"]), (0, True, 3))
        # The dashboard panel reads the same reports.
        self.assertEqual(self.shop.dash_completeness_missing, 0)
        self.assertEqual(len(self.shop.dash_completeness_ids), 3)

    def test_the_cron_and_the_bulk_poll_drive_it_end_to_end(self):
        dropped = self.place_with_webhooks_dropped(2)
        self.env["shopify.shop"]._cron_reconcile()
        report = self.today_report()
        self.assertEqual(report.state, "pending")
        operation = report.bulk_operation_id
        self.assertEqual(operation.kind, "order_reconcile")
        self.assertFalse(self.bound_gids())
        with mute_logger(*IMPORT_LOGGERS):
            self.Bulk._cron_poll()
        self.assertTrue(operation.processed)
        self.assertEqual(report.state, "green")
        self.assertEqual(self.bound_gids(), {order.gid for order in dropped})
        # The query Shopify ran carried the window's filter.
        [emulated] = [
            op for op in self.emu_shop.bulk_operations.values() if op.gid == operation.operation_gid
        ]
        start = completeness.day_start_utc(report.day - timedelta(days=2), self.zone)
        self.assertIn("processed_at:>=", emulated.query)
        self.assertIn(start.strftime("%Y-%m-%dT%H:%M:%SZ"), emulated.query)

    def test_the_bulk_finish_webhook_completes_the_report(self):
        with self.emu_shop.lock:
            _subscription, errors = emulator_webhooks.create_subscription(
                self.emu_shop, "BULK_OPERATIONS_FINISH", {"uri": HOOK_URI}, self.shop.api_version
            )
        self.assertEqual(errors, [])
        dropped = self.place_with_webhooks_dropped(1)
        self.shop._run_sync("reconcile")
        report = self.today_report()
        self.assertEqual(report.state, "pending")
        emulator_bulk.complete_due(self.emulator, self.emu_shop)  # what the emulator's runner does
        with mute_logger(*IMPORT_LOGGERS):
            self.deliver_webhooks()  # bulk_operations/finish, processed by the queue
        self.assertEqual(report.state, "green")
        self.assertEqual(self.bound_gids(), {dropped[0].gid})

    def test_orders_outside_the_window_are_left_alone(self):
        self.shop.order_reconcile_days = 2
        old = self.place_with_webhooks_dropped(1, days_ago=3)
        recent = self.place_with_webhooks_dropped(1, days_ago=1)
        self.reconcile()
        self.assertEqual(self.bound_gids(), {order.gid for order in recent})
        self.assertNotIn(old[0].gid, self.bound_gids())
        self.assertEqual(self.Report.search_count([("shop_id", "=", self.shop.id)]), 2)

    def test_parts_without_orders_skip_the_order_check(self):
        self.place_with_webhooks_dropped(1)
        run = self.shop.with_context(shopify_reconcile_parts=["inventory"])._run_sync("reconcile")
        self.assertEqual(run.state, "done")
        self.assertFalse(self.Report.search([("shop_id", "=", self.shop.id)]))
        self.assertFalse(self.Bulk.search([("shop_id", "=", self.shop.id), ("kind", "=", "order_reconcile")]))

    def test_a_refused_bulk_query_marks_the_days_as_failed_checks(self):
        self.emu_shop.bulk_delay = 3600.0  # five operations keep running: Shopify's limit per shop
        for _index in range(5):
            self.Bulk._start_query(self.shop, "product_import", "bulk_products_variants")
        with mute_logger(*IMPORT_LOGGERS):
            run = self.shop.with_context(shopify_reconcile_parts=["orders"])._run_sync("reconcile")
        self.assertEqual((run.state, run.failed_count), ("done", 3))
        report = self.today_report()
        self.assertEqual(report.state, "error")
        self.assertIn("already runs 5 bulk operation", report.error_message)
        self.assertFalse(report.bulk_operation_id)
        # The failed check says what to do, on the report and on the dashboard.
        self.assertIn("wait for them to finish", report.hint)
        self.assertEqual(self.shop.dash_completeness_state, "red")
        self.assertEqual(self.shop.dash_completeness_hint, report.hint)

    # ------------------------------------------------------------------------------------------------
    # The dashboard's verdict and what to do (issue #9)
    # ------------------------------------------------------------------------------------------------
    def test_red_days_say_what_to_do(self):
        self.place_with_webhooks_dropped(1)
        self.reconcile(shopify_reconcile_dry_run=True)
        report = self.today_report()
        self.assertEqual(report.state, "red")
        self.assertIn("Dry run", report.hint)
        self.assertIn("Check orders now", report.hint)
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.dash_completeness_state, "red")
        self.assertTrue(
            self.shop.dash_completeness_line.startswith("Orders incomplete: 1 of 3 days red ("),
            self.shop.dash_completeness_line,
        )
        self.assertEqual(self.shop.dash_completeness_hint, report.hint)
        green = self.Report.search([("shop_id", "=", self.shop.id), ("state", "=", "green")])
        self.assertEqual(len(green), 2)
        self.assertFalse(any(green.mapped("hint")))

    def test_a_held_order_day_points_to_the_fix(self):
        self.addCleanup(setattr, self.emu_shop, "tax_rate", self.emu_shop.tax_rate)
        self.emu_shop.tax_rate = "0.19"
        self.place_with_webhooks_dropped(1)
        self.reconcile()
        report = self.today_report()
        self.assertEqual(report.state, "red")
        self.assertIn("Needing Attention", report.hint)

    def test_check_orders_now_from_the_dashboard(self):
        self.assertEqual(self.shop.dash_completeness_state, "none")
        self.assertEqual(self.shop.dash_completeness_line, "Order completeness: not checked yet")
        self.assertIn("Check orders now", self.shop.dash_completeness_hint)
        dropped = self.place_with_webhooks_dropped(1)
        with self.assertRaises(AccessError):
            self.shop.with_user(self.shopify_user).action_dash_check_completeness()
        action = self.shop.action_dash_check_completeness()
        self.assertEqual(action["params"]["type"], "success")
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.reconcile_job_state, "queued")
        with self.assertRaisesRegex(UserError, "already waiting or running"):
            self.shop.action_dash_check_completeness()
        self.env["shopify.queue.job"]._cron_process_queue()  # the queue cron starts the check
        self.shop.invalidate_recordset()
        self.assertFalse(self.shop.reconcile_job_state)
        self.assertEqual(self.shop.reconcile_last_run_id.state, "done")
        self.assertEqual(self.shop.dash_completeness_state, "pending")
        self.assertEqual(self.shop.dash_completeness_line, "Order completeness: checking…")
        with mute_logger(*IMPORT_LOGGERS):
            self.Bulk._cron_poll()  # what the bulk poll cron (or the finish webhook) does next
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.dash_completeness_state, "green")
        self.assertEqual(self.shop.dash_completeness_line, "Orders complete: 3/3 days green")
        self.assertFalse(self.shop.dash_completeness_hint)
        self.assertEqual(self.bound_gids(), {order.gid for order in dropped})
        # The dashboard's kanban card and form show the line.
        for xmlid, view_type in (
            ("shopify_sync.shopify_shop_view_kanban_dashboard", "kanban"),
            ("shopify_sync.shopify_shop_view_form_dashboard", "form"),
        ):
            view = self.env.ref(xmlid)
            arch = self.shop.get_views([(view.id, view_type)])["views"][view_type]["arch"]
            self.assertIn("dash_completeness_line", arch)
        form = self.env.ref("shopify_sync.shopify_shop_view_form_dashboard")
        self.assertIn(
            "action_dash_check_completeness",
            self.shop.get_views([(form.id, "form")])["views"]["form"]["arch"],
        )

    def test_a_draft_shop_cannot_be_checked_yet(self):
        draft = self.env["shopify.shop"].create(
            {"name": "draft", "shop_domain": "draft-store.myshopify.com", "client_secret": "s"}
        )
        with self.assertRaisesRegex(UserError, "Test the connection"):
            draft.action_dash_check_completeness()


class TestCompletenessService(TransactionCase):
    def test_the_search_filter_is_written_through_the_syntax_tree(self):
        text = (
            'query Q { orders(first: 5, query: "x") { edges { node { id } } } '
            "products { edges { node { id } } } }"
        )
        tricky = "processed_at:>='2026-01-01' \"} evil { x"
        out = completeness.with_search_query(text, "orders", tricky)
        import graphql

        document = graphql.parse(out)
        orders = document.definitions[0].selection_set.selections[0]
        arguments = {arg.name.value: arg.value for arg in orders.arguments}
        self.assertEqual(arguments["query"].value, tricky)
        self.assertEqual(arguments["first"].value, "5")
        self.assertEqual(len(document.definitions[0].selection_set.selections), 2)
        with self.assertRaises(ValueError):
            completeness.with_search_query(text, "customers", "x")

    def test_days_are_cut_in_the_shop_timezone(self):
        zone = completeness.shop_zone("America/New_York")
        now = datetime(2026, 11, 25, 3, 0)  # UTC: still the 24th in New York
        days = completeness.window_days(now, zone, 3)
        self.assertEqual([d.isoformat() for d in days], ["2026-11-22", "2026-11-23", "2026-11-24"])
        start, end = completeness.day_bounds_utc(days[-1], zone)
        self.assertEqual((start, end), (datetime(2026, 11, 24, 5, 0), datetime(2026, 11, 25, 5, 0)))
        # The day summer time ends has 25 hours.
        start, end = completeness.day_bounds_utc(datetime(2026, 11, 1).date(), zone)
        self.assertEqual(end - start, timedelta(hours=25))
        self.assertEqual(completeness.shop_zone("Not/AZone").key, "UTC")
        self.assertEqual(completeness.search_query(start), "processed_at:>='2026-11-01T04:00:00Z'")

    def test_compare_day(self):
        result = completeness.compare_day(
            {"a": ("#1", "10.00"), "b": ("#2", "5.50"), "c": ("#3", "1.00")},
            {"a": ("#1", Decimal("10.00")), "b": ("#2", Decimal("5.40")), "z": ("#9", Decimal("2.00"))},
            held={"c": "held in Odoo: map the tax"},
        )
        self.assertFalse(result.green)
        self.assertEqual((result.shopify_count, result.odoo_count), (3, 3))
        self.assertEqual((result.shopify_total, result.odoo_total), (Decimal("16.50"), Decimal("17.40")))
        self.assertEqual([e["gid"] for e in result.missing], ["c"])
        self.assertEqual(result.missing[0]["reason"], "held in Odoo: map the tax")
        self.assertEqual([e["gid"] for e in result.differing], ["b"])
        self.assertEqual([e["gid"] for e in result.extra], ["z"])
        self.assertTrue(
            completeness.compare_day({"a": ("#1", "1.00")}, {"a": ("#1", Decimal("1.004"))}).green
        )
