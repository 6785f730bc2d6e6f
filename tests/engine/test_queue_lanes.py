"""Parallel queue lanes: the workers setting, one trigger per burst, and several lanes on one queue.

The concurrent tests use real connections (as tests/engine/test_queue_recovery.py does): each lane is an Odoo
cursor of its own running what a lane's cron runs, so SKIP LOCKED, row and advisory locks act as they do
between servers. The shop and its jobs are committed for them, and removed after each test.
"""

import threading
import time
from contextlib import ExitStack

from odoo import SUPERUSER_ID, api
from odoo.tools import mute_logger

from ...models.engine.queue_job import TRIGGER_DEBOUNCE_SECONDS
from ..common import ShopifyCase
from .test_queue import job_handler, register_test_kinds

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"


class TestLaneSetting(ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_test_kinds(cls)
        cls.shop = cls.create_shop()
        cls.Job = cls.env["shopify.queue.job"]

    def set_workers(self, workers):
        self.env["res.config.settings"].create({"shopify_queue_workers": workers}).execute()

    def active_lanes(self):
        return self.Job._queue_lanes().filtered("active")

    def test_workers_setting_makes_and_pauses_lanes(self):
        self.assertTrue(self.Job._queue_cron().active, "an active shop runs the queue")
        self.set_workers(3)
        lanes = self.active_lanes()
        self.assertEqual(len(lanes), 3)
        self.assertEqual(set(lanes.mapped("code")), {"model._cron_process_queue()"})
        self.assertEqual(self.env["res.config.settings"].create({}).shopify_queue_workers, 3)
        self.set_workers(1)
        self.assertEqual(self.active_lanes(), self.Job._queue_cron())
        self.assertEqual(len(self.Job._queue_lanes()), 3, "paused lanes are kept for later")
        self.set_workers(2)
        self.assertEqual(len(self.active_lanes()), 2)
        self.assertEqual(len(self.Job._queue_lanes()), 3, "and reused")

    def test_lanes_stop_with_the_last_active_shop(self):
        self.set_workers(2)
        self.shop.active = False
        self.assertFalse(self.active_lanes())
        self.shop.active = True
        self.assertEqual(len(self.active_lanes()), 2)

    def test_a_burst_triggers_each_lane_once(self):
        self.set_workers(2)
        lanes = self.active_lanes()
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "in", lanes.ids)]).unlink()
        for number in range(5):
            self.Job._enqueue(self.shop, "probe", payload={"n": number})
        self.env.cr.flush()  # what the commit runs: the precommit hook
        self.assertEqual(
            sorted(Trigger.search([("cron_id", "in", lanes.ids)]).cron_id.ids), sorted(lanes.ids)
        )
        # The next deliveries of the burst (other transactions, moments later): lanes already woken.
        for number in range(5):
            self.Job._enqueue(self.shop, "probe", payload={"n": number})
            self.env.cr.flush()
        self.assertEqual(len(Trigger.search([("cron_id", "in", lanes.ids)])), 2)
        self.assertGreater(TRIGGER_DEBOUNCE_SECONDS, 0)

    def test_serial_keys(self):
        push = self.Job._enqueue(self.shop, "inventory_push", payload={"push_id": 0})
        self.assertEqual(push.serial_key, "kind:inventory", "one shop's stock pushes never interleave")
        order = self.Job._enqueue(self.shop, "order_fetch", resource_gid="gid://shopify/Order/7")
        self.assertEqual(order.serial_key, "gid://shopify/Order/7")
        self.assertFalse(self.Job._enqueue(self.shop, "probe").serial_key)


class LaneWorkers(ShopifyCase):
    """Committed shop and jobs, and lanes on connections of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        register_test_kinds(cls)

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            shop = self.env_of(cr)["shopify.shop"].create(
                {"name": "lanes", "shop_domain": "lanes-test.myshopify.com", "client_secret": "s"}
            )
            self.shop_id = shop.id
        self.addCleanup(self._drop_shop)

    def _drop_shop(self):
        with self.registry.cursor() as cr:
            self.env_of(cr)["shopify.shop"].browse(self.shop_id).unlink()

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def enqueue(self, count, **values):
        with self.registry.cursor() as cr:
            env = self.env_of(cr)
            shop = env["shopify.shop"].browse(self.shop_id)
            return [
                env["shopify.queue.job"]._enqueue(shop, "probe", payload={"n": n}, **values).id
                for n in range(count)
            ]

    def someone_waits_for_an_advisory_lock(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            return cr.fetchone()[0] > 0

    def pending_count(self):
        with self.registry.cursor() as cr:
            return self.env_of(cr)["shopify.queue.job"].search_count(
                [("shop_id", "=", self.shop_id), ("state", "=", "pending")]
            )

    def ours(self, jobs):
        return jobs.filtered(lambda job: job.shop_id.id == self.shop_id)

    def job_rows(self, ids):
        with self.registry.cursor() as cr:
            return {
                job.id: job.read(["state", "attempts", "wait_s", "run_s"])[0]
                for job in self.env_of(cr)["shopify.queue.job"].browse(ids)
            }


class TestParallelLanes(LaneWorkers):
    def test_two_lanes_process_one_queue_at_once_without_duplicates(self):
        job_ids = self.enqueue(24)
        ran, running, peak = [], set(), [0]
        guard = threading.Lock()

        def probe(job):
            with guard:
                running.add(threading.current_thread().name)
                peak[0] = max(peak[0], len(running))
            time.sleep(0.05)  # long enough for the other lane to be running too
            with guard:
                ran.append((job.id, threading.current_thread().name))
                running.discard(threading.current_thread().name)

        def lane():
            # Like ir.cron re-running a lane while work remains.
            while self.pending_count():
                with self.registry.cursor() as cr, mute_logger(QUEUE_LOGGER):
                    self.env_of(cr)["shopify.queue.job"]._cron_process_queue(batch_size=4)

        with job_handler("probe", probe):
            lanes = [threading.Thread(target=lane, name=f"lane-{n}") for n in (1, 2)]
            for thread in lanes:
                thread.start()
            for thread in lanes:
                thread.join(60)
        self.assertEqual(
            sorted(job_id for job_id, _lane in ran), sorted(job_ids), "each job ran exactly once"
        )
        self.assertEqual({lane_name for _job_id, lane_name in ran}, {"lane-1", "lane-2"})
        self.assertEqual(peak[0], 2, "both lanes ran jobs at the same time")
        self.assertEqual({row["state"] for row in self.job_rows(job_ids).values()}, {"done"})
        self.assertEqual({row["attempts"] for row in self.job_rows(job_ids).values()}, {1})

    def test_one_resources_jobs_never_run_in_two_lanes_and_keep_their_order(self):
        first, second = self.enqueue(2, resource_gid="gid://shopify/Order/1")
        other = self.enqueue(1, resource_gid="gid://shopify/Order/2")[0]
        with ExitStack() as stack:
            lane_a = self.registry.cursor()
            stack.callback(lane_a.close)
            Job_a = self.env_of(lane_a)["shopify.queue.job"]
            claim_a = stack.enter_context(Job_a._claim_lock())
            self.assertEqual(self.ours(Job_a._claim(1, claim_a)).ids, [first])
            lane_a.commit()

            with self.registry.cursor() as lane_b:
                Job_b = self.env_of(lane_b)["shopify.queue.job"]
                with Job_b._claim_lock() as claim_b:
                    claimed_b = self.ours(Job_b._claim(10, claim_b))
                self.assertEqual(claimed_b.ids, [other], "the order's next event waits while its first runs")
                lane_b.rollback()

            with mute_logger(QUEUE_LOGGER), job_handler("probe", lambda job: None):
                Job_a.browse(first)._run()
            lane_a.commit()

        with self.registry.cursor() as lane_b:
            Job_b = self.env_of(lane_b)["shopify.queue.job"]
            with Job_b._claim_lock() as claim_b:
                self.assertIn(second, self.ours(Job_b._claim(10, claim_b)).ids)
            lane_b.rollback()

    def test_a_claim_in_progress_holds_back_the_newer_jobs_of_its_resources(self):
        first, second = self.enqueue(2, resource_gid="gid://shopify/Order/3")
        with self.registry.cursor() as lane_a, self.registry.cursor() as lane_b:
            # Lane A has locked the first job (its claim not yet committed) when lane B claims.
            lane_a.execute("SELECT id FROM shopify_queue_job WHERE id = %s FOR UPDATE", [first])
            Job_b = self.env_of(lane_b)["shopify.queue.job"]
            with Job_b._claim_lock() as claim_b:
                self.assertFalse(
                    self.ours(Job_b._claim(10, claim_b)), "B takes neither the first nor the second"
                )
            lane_b.rollback()
            lane_a.rollback()
        self.assertEqual(second, first + 1)

    def test_lock_waits_are_measured(self):
        (job_id,) = self.enqueue(
            1, resource_gid="gid://shopify/Order/9", resource_updated_at="2026-11-01 10:00:00"
        )
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        env = self.env_of(holder)
        env["shopify.resource.mark"]._lock(env["shopify.shop"].browse(self.shop_id), "gid://shopify/Order/9")
        results = []

        def lane():
            with (
                self.registry.cursor() as cr,
                mute_logger(QUEUE_LOGGER),
                job_handler("probe", lambda job: None),
            ):
                jobs = self.ours(self.env_of(cr)["shopify.queue.job"]._cron_process_queue())
                results.append(jobs.ids)

        worker = threading.Thread(target=lane)
        worker.start()
        deadline = time.monotonic() + 30
        while not self.someone_waits_for_an_advisory_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)
        holder.rollback()  # the other transaction ends: the lane's job gets the resource
        worker.join(30)
        self.assertEqual(results, [[job_id]])
        row = self.job_rows([job_id])[job_id]
        self.assertEqual(row["state"], "done")
        self.assertGreaterEqual(row["wait_s"], 0.3)
        self.assertGreaterEqual(row["run_s"], row["wait_s"])
        with self.registry.cursor() as cr:
            run = self.env_of(cr)["shopify.sync.log"].search(
                [("shop_id", "=", self.shop_id), ("kind", "=", "queue")], limit=1
            )
            self.assertGreaterEqual(run.wait_s, row["wait_s"])
            self.assertGreaterEqual(run.busy_s, run.wait_s)
