"""Guided setup states, the background setup task and the dashboard's numbers and drill-downs."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError

from ...models.monitoring.shop import format_age
from ..common import EmulatorCase, ShopifyCase


class TestSetupSteps(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop("setup-store.myshopify.com")

    def set_base_url(self, url):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", url)
        self.shop.invalidate_recordset(["setup_webhook_url", "setup_webhook_url_warning"])

    def test_new_shop_has_everything_to_do(self):
        self.assertEqual(self.shop.setup_connection_state, "todo")
        self.assertEqual(self.shop.setup_locations_state, "todo")
        self.assertEqual(self.shop.setup_products_state in ("todo", "unavailable"), True)
        self.assertFalse(self.shop.setup_complete)

    def test_connection_state_follows_the_shop_state(self):
        self.shop.sudo().write({"state": "connected"})
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_connection_state, "done")
        self.shop.sudo().write({"state": "error"})
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_connection_state, "warning")

    def test_locations_need_a_mapping(self):
        Location = self.env["shopify.location"]
        location = Location.create(
            {"shop_id": self.shop.id, "shopify_gid": "gid://shopify/Location/1", "name": "Main warehouse"}
        )
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_locations_state, "warning")
        self.assertIn("1 of 1", self.shop.setup_locations_info)
        location.warehouse_id = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_locations_state, "done")

    def test_webhook_url_warns_about_local_and_plain_http(self):
        self.set_base_url("http://localhost:8069")
        self.assertEqual(self.shop.setup_webhook_url, "http://localhost:8069/shopify/webhook")
        self.assertIn("local address", self.shop.setup_webhook_url_warning)
        self.set_base_url("http://odoo.example.com")
        self.assertIn("not HTTPS", self.shop.setup_webhook_url_warning)
        self.set_base_url("https://odoo.example.com/")
        self.assertEqual(self.shop.setup_webhook_url, "https://odoo.example.com/shopify/webhook")
        self.assertFalse(self.shop.setup_webhook_url_warning)

    def test_activate_crons(self):
        crons = self.shop._setup_crons()
        self.assertTrue(crons, "the engine's sync crons exist")
        crons.write({"active": False})
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_crons_state, "todo")
        self.shop.action_setup_activate_crons()
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_crons_state, "done")
        self.assertTrue(all(crons.mapped("active")))

    def test_unknown_task_step_is_refused(self):
        with self.assertRaises(UserError):
            self.shop._setup_start_task("no_such_step")


class TestSetupTask(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop("task-store.myshopify.com")

    def run_queue(self):
        return self.env["shopify.queue.job"]._cron_process_queue()

    def test_task_runs_through_the_queue_with_progress(self):
        def operation(shop, task):
            task._progress(0, 3)
            for done in range(1, 4):
                task._progress(done)
            return "3 things done"

        with (
            patch.object(type(self.shop), "_setup_task_products_import", operation),
        ):
            task = self.shop._setup_start_task("products_import")
            self.assertEqual(task.state, "queued")
            self.assertEqual(self.shop.setup_products_state, "running")
            with self.assertRaises(UserError):
                self.shop._setup_start_task("products_import")
            jobs = self.run_queue()
        self.assertEqual(jobs.mapped("state"), ["done"])
        self.assertEqual((task.state, task.done, task.total, task.progress), ("done", 3, 3, 100.0))
        self.assertEqual(task.message, "3 things done")
        self.assertEqual(self.shop.setup_last_task_id, task)

    def test_failed_task_says_what_to_do_and_rolls_back_its_work(self):
        def operation(shop, task):
            shop.write({"name": "half-done"})
            raise ValueError("Shopify refused the token")

        with (
            patch.object(type(self.shop), "_setup_task_orders_import", operation),
        ):
            task = self.shop._setup_start_task("orders_import")
            self.run_queue()
        self.assertEqual(task.state, "failed")
        self.assertIn("Shopify refused the token", task.message)
        self.assertIn("run the step again", task.message)
        self.assertNotEqual(self.shop.name, "half-done")


class TestDashboard(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop("dash-store.myshopify.com")
        cls.other = cls.create_shop("other-store.myshopify.com")

    def fail_job(self, shop, kind, error_type, message):
        job = self.env["shopify.queue.job"]._enqueue(shop, kind)
        job.write({"state": "failed", "last_error_type": error_type, "last_error_message": message})
        return job

    def test_failure_reasons_are_grouped_with_a_hint_and_a_link(self):
        tax = "Map the tax 'MwSt 19 %' in Shopify › Configuration › Taxes, then Retry\nsecond line"
        jobs = self.fail_job(self.shop, "order_fetch", "UserError", tax)
        jobs |= self.fail_job(self.shop, "order_fetch", "UserError", tax)
        self.fail_job(self.shop, "product_export", "AuthError", "[API] Invalid API key or access token")
        self.fail_job(self.other, "order_fetch", "UserError", tax)
        self.env["shopify.queue.job"]._enqueue(self.shop, "product_export")  # pending: not a failure
        self.env.flush_all()

        self.shop.invalidate_recordset()
        top = self.shop.dash_failure_ids
        self.assertEqual(top.mapped("job_count"), [2, 1])
        self.assertEqual(top[0].reason, tax.split("\n")[0])
        self.assertIn("fix it, then Retry", top[0].hint)
        self.assertIn("Test connection", top[1].hint)
        self.assertIn("2 × order_fetch: Map the tax", self.shop.dash_failure_summary)

        action = top[0].action_open_jobs()
        self.assertEqual(self.env["shopify.queue.job"].search(action["domain"]), jobs)

    def test_queue_numbers_and_oldest_pending_age(self):
        Job = self.env["shopify.queue.job"]
        old = Job._enqueue(self.shop, "product_export")
        Job._enqueue(self.shop, "inventory_sync")
        self.fail_job(self.shop, "product_export", "ServerError", "502")
        self.env.cr.execute(
            "UPDATE shopify_queue_job SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(hours=3, minutes=5), old.id],
        )
        self.env.invalidate_all()
        self.assertEqual((self.shop.dash_jobs_pending, self.shop.dash_jobs_failed), (2, 1))
        self.assertEqual(self.shop.dash_oldest_pending_age, "3 h 05 min")
        self.assertEqual(self.other.dash_jobs_pending, 0)
        self.assertFalse(self.other.dash_oldest_pending_age)
        action = self.shop.action_dash_queue()
        self.assertEqual(action["views"][0][1], "pivot")
        self.assertEqual(self.env["shopify.queue.job"].search_count(action["domain"]), 3)

    def test_last_sync_per_kind_and_last_webhook_per_topic(self):
        Log = self.env["shopify.sync.log"]
        Log._open(self.shop, "products")._close(ok=3)
        Log._open(self.shop, "products")._close(
            error_summary="Shopify was down\n\nTraceback (most recent call last):"
        )
        Log._open(self.shop, "orders")._close(ok=1)
        self.env.flush_all()
        self.env.invalidate_all()  # the views are read from the database, not from the ORM cache
        rows = {row.kind: row for row in self.shop.dash_sync_kind_ids}
        self.assertEqual(set(rows), {"products", "orders"})
        self.assertEqual(rows["products"].last_state, "failed")
        self.assertIn("Traceback", rows["products"].last_error)
        # The lists show the error's first line and what to do; the traceback stays on the run.
        self.assertEqual(rows["products"].last_error_line, "Shopify was down")
        self.assertIn("Setup tab", rows["products"].hint)
        self.assertFalse(rows["orders"].hint)
        self.assertTrue(rows["products"].last_success_at)
        self.assertEqual(rows["products"].run_count_24h, 2)

        Event = self.env["shopify.webhook.event"].sudo()
        now = fields.Datetime.now()
        for topic, received in (("orders/create", now), ("orders/create", now - timedelta(days=2))):
            Event.create(
                {
                    "shop_id": self.shop.id,
                    "topic": topic,
                    "received_at": received,
                    "webhook_id": f"w-{received}",
                }
            )
        self.env.flush_all()
        self.env.invalidate_all()
        topic = self.shop.dash_webhook_topic_ids
        self.assertEqual(topic.topic, "orders/create")
        self.assertEqual((topic.count_24h, topic.last_received_at), (1, now))
        self.assertEqual(len(Event.search(topic.action_open_events()["domain"])), 2)

    def test_dashboard_action_opens_the_dashboard_form(self):
        action = self.shop.action_open_dashboard()
        self.assertEqual(action["res_id"], self.shop.id)
        self.assertEqual(
            action["views"][0][0], self.env.ref("shopify_sync.shopify_shop_view_form_dashboard").id
        )

    def test_format_age(self):
        self.assertEqual(format_age(timedelta(seconds=42)), "42 s")
        self.assertEqual(format_age(timedelta(minutes=12)), "12 min")
        self.assertEqual(format_age(timedelta(days=2, hours=4, minutes=1)), "2 d 4 h")


class TestSetupAgainstEmulator(EmulatorCase):
    def run_queue(self):
        return self.env["shopify.queue.job"]._cron_process_queue()

    def test_connection_locations_and_background_import(self):
        self.emu_shop.seed_products(3, max_options=1, max_values=2)
        self.shop.action_test_connection()
        self.assertEqual(self.shop.setup_connection_state, "done")

        self.shop.action_setup_fetch_locations()
        self.shop.invalidate_recordset()  # computed without dependencies: fresh on every request in the UI
        self.assertEqual(self.shop.setup_locations_state, "warning", "fetched but not mapped yet")
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.shop.shopify_location_ids[:1].warehouse_id = warehouse
        self.shop.invalidate_recordset()
        self.assertEqual(self.shop.setup_locations_state, "done")

        preview = self.shop.action_setup_preview_import()
        wizard = self.env[preview["res_model"]].browse(preview["res_id"])
        self.assertEqual(wizard.line_ids.mapped("action"), ["create"] * 3)
        self.assertFalse(self.env["shopify.product.binding"].search([("shop_id", "=", self.shop.id)]))

        self.shop.with_context(setup_step="products_import").action_setup_run_task()
        task = self.shop.setup_last_task_id
        self.assertEqual((task.state, self.shop.setup_products_state), ("queued", "running"))
        self.run_queue()
        self.shop.invalidate_recordset()
        self.assertEqual((task.state, task.done, task.total), ("done", 3, 3), task.message)
        self.assertEqual(task.message, "create: 3")
        self.assertEqual(self.shop.setup_products_state, "done")
        self.assertEqual(self.shop.dash_product_count, 3)
        # Every call above went through the client and its call log: the dashboard's API budget.
        calls = self.env["shopify.api.call"].search([("shop_id", "=", self.shop.id)])
        self.assertGreaterEqual(self.shop.dash_api_calls_24h, 3)
        self.assertEqual(self.shop.dash_api_calls_24h, len(calls))
        self.assertEqual(self.shop.dash_api_cost_24h, sum(calls.mapped("actual_cost")))
        self.assertEqual(self.shop.dash_api_bucket_min_24h, min(calls.mapped("available_after")))
        action = self.shop.action_dash_api()
        self.assertEqual(self.env["shopify.api.call"].search(action["domain"]), calls)

    def test_missing_scopes_need_attention(self):
        self.emu_shop.scopes = ("read_products",)
        self.shop.action_test_connection()
        self.assertEqual(self.shop.state, "connected")
        self.assertIn("write_inventory", self.shop.missing_scopes)
        self.assertEqual(self.shop.setup_connection_state, "warning")

    def test_bad_token_shows_the_error(self):
        self.shop.sudo().access_token = "wrong-token"
        self.shop.action_test_connection()
        self.assertEqual(self.shop.setup_connection_state, "warning")
        self.assertTrue(self.shop.last_connection_error)

    def test_background_export_and_reconciliation(self):
        self.shop.action_test_connection()
        self.shop.action_setup_fetch_locations()
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.shop.shopify_location_ids[:1].warehouse_id = warehouse
        self.env["product.template"].search([("sale_ok", "=", True)]).write({"sale_ok": False})
        self.env["product.template"].create({"name": "Setup export mug", "sale_ok": True, "list_price": 12})

        preview = self.shop.action_setup_preview_export()
        wizard = self.env[preview["res_model"]].browse(preview["res_id"])
        self.assertEqual(wizard.line_ids.mapped("action"), ["create"])
        self.assertFalse(self.emu_shop.products, "a preview sends nothing")

        export = self.shop._setup_start_task("products_export")
        self.run_queue()
        self.assertEqual((export.state, export.done, export.total), ("done", 1, 1), export.message)
        self.assertEqual([product.title for product in self.emu_shop.products.values()], ["Setup export mug"])

        reconcile = self.shop._setup_start_task("inventory_reconcile")
        self.run_queue()
        self.assertEqual(reconcile.state, "done", reconcile.message)
        self.assertEqual((reconcile.done, reconcile.total), (1, 1), "one variant at one mapped location")
        self.assertIn("1 stock levels checked", reconcile.message)
