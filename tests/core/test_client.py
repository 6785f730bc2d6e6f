"""The GraphQL client against the emulator: success, retries, final errors, tokens, Test connection."""

import uuid
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import _super_send

from ...models.core.api_budget import DatabaseBudget
from ...models.core.client_wiring import build_client
from ...models.engine import registry as work_registry
from ...services.errors import AuthError, CostExceededError, NetworkError, ServerError, UserErrorsError
from ..common import EmulatorCase


class ClientCase(EmulatorCase):
    """Emulator on a fake clock: the client's injected sleep moves it, so nothing really waits."""

    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.emu_shop.set_faults(reset=True)
        self.emu_shop.set_bucket(available=self.emu_shop.bucket.maximum)
        self.slept = []
        self.after_sleep = None  # called after each sleep, e.g. to lift a fault before the retry
        # A bucket row of its own per test (the budget commits on separate connections).
        self.budget_key = f"test-{uuid.uuid4().hex}"
        self.addCleanup(self._drop_bucket)

    def _drop_bucket(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM shopify_api_bucket WHERE shop_key = %s", [self.budget_key])

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.clock.advance(seconds)
        if self.after_sleep:
            self.after_sleep()

    def client(self, shop=None, **options):
        settings = {
            "sleep": self.sleep,
            "rng": lambda: 0.5,
            "budget": DatabaseBudget(self.registry, clock=self.clock.time),
            "wall_clock": self.clock.time,
            "shop_key": self.budget_key,
        }
        settings.update(options)
        return build_client(shop or self.shop, **settings)

    def calls(self, shop=None):
        return self.env["shopify.api.call"].search([("shop_id", "=", (shop or self.shop).id)], order="id")

    def lift_faults(self):
        self.emu_shop.set_faults(reset=True)

    def failing(self, error_type, call):
        """The error `call()` raises. Not assertRaises: Odoo's rolls back a savepoint, and the rows
        recorded for the failing call are what we want to inspect."""
        try:
            call()
        except error_type as error:
            return error
        self.fail(f"{error_type.__name__} not raised")


class TestClientSuccess(ClientCase):
    def test_execute_returns_data_and_records_the_call(self):
        data = self.client().execute("shop_info")
        self.assertEqual(data["shop"]["myshopifyDomain"], self.emulator_domain)
        self.assertEqual(data["shop"]["currencyCode"], "USD")
        self.assertIn("write_products", [s["handle"] for s in data["currentAppInstallation"]["accessScopes"]])
        call = self.calls()
        self.assertEqual(len(call), 1)
        self.assertEqual(
            (call.operation, call.outcome, call.attempt, call.http_status), ("shop_info", "ok", 1, 200)
        )
        self.assertGreater(call.requested_cost, 0)
        self.assertGreaterEqual(call.estimated_cost, call.requested_cost)
        self.assertEqual(call.maximum_available, 2000)
        self.assertEqual(call.restore_rate, 100)
        self.assertEqual(call.available_after, 2000 - call.actual_cost)
        self.assertEqual(self.shop.last_api_success_at, call.called_at)
        self.assertFalse(self.shop.last_api_error)

    def test_calls_are_attributed_to_the_sync_run_in_context(self):
        run = self.env["shopify.sync.log"]._open(self.shop, "products")
        client = self.client(self.shop.with_context(shopify_sync_log_id=run.id))
        client.execute("shop_info")
        client.execute("shop_info")
        self.assertEqual(self.calls().sync_log_id, run)
        run._close(ok=1)
        self.assertEqual(run.api_call_count, 2)
        self.assertEqual(run.cost_used, sum(self.calls().mapped("actual_cost")))
        # A stale run id in the context is ignored rather than breaking the call.
        self.client(self.shop.with_context(shopify_sync_log_id=run.id + 1000)).execute("shop_info")
        self.assertFalse(self.calls()[-1].sync_log_id)

    def test_paginate_walks_every_page(self):
        self.emu_shop.seed_products(7)
        client = self.client()
        nodes = list(client.paginate("product_ids_page", connection_path=("products",), page_size=3))
        self.assertEqual(len(nodes), 7)
        self.assertEqual(len({node["id"] for node in nodes}), 7)
        self.assertEqual(len(self.calls()), 3)

    def test_budget_learns_the_bucket_from_responses(self):
        self.client().execute("shop_info")
        state = DatabaseBudget(self.registry, clock=self.clock.time).state(self.budget_key)
        self.assertEqual((state.maximum_available, state.restore_rate, state.in_flight), (2000, 100, 0))
        self.assertAlmostEqual(state.currently_available, 2000 - self.calls().actual_cost)


class TestApiCallLog(ClientCase):
    def test_old_calls_are_purged_by_the_autovacuum(self):
        self.client().execute("shop_info")
        recent = self.calls()
        old = recent.copy({"called_at": fields.Datetime.now() - timedelta(days=40)})
        self.env["ir.config_parameter"].set_param("shopify_sync.api_call_retention_days", "30")
        self.env["shopify.api.call"]._gc_old_calls()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())

    def test_shopify_user_reads_calls_but_cannot_change_them(self):
        self.client().execute("shop_info")
        call = self.calls().with_user(self.shopify_user)
        self.assertEqual(call.operation, "shop_info")
        with self.assertRaises(AccessError):
            call.write({"outcome": "error"})
        with self.assertRaises(AccessError):
            self.calls().with_user(self.internal_user).read(["operation"])


class TestFailedJobKeepsItsCallLog(ClientCase):
    def test_calls_of_a_failed_queue_job_survive_its_rollback(self):
        client = self.client(max_attempts=2)
        self.emu_shop.set_faults(error_rate=1.0, error_status=503)

        def handler(job):
            client.execute("shop_info")

        Job = type(self.env["shopify.queue.job"])
        probe = work_registry.JobKind(
            work_registry.Handler(work_registry.QUEUE_JOB, "_test_job_client_probe"), 50
        )
        with (
            patch.object(Job, "_test_job_client_probe", handler, create=True),
            patch.dict(work_registry.JOB_KINDS, {"client_probe": probe}),
        ):
            job = self.env["shopify.queue.job"]._enqueue(self.shop, "client_probe")
            job._run()
        self.assertIn("503", job.last_error_message)
        calls = self.calls()
        self.assertEqual(calls.mapped("http_status"), [503, 503])
        self.assertIn("503", self.shop.last_api_error)


class TestClientRetries(ClientCase):
    def test_throttled_as_200_waits_for_the_bucket_then_succeeds(self):
        # A drained bucket, as after a burst from another worker that kept no shared budget.
        self.emu_shop.set_bucket(available=0)
        data = self.client().execute("shop_info")
        self.assertTrue(data["shop"]["name"])
        calls = self.calls()
        self.assertEqual(calls.mapped("outcome"), ["throttled", "ok"])
        self.assertEqual(calls[0].http_status, 200)
        self.assertEqual(calls[0].error_code, "THROTTLED")
        # The budget learnt the level from the THROTTLED answer and waited just enough.
        needed = calls[1].requested_cost / 100.0
        self.assertEqual(len(self.slept), 1)
        self.assertTrue(needed <= self.slept[0] < needed + 0.05, self.slept)
        self.assertAlmostEqual(calls[1].throttle_wait_ms, self.slept[0] * 1000.0, places=0)

    def test_throttled_as_429_honours_retry_after(self):
        self.emu_shop.set_faults(throttle_rate=1.0, throttle_status=429)
        self.after_sleep = self.lift_faults
        self.client().execute("shop_info")
        calls = self.calls()
        self.assertEqual(calls.mapped("outcome"), ["throttled", "ok"])
        self.assertEqual(calls[0].http_status, 429)
        self.assertEqual(self.slept[0], 1.0)  # the emulator's Retry-After

    def test_server_error_then_success(self):
        self.emu_shop.set_faults(error_rate=1.0, error_status=503)
        self.after_sleep = self.lift_faults
        self.client(backoff_base_s=0.5).execute("shop_info")
        calls = self.calls()
        self.assertEqual(calls.mapped("outcome"), ["error", "ok"])
        self.assertEqual((calls[0].http_status, calls[0].error_code), (503, "HTTP_503"))
        self.assertEqual(self.slept, [0.375])  # equal jitter: 0.25 + 0.5 × 0.25

    def test_idempotent_mutation_reuses_the_callers_key_on_retry(self):
        self.emu_shop.seed_products(1)
        item_gid, location_gid = self._first_item_and_location()
        self.emu_shop.set_faults(error_rate=1.0)
        self.after_sleep = self.lift_faults
        variables = {
            "input": {
                "name": "available",
                "reason": "correction",
                "quantities": [
                    {
                        "inventoryItemId": item_gid,
                        "locationId": location_gid,
                        "quantity": 7,
                        "changeFromQuantity": None,
                    }
                ],
            }
        }
        self.client().execute("inventory_set_quantities", variables, idempotency_key="push-42")
        self.assertEqual(self.calls().mapped("outcome"), ["error", "ok"])
        self.assertEqual(set(self.emu_shop.idempotency), {"push-42"})

    def _first_item_and_location(self):
        data = self.client().execute("product_variant_skus_page", {"first": 1, "variantsFirst": 1})
        item = data["products"]["nodes"][0]["variants"]["nodes"][0]["inventoryItem"]["id"]
        location = self.client().execute("locations_page", {"first": 1})["locations"]["nodes"][0]["id"]
        self.env["shopify.api.call"].search([]).unlink()
        return item, location

    def test_retries_exhausted_raise_the_last_error(self):
        self.emu_shop.set_faults(error_rate=1.0, error_status=502)
        client = self.client(max_attempts=3, backoff_base_s=1.0)
        error = self.failing(ServerError, lambda: client.execute("shop_info"))
        self.assertTrue(error.retryable)
        self.assertEqual(error.http_status, 502)
        self.assertEqual(self.calls().mapped("outcome"), ["error"] * 3)
        self.assertEqual([record.http_status for record in error.call_records], [502, 502, 502])
        self.assertEqual(self.slept, [0.75, 1.5])  # exponential, with jitter
        self.assertEqual(self.shop.last_api_error_at, self.calls()[-1].called_at)
        self.assertIn("502", self.shop.last_api_error)

    def test_total_time_cap_stops_retrying(self):
        self.emu_shop.set_faults(error_rate=1.0)
        client = self.client(max_attempts=10, backoff_base_s=4.0, max_total_s=5.0, clock=self.clock.time)
        self.failing(ServerError, lambda: client.execute("shop_info"))
        self.assertEqual(len(self.calls()), 2)  # 3 s, then 6 s would pass the 5 s cap

    def test_connection_refused_is_a_network_error(self):
        self.shop.api_base_url = "http://127.0.0.1:9"  # discard port: nothing listens
        error = self.failing(NetworkError, lambda: self.client(max_attempts=2).execute("shop_info"))
        self.assertEqual(error.code, "CONNECTION")
        self.assertEqual(len(self.slept), 1)


class TestClientTimeout(ClientCase):
    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        # Odoo raises timeouts under 10 s to 10 s in tests; this test needs the client's 0.2 s.
        if urlsplit(request.url).hostname == "127.0.0.1":
            return _super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)

    def test_timeout_then_success(self):
        # The emulator holds the request longer than the client waits (really: sockets time out).
        self.emu_shop.set_faults(timeout_rate=1.0, timeout_seconds=1.0)
        self.after_sleep = self.lift_faults
        self.client(timeout=0.2).execute("shop_info")
        calls = self.calls()
        self.assertEqual(calls.mapped("outcome"), ["error", "ok"])
        self.assertEqual(calls[0].error_code, "TIMEOUT")
        self.assertFalse(calls[0].http_status)


class TestClientFinalErrors(ClientCase):
    def test_user_errors_raise_a_typed_error_without_retry(self):
        variables = {"input": {"id": "gid://shopify/Product/999999"}}
        error = self.failing(UserErrorsError, lambda: self.client().execute("product_delete", variables))
        self.assertFalse(error.retryable)
        self.assertEqual(error.field, ["id"])
        self.assertIn("does not exist", error.message)
        self.assertEqual(self.calls().mapped("outcome"), ["error"])
        self.assertEqual(self.slept, [])

    def test_max_cost_exceeded_from_shopify_is_final(self):
        variables = {"first": 50, "variantsFirst": 10}
        client = self.client(max_query_cost=None)
        error = self.failing(
            CostExceededError, lambda: client.execute("product_variant_skus_page", variables)
        )
        self.assertEqual(error.code, "MAX_COST_EXCEEDED")
        self.assertIn("exceeds the single query max cost", error.message)
        self.assertEqual(len(self.calls()), 1)
        self.assertEqual(self.emu_shop.counters["max_cost_exceeded"], 1)

    def test_max_cost_is_checked_before_sending(self):
        variables = {"first": 50, "variantsFirst": 10}
        self.failing(CostExceededError, lambda: self.client().execute("product_variant_skus_page", variables))
        self.assertEqual(self.emu_shop.counters["max_cost_exceeded"], 0)
        self.assertEqual(self.calls().error_code, "MAX_COST_EXCEEDED")

    def test_wrong_static_token_is_final(self):
        self.shop.access_token = "shpat_wrong"
        error = self.failing(AuthError, lambda: self.client().execute("shop_info"))
        self.assertEqual(error.http_status, 401)
        self.assertIn("Invalid API key", error.message)
        self.assertEqual(len(self.calls()), 1)

    def test_mutations_pass_the_outbound_guard(self):
        client = self.client()
        self.shop.state = "disconnected"
        client.execute("shop_info")  # reading stays allowed
        with self.assertRaisesRegex(UserError, "disconnected"):
            client.execute("product_delete", {"input": {"id": "gid://shopify/Product/1"}})
        self.assertEqual(self.emu_shop.operations["ProductDelete"], 0)

    def test_idempotency_key_only_for_idempotent_documents(self):
        with self.assertRaises(ValueError):
            self.client().execute("shop_info", idempotency_key="abc")


class TestClientCredentials(ClientCase):
    def setUp(self):
        super().setUp()
        self.shop.write({"auth_mode": "client_credentials", "access_token": False})

    def token_state(self):
        return self.env["shopify.sync.state"]._find(self.shop, "oauth_token")

    def test_token_is_obtained_once_and_cached_in_the_shop_token_row(self):
        self.client().execute("shop_info")
        self.client().execute("shop_info")
        self.assertEqual(self.emu_shop.counters["tokens_issued"], 1)
        self.assertTrue(self.token_state().secret.startswith("shpca_"))
        self.assertTrue(self.token_state().secret_expires_at)

    def test_cached_token_is_readable_by_managers_only(self):
        self.client().execute("shop_info")
        state = self.token_state()
        self.assertTrue(state.with_user(self.manager).secret)
        as_user = state.with_user(self.shopify_user)
        self.assertEqual(as_user.kind, "oauth_token", "Shopify users see that the row exists")
        with self.assertRaises(AccessError):
            as_user.secret  # noqa: B018
        with self.assertRaises(AccessError):
            as_user.secret_expires_at  # noqa: B018

    def test_token_is_renewed_before_it_expires(self):
        self.client().execute("shop_info")
        first = self.token_state().secret
        # Four minutes left: inside the five-minute renewal margin.
        self.token_state().secret_expires_at = fields.Datetime.now() + timedelta(minutes=4)
        self.client().execute("shop_info")
        self.assertEqual(self.emu_shop.counters["tokens_issued"], 2)
        self.assertNotEqual(self.token_state().secret, first)
        self.assertEqual(self.calls().mapped("outcome"), ["ok", "ok"])

    def test_token_is_renewed_once_on_401(self):
        self.client().execute("shop_info")
        self.emulator.expire_tokens(self.emulator_domain)  # revoked or expired early on Shopify's side
        self.client().execute("shop_info")
        self.assertEqual(self.emu_shop.counters["tokens_issued"], 2)
        self.assertEqual(self.calls().mapped("http_status"), [200, 401, 200])

    def test_wrong_secret_is_a_final_auth_error(self):
        self.shop.client_secret = "wrong"
        error = self.failing(AuthError, lambda: self.client().execute("shop_info"))
        self.assertEqual(error.code, "INVALID_CLIENT")
        self.assertNotIn("wrong", str(error))


class TestTestConnectionButton(ClientCase):
    def test_button_shows_shop_plan_currency_timezone_and_scopes(self):
        action = self.shop.with_user(self.manager).action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.shop.state, "connected")
        self.assertEqual(self.shop.shop_name_remote, self.emu_shop.name)
        self.assertEqual(self.shop.plan_name_remote, "Basic")
        self.assertEqual(self.shop.currency_code_remote, "USD")
        self.assertEqual(self.shop.timezone_remote, "America/New_York")
        self.assertIn("write_inventory", self.shop.access_scopes_remote)
        self.assertFalse(self.shop.missing_scopes)
        for text in (self.emu_shop.name, "Basic", "USD", "America/New_York", "read_locations"):
            self.assertIn(text, action["params"]["message"])

    def test_missing_scope_is_recorded_and_shown(self):
        self.emu_shop.scopes = ("read_products", "write_products", "read_locations", "read_inventory",
                                "write_customers", "read_customer_merge")  # fmt: skip
        action = self.shop.with_user(self.manager).action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(self.shop.missing_scopes, "write_inventory")
        self.assertIn("write_inventory", action["params"]["message"])
        self.assertTrue(any("write_inventory" in message.body for message in self.shop.message_ids))

    def test_failure_sets_error_state(self):
        self.shop.access_token = "shpat_wrong"
        action = self.shop.with_user(self.manager).action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.shop.state, "error")
        self.assertIn("Invalid API key", self.shop.last_connection_error)
