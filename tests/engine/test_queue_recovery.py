"""A worker killed after claiming, and a worker running a very long job, on real database connections.

A worker here is an Odoo cursor of its own (its own PostgreSQL backend) doing what a queue cron run does:
lock a claim number, claim, commit. Killing it is terminating its backend, which is what PostgreSQL sees
of a kill -9, an out-of-memory kill or a restarted container: the connection ends, and no `finally` of
the worker runs. The next worker is another connection. The test transaction is invisible to other
connections, so the shop and its jobs are committed, and removed after each test.
"""

import time
from contextlib import ExitStack, suppress
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.tools import mute_logger

from ...models.engine.queue_job import CLAIM_LOCK_SPACE
from ..common import ShopifyCase
from .test_queue import job_handler, register_test_kinds

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"


def close_quietly(cr):
    with suppress(psycopg2.Error):  # its connection was killed: Odoo's pool drops closed connections
        cr.close()


class TestWorkerLoss(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_test_kinds(cls)

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            shop = env["shopify.shop"].create(
                {"name": "worker loss", "shop_domain": "worker-loss-test.myshopify.com", "client_secret": "s"}
            )
            self.shop_id = shop.id
            self.job_ids = [
                env["shopify.queue.job"]._enqueue(shop, "probe", payload={"n": n}).id for n in range(5)
            ]
        self.addCleanup(self._drop_shop)
        self.ran = []  # (job id, attempt) per handler call, whichever connection ran it

    def _drop_shop(self):
        with self.registry.cursor() as cr:
            self.env_of(cr)["shopify.shop"].browse(self.shop_id).unlink()

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def probe(self):
        return job_handler("probe", lambda job: self.ran.append((job.id, job.attempts)))

    def start_worker(self, stack, started_at=None):
        """A cron run's claim on a connection of its own, committed; returns its cursor and jobs."""
        cr = self.registry.cursor()
        self.addCleanup(close_quietly, cr)
        jobs = self.env_of(cr)["shopify.queue.job"]
        claim_number = stack.enter_context(jobs._claim_lock())
        claimed = jobs._claim(10, claim_number).filtered(lambda job: job.shop_id.id == self.shop_id)
        self.assertEqual(sorted(claimed.ids), sorted(self.job_ids))
        if started_at:
            claimed.write({"started_at": started_at})
        # A worker of its own: its claim must be seen by the others, as a cron run's is.
        cr.commit()  # pylint: disable=invalid-commit
        return cr, claimed

    def run_queue(self):
        """Another worker's cron run (its own connection, committed); returns what it claimed of ours."""
        with self.registry.cursor() as cr, mute_logger(QUEUE_LOGGER), self.probe():
            jobs = self.env_of(cr)["shopify.queue.job"]._cron_process_queue()
            return jobs.filtered(lambda job: job.shop_id.id == self.shop_id).ids

    def job_rows(self):
        with self.registry.cursor() as cr:
            jobs = self.env_of(cr)["shopify.queue.job"].browse(self.job_ids)
            return {job.id: (job.state, job.attempts) for job in jobs}

    def held_claim_locks(self, pid):
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT count(*) FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND pid = %s AND classid = CAST(%s AS oid)""",
                [pid, CLAIM_LOCK_SPACE],
            )
            return cr.fetchone()[0]

    def backend_pid(self, cr):
        cr.execute("SELECT pg_backend_pid()")
        return cr.fetchone()[0]

    # ------------------------------------------------------------------------------------------------
    def test_killed_workers_jobs_run_at_the_next_queue_run_without_a_timeout(self):
        with ExitStack() as worker_stack:  # never unwound before the kill: a killed worker runs no finally
            worker_cr, _claimed = self.start_worker(worker_stack)
            pid = self.backend_pid(worker_cr)
            self.assertEqual(self.run_queue(), [], "while the worker lives, nobody else takes its jobs")
            self.assertEqual(set(self.job_rows().values()), {("running", 1)})

            with self.registry.cursor() as cr:
                cr.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])  # waits for it to exit
                self.assertTrue(cr.fetchone()[0])
            killed_at = time.monotonic()
            worker_stack.pop_all()
            close_quietly(worker_cr)

        # The restarted server's first queue run: no time passes, no timeout is waited for.
        self.assertEqual(sorted(self.run_queue()), sorted(self.job_ids))
        self.assertLess(time.monotonic() - killed_at, 60)
        self.assertEqual(set(self.job_rows().values()), {("done", 2)}, "the dead attempt counts")
        self.assertEqual(sorted(self.ran), sorted((job_id, 2) for job_id in self.job_ids))

    def test_long_job_is_never_taken_twice(self):
        six_hours_ago = fields.Datetime.now() - timedelta(hours=6)  # far beyond the old 30-minute timeout
        with ExitStack() as worker_stack:
            worker_cr, claimed = self.start_worker(worker_stack, started_at=six_hours_ago)
            with self.registry.cursor() as cr, mute_logger(QUEUE_LOGGER):
                Job = self.env_of(cr)["shopify.queue.job"]
                self.assertFalse(Job._recover_orphaned_jobs().filtered(lambda job: job.id in self.job_ids))
                with Job._claim_lock() as claim_number:
                    second = Job._claim(50, claim_number)
                self.assertFalse(second.filtered(lambda job: job.id in self.job_ids), "nor does a claim")
                cr.rollback()
            self.assertEqual(self.run_queue(), [])
            self.assertEqual(self.ran, [])
            self.assertEqual(set(self.job_rows().values()), {("running", 1)})
            # The worker finishes its jobs, commits, and its run ends.
            with self.probe():
                for job in claimed:
                    job._run()
            worker_cr.commit()
        self.assertEqual(set(self.job_rows().values()), {("done", 1)})
        self.assertEqual(sorted(self.ran), sorted((job_id, 1) for job_id in self.job_ids))
        self.assertEqual(self.run_queue(), [])

    def test_a_run_that_failed_mid_transaction_releases_its_claim_on_the_pooled_connection(self):
        # Odoo gives the connection back to its pool: a claim lock left on it would keep jobs claimed.
        with self.registry.cursor() as worker_cr:
            pid = self.backend_pid(worker_cr)
            jobs = self.env_of(worker_cr)["shopify.queue.job"]
            with (
                self.assertRaises(psycopg2.errors.DivisionByZero),
                mute_logger("odoo.sql_db"),
                jobs._claim_lock() as claim_number,
            ):
                jobs._claim(10, claim_number)
                worker_cr.commit()
                self.assertEqual(self.held_claim_locks(pid), 1)
                worker_cr.execute("SELECT 1 / 0")  # the transaction is aborted
            self.assertEqual(self.held_claim_locks(pid), 0, "the connection lives on, its claim does not")
            worker_cr.rollback()
        self.assertEqual(sorted(self.run_queue()), sorted(self.job_ids))
        self.assertEqual(set(self.job_rows().values()), {("done", 2)})
