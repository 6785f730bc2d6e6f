import threading
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger

from ...models.engine import registry as work_registry
from ...models.engine.queue_job import ShopifyQueueJob
from ...services import backoff, queue_policy
from ...services.errors import ServerError, ThrottledError, UserErrorsError
from ..common import ShopifyCase

# Kinds of these tests only, registered (as `_test_job_<kind>`) for the tests of this file.
TEST_KINDS = (
    "probe",
    "demo_export",
    "noop",
    "rec",
    "work",
    "flaky",
    "bad_data",
    "rejected",
    "crash",
    "write_then_fail",
    "write",
    "conflict",
    "down",
    "sometimes",
    "late",
    "crashes_worker",
    "apply",
    "count_me",
)


def register_test_kinds(case):
    """Register TEST_KINDS in the work registry for the test class `case`."""
    test_kinds = {
        kind: work_registry.JobKind(
            work_registry.Handler(work_registry.QUEUE_JOB, f"_test_job_{kind}"), queue_policy.PRIORITY_OTHER
        )
        for kind in TEST_KINDS
    }
    case.startClassPatcher(patch.dict(work_registry.JOB_KINDS, test_kinds))


@contextmanager
def job_handler(kind, handler):
    """Install the handler of test kind `kind` on the queue model for the duration of a test."""
    with patch.object(ShopifyQueueJob, f"_test_job_{kind}", handler, create=True):
        yield


class QueueCase(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_test_kinds(cls)
        cls.shop = cls.create_shop()
        cls.Job = cls.env["shopify.queue.job"]

    def stray_job(self, **values):
        """A job of a kind the registry does not know (queued by another version of the addon)."""
        return self.Job.sudo().create({"shop_id": self.shop.id, "kind": "nobody_handles_this", **values})

    def make_ready(self, jobs):
        """What waiting does: the backoff delay has passed."""
        jobs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})

    def process(self, batch_size=50):
        with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
            return self.Job._cron_process_queue(batch_size=batch_size)


class TestEnqueue(QueueCase):
    def test_priority_from_the_registry(self):
        self.assertEqual(self.Job._enqueue(self.shop, "order_fetch").priority, 10)
        self.assertEqual(self.Job._enqueue(self.shop, "order_fulfillment").priority, 10)
        self.assertEqual(self.Job._enqueue(self.shop, "inventory_push").priority, 20)
        self.assertEqual(self.Job._enqueue(self.shop, "product_export").priority, 30)
        self.assertEqual(self.Job._enqueue(self.shop, "setup_task").priority, 50)
        self.assertEqual(self.Job._enqueue(self.shop, "order_fetch", priority=3).priority, 3)
        self.assertEqual(work_registry.webhook_priority("orders/create"), 10)
        self.assertEqual(work_registry.webhook_priority("inventory_levels/update"), 20)
        self.assertEqual(work_registry.webhook_priority("products/update"), 30)
        self.assertEqual(work_registry.webhook_priority("app/uninstalled"), 50)

    def test_a_kind_the_registry_does_not_know_is_refused(self):
        with self.assertRaisesRegex(ValueError, "not in the work registry"):
            self.Job._enqueue(self.shop, "nobody_handles_this")
        self.assertFalse(self.Job.search([("kind", "=", "nobody_handles_this")]))

    def test_pending_job_with_same_dedupe_key_is_reused(self):
        # A kind no feature handles: the product feature has its own `product_export` handler.
        first = self.Job._enqueue(self.shop, "demo_export", payload={"id": 1}, dedupe_key="demo:1")
        again = self.Job._enqueue(self.shop, "demo_export", payload={"id": 1}, dedupe_key="demo:1")
        self.assertEqual(first, again)
        other = self.Job._enqueue(self.shop, "demo_export", dedupe_key="demo:2")
        self.assertNotEqual(first, other)
        # Once the first one ran, the same key queues new work.
        with job_handler("demo_export", lambda job: None):
            self.process()
        self.assertEqual(first.state, "done")
        self.assertNotEqual(self.Job._enqueue(self.shop, "demo_export", dedupe_key="demo:1"), first)

    def test_record_reference(self):
        job = self.Job._enqueue(self.shop, "noop", record=self.shop)
        self.assertEqual((job.res_model, job.res_id), ("shopify.shop", self.shop.id))


class TestProcessing(QueueCase):
    def test_jobs_run_in_priority_then_age_order(self):
        ran = []
        products = self.Job._enqueue(self.shop, "rec", priority=30, payload={"n": "products"})
        orders_old = self.Job._enqueue(self.shop, "rec", priority=10, payload={"n": "orders-old"})
        orders_new = self.Job._enqueue(self.shop, "rec", priority=10, payload={"n": "orders-new"})
        with job_handler("rec", lambda job: ran.append(job.payload["n"])):
            self.process()
        self.assertEqual(ran, ["orders-old", "orders-new", "products"])
        self.assertEqual(set((products | orders_old | orders_new).mapped("state")), {"done"})

    def test_each_batch_is_a_sync_run_per_shop_with_api_calls_attributed(self):
        other_shop = self.create_shop(domain="other-store.myshopify.com")
        seen_runs = []

        def work(job):
            seen_runs.append(job.shop_id._current_sync_log())
            if job.payload["fail"]:
                raise UserError(job.env._("Bad data"))

        self.Job._enqueue(self.shop, "work", payload={"fail": False})
        self.Job._enqueue(self.shop, "work", payload={"fail": True})
        self.Job._enqueue(other_shop, "work", payload={"fail": False})
        with job_handler("work", work):
            self.process()
        runs = self.env["shopify.sync.log"].search([("kind", "=", "queue")])
        self.assertEqual(set(seen_runs), set(runs))
        by_shop = {run.shop_id: run for run in runs}
        self.assertEqual((by_shop[self.shop].ok_count, by_shop[self.shop].failed_count), (1, 1))
        self.assertEqual((by_shop[other_shop].ok_count, by_shop[other_shop].failed_count), (1, 0))
        self.assertEqual(set(runs.mapped("state")), {"done"})

    def test_retryable_error_backs_off_then_succeeds(self):
        calls = []

        def flaky(job):
            calls.append(job.attempts)
            if len(calls) < 3:
                raise ThrottledError("Throttled")

        job = self.Job._enqueue(self.shop, "flaky")
        with job_handler("flaky", flaky), patch.object(backoff.random, "random", return_value=1.0):
            before = fields.Datetime.now()
            self.process()
            self.assertEqual((job.state, job.attempts), ("pending", 1))
            self.assertEqual(job.last_error_type, "ThrottledError")
            # First retry after base delay (30 s, full jitter factor with random()=1.0).
            self.assertAlmostEqual((job.next_attempt_at - before).total_seconds(), 30, delta=2)
            self.process()  # not due yet: nothing runs
            self.assertEqual(len(calls), 1)
            self.make_ready(job)
            self.process()
            self.assertEqual((job.state, job.attempts), ("pending", 2))
            self.assertAlmostEqual((job.next_attempt_at - fields.Datetime.now()).total_seconds(), 60, delta=2)
            self.make_ready(job)
            self.process()
        self.assertEqual(calls, [1, 2, 3])
        self.assertEqual(job.state, "done")
        self.assertFalse(job.last_error_message)

    def test_final_error_fails_at_once_with_reason(self):
        def bad_data(job):
            raise UserError(job.env._("SKU ABC is missing in Odoo: create the product or map it."))

        job = self.Job._enqueue(self.shop, "bad_data")
        with job_handler("bad_data", bad_data):
            self.process()
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertEqual(job.last_error_message, "SKU ABC is missing in Odoo: create the product or map it.")
        self.assertEqual(job.last_error_type, "UserError")

    def test_shopify_user_errors_are_final(self):
        def rejected(job):
            raise UserErrorsError([{"field": ["input", "price"], "message": "Price must be positive"}])

        job = self.Job._enqueue(self.shop, "rejected")
        with job_handler("rejected", rejected):
            self.process()
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertEqual(job.last_error_type, "UserErrorsError")
        self.assertIn("Price must be positive", job.last_error_message)

    def test_unexpected_error_fails_with_traceback_for_managers(self):
        job = self.Job._enqueue(self.shop, "crash", payload={"x": 1})
        with job_handler("crash", lambda job: job.payload["missing"]):
            self.process()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.last_error_type, "KeyError")
        self.assertIn("Traceback", job.with_user(self.manager).last_error_traceback)
        with self.assertRaises(AccessError):
            job.with_user(self.shopify_user).read(["last_error_traceback"])

    def test_failure_rolls_back_only_its_own_job(self):
        def write_then_fail(job):
            job.shop_id.name = "renamed by a failing job"
            raise UserError(job.env._("nope"))

        def write(job):
            job.shop_id.sequence = 42

        failing = self.Job._enqueue(self.shop, "write_then_fail", priority=1)
        working = self.Job._enqueue(self.shop, "write", priority=2)
        with job_handler("write_then_fail", write_then_fail), job_handler("write", write):
            self.process()
        self.assertEqual((failing.state, working.state), ("failed", "done"))
        self.assertNotEqual(self.shop.name, "renamed by a failing job")
        self.assertEqual(self.shop.sequence, 42)

    def test_unknown_kind_fails_with_a_hint(self):
        job = self.stray_job()
        self.process()
        self.assertEqual(job.state, "failed")
        self.assertIn("No handler", job.last_error_message)

    def test_database_conflict_is_retried(self):
        import psycopg2.errors

        def conflict(job):
            raise psycopg2.errors.SerializationFailure("could not serialize access")

        job = self.Job._enqueue(self.shop, "conflict")
        with job_handler("conflict", conflict):
            self.process()
        self.assertEqual(job.state, "pending")

    def test_exhausted_retries_go_dead_with_one_notification_per_batch(self):
        self.shop.queue_max_attempts = 2
        jobs = self.Job.browse([self.Job._enqueue(self.shop, "down").id for _ in range(3)])
        messages_before = self.shop.message_ids

        def down(job):
            raise ServerError("Service unavailable")

        with job_handler("down", down):
            self.process()
            self.assertEqual(set(jobs.mapped("state")), {"pending"})
            self.assertFalse(self.shop.message_ids - messages_before)
            self.make_ready(jobs)
            self.process()
        self.assertEqual(set(jobs.mapped("state")), {"dead"})
        self.assertEqual(jobs.mapped("attempts"), [2, 2, 2])
        new_messages = self.shop.message_ids - messages_before
        self.assertEqual(len(new_messages), 1)
        self.assertIn("3 job(s) gave up after retries", new_messages.body)
        self.assertIn(self.manager.partner_id, new_messages.partner_ids)

    def test_retry_from_the_ui_reruns(self):
        attempts = []

        def sometimes(job):
            attempts.append(1)
            if len(attempts) == 1:
                raise UserError(job.env._("Map the location first."))

        job = self.Job._enqueue(self.shop, "sometimes")
        with job_handler("sometimes", sometimes):
            self.process()
            self.assertEqual(job.state, "failed")
            job.with_user(self.manager).action_retry()
            self.assertEqual((job.state, job.attempts), ("pending", 0))
            self.process()
        self.assertEqual(job.state, "done")
        self.assertEqual(len(attempts), 2)

    def test_bulk_server_actions_retry_and_ignore(self):
        jobs = self.stray_job() | self.stray_job()
        self.process()
        action = self.env.ref("shopify_sync.action_shopify_queue_job_ignore").with_user(self.manager)
        action.with_context(active_model="shopify.queue.job", active_ids=jobs.ids).run()
        self.assertEqual(set(jobs.mapped("state")), {"ignored"})
        action = self.env.ref("shopify_sync.action_shopify_queue_job_retry").with_user(self.manager)
        action.with_context(active_model="shopify.queue.job", active_ids=jobs.ids).run()
        self.assertEqual(set(jobs.mapped("state")), {"pending"})

    def test_shopify_user_cannot_retry(self):
        job = self.stray_job()
        self.process()
        with self.assertRaises(AccessError):
            job.with_user(self.shopify_user).action_retry()

    def test_job_is_taken_again_once_its_worker_is_gone_however_long_it_ran(self):
        job = self.Job._enqueue(self.shop, "late")
        with self.Job._claim_lock() as claim_number:
            self.assertEqual(self.Job._claim(10, claim_number), job)
            self.assertEqual((job.state, job.claim_number), ("running", claim_number))
            job.write({"started_at": fields.Datetime.now() - timedelta(hours=6)})
            self.assertFalse(self.Job._recover_orphaned_jobs())
            self.assertEqual(job.state, "running", "its worker holds the claim: left alone")
        # The run ended without an outcome for the job (its lock is gone, as with a killed worker's).
        with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
            self.assertEqual(self.Job._recover_orphaned_jobs(), job)
        self.assertEqual((job.state, job.claim_number), ("pending", 0))
        with job_handler("late", lambda job: None):
            self.process()
        self.assertEqual((job.state, job.attempts), ("done", 2))

    def test_job_that_keeps_killing_its_worker_goes_dead(self):
        self.shop.queue_max_attempts = 2
        job = self.Job._enqueue(self.shop, "crashes_worker")
        messages_before = self.shop.message_ids
        for _attempt in range(2):
            with self.Job._claim_lock() as claim_number:
                self.Job._claim(10, claim_number)  # the worker dies: nothing records an outcome
            with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
                self.Job._recover_orphaned_jobs()
        self.assertEqual((job.state, job.attempts, job.last_error_type), ("dead", 2, "WorkerLost"))
        self.assertEqual(len(self.shop.message_ids - messages_before), 1)

    def test_job_claimed_without_claim_number_falls_back_to_the_timeout(self):
        # Rows claimed by a version without claim locks: nothing tells whether their worker lives.
        job = self.Job._enqueue(self.shop, "late")
        job.write({"state": "running", "attempts": 1, "started_at": fields.Datetime.now()})
        self.assertFalse(self.Job._recover_orphaned_jobs())
        job.write({"started_at": fields.Datetime.now() - timedelta(minutes=31)})
        with mute_logger("odoo.addons.shopify_sync.models.engine.queue_job"):
            self.assertEqual(self.Job._recover_orphaned_jobs(), job)
        self.assertEqual(job.state, "pending")

    def test_jobs_of_archived_shops_wait(self):
        job = self.Job._enqueue(self.shop, "noop")
        self.shop.active = False
        with job_handler("noop", lambda job: None):
            self.process()
            self.assertEqual(job.state, "pending")
            self.shop.active = True
            self.process()
        self.assertEqual(job.state, "done")

    def test_autovacuum_deletes_old_finished_jobs_only(self):
        old_done = self.Job._enqueue(self.shop, "noop")
        recent_done = self.Job._enqueue(self.shop, "noop")
        old_failed = self.stray_job()
        with job_handler("noop", lambda job: None):
            self.process()
        long_ago = fields.Datetime.now() - timedelta(days=15)
        (old_done | old_failed).write({"finished_at": long_ago})
        self.Job._gc_finished_jobs()
        self.assertFalse(old_done.exists())
        self.assertTrue(recent_done.exists())
        self.assertTrue(old_failed.exists())


class TestOutOfOrder(QueueCase):
    def test_older_version_of_a_resource_is_skipped(self):
        applied = []
        gid = "gid://shopify/Product/1"
        newer = self.Job._enqueue(
            self.shop,
            "apply",
            payload={"v": 2},
            resource_gid=gid,
            resource_updated_at=datetime(2026, 11, 25, 10, 5),
        )
        older = self.Job._enqueue(
            self.shop,
            "apply",
            payload={"v": 1},
            resource_gid=gid,
            resource_updated_at=datetime(2026, 11, 25, 10, 0),
        )
        other = self.Job._enqueue(
            self.shop,
            "apply",
            payload={"v": 0},
            resource_gid="gid://shopify/Product/2",
            resource_updated_at=datetime(2026, 11, 25, 9, 0),
        )
        with job_handler("apply", lambda job: applied.append(job.payload["v"])):
            self.process()
        self.assertEqual(applied, [2, 0])
        self.assertEqual((newer.state, older.state, other.state), ("done", "skipped", "done"))
        self.assertIn("newer version", older.last_error_message)
        mark = self.env["shopify.resource.mark"].search([("resource_gid", "=", gid)])
        self.assertEqual(mark.updated_at, datetime(2026, 11, 25, 10, 5))

    def test_failed_job_does_not_advance_the_mark(self):
        gid = "gid://shopify/Order/7"
        failing = self.stray_job(resource_gid=gid, resource_updated_at=datetime(2026, 1, 2))
        self.process()
        self.assertEqual(failing.state, "failed")
        self.assertFalse(self.env["shopify.resource.mark"].search([("resource_gid", "=", gid)]))


class TestConcurrentWorkers(ShopifyCase):
    """Two workers with their own database connections share one queue.

    TransactionCase's registry.cursor() opens real connections that cannot see this test's
    uncommitted data, so the queue is set up in its own committed transaction and removed after.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_test_kinds(cls)

    def test_two_workers_never_claim_the_same_job(self):
        registry = self.registry
        with registry.cursor() as setup_cr:
            env = api.Environment(setup_cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {"name": "concurrency", "shop_domain": "concurrency-test.myshopify.com", "client_secret": "s"}
            )
            shop_id = shop.id
            job_ids = [env["shopify.queue.job"]._enqueue(shop, "noop").id for _ in range(20)]
        self.addCleanup(self._drop_shop, shop_id)

        with ExitStack() as stack:
            cr_a = stack.enter_context(registry.cursor())
            cr_b = stack.enter_context(registry.cursor())
            worker_a = api.Environment(cr_a, SUPERUSER_ID, {})["shopify.queue.job"]
            worker_b = api.Environment(cr_b, SUPERUSER_ID, {})["shopify.queue.job"]
            claim_a = stack.enter_context(worker_a._claim_lock())
            claim_b = stack.enter_context(worker_b._claim_lock())
            # A holds its claim (row locks, transaction open) while B claims: B skips A's rows.
            claimed_a = worker_a._claim(8, claim_a).filtered(lambda job: job.shop_id.id == shop_id)
            claimed_b = worker_b._claim(8, claim_b).filtered(lambda job: job.shop_id.id == shop_id)
            self.assertEqual(len(claimed_a), 8)
            self.assertEqual(len(claimed_b), 8)
            self.assertFalse(set(claimed_a.ids) & set(claimed_b.ids))
            # Asking for more gives B only what nobody holds.
            more_b = worker_b._claim(20, claim_b).filtered(lambda job: job.shop_id.id == shop_id)
            self.assertEqual(len(more_b), 4)
            self.assertFalse(set(more_b.ids) & set(claimed_a.ids))
            self.assertEqual(set(claimed_a.ids) | set(claimed_b.ids) | set(more_b.ids), set(job_ids))
            # A worker that dies before committing its claim loses nothing: the rows are pending again.
            cr_a.rollback()
            cr_b.rollback()
            retaken = worker_a._claim(20, claim_a).filtered(lambda job: job.shop_id.id == shop_id)
            self.assertEqual(set(retaken.ids), set(job_ids))
            cr_a.rollback()

    def test_two_workers_processing_in_parallel_run_each_job_once(self):
        registry = self.registry
        with registry.cursor() as setup_cr:
            env = api.Environment(setup_cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {"name": "parallel", "shop_domain": "parallel-test.myshopify.com", "client_secret": "s"}
            )
            shop_id = shop.id
            job_ids = [env["shopify.queue.job"]._enqueue(shop, "count_me").id for _ in range(20)]
        self.addCleanup(self._drop_shop, shop_id)
        processed = []
        both_claimed = threading.Barrier(2, timeout=30)

        def count_me(job):
            processed.append((threading.current_thread().name, job.id))

        def worker():
            # Each worker is a cron run on its own connection; in tests it never commits, so its
            # claim stays locked until the rollback below, as a slow real worker would hold it.
            with registry.cursor() as cr:
                jobs = api.Environment(cr, SUPERUSER_ID, {})["shopify.queue.job"]
                with jobs._claim_lock() as claim_number:
                    claimed = jobs._claim(10, claim_number)
                    both_claimed.wait()
                    for job in claimed:
                        job._run()
                    cr.rollback()

        with job_handler("count_me", count_me):
            threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        ours = [job_id for _name, job_id in processed if job_id in job_ids]
        self.assertEqual(sorted(ours), sorted(job_ids), "every job ran exactly once")
        self.assertEqual({name for name, _id in processed}, {"worker-0", "worker-1"})

    def _drop_shop(self, shop_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["shopify.shop"].browse(shop_id).unlink()
