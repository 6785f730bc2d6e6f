"""The durable work queue: one row per unit of work (a webhook delivery, a push, a poll page).

Rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED` so several cron workers (threads, processes
or servers) share one queue without taking the same row. Each job runs in its own savepoint: a
failing job never rolls back, blocks or delays the others.

A claim lives exactly as long as the run that made it. Each run of the queue cron draws a claim number
(a sequence), takes a session-level advisory lock on it, writes it on the rows it claims and unlocks it
when it ends (`finally`, after its last commit). PostgreSQL drops a session's locks with its connection,
so a worker that dies (kill -9, out of memory, container restart, time limit) loses its lock at once.
Every run starts by sending back to pending the running jobs whose claim lock nobody holds: after a
crash they run again at the next queue cron run (each minute, or on trigger), and a job that runs for
hours is never taken twice, however long it takes, because its worker still holds the lock.

Why a lock and not the claiming backend's pid (+ backend_start): Odoo pools connections, so the backend
that claimed outlives its cron run and serves other cursors afterwards (idle or busy with other work);
"alive" would not mean "still running our jobs". The lock is released when the run ends, and only then.
It is safe to read: a running row this transaction sees was committed after its lock was taken, so a
missing lock means the run has ended; if it ended by finishing the job after our snapshot, locking the
stale row fails with a serialization error (REPEATABLE READ) and the row is left to the next run.
Rows without a claim number (claimed by a version without claim locks) fall back to the old timeout,
`shopify_sync.queue_stuck_minutes`.

Parallelism: Odoo runs one ir.cron in one thread at a time across the cluster, so the queue has N cron
records, its "lanes" (`shopify_sync.queue_workers`, Settings › Shopify), all running the same
`_cron_process_queue`: N cron threads of any servers on the database claim batches at once. Claims run
in their own READ COMMITTED transaction (a row another lane claimed and committed meanwhile is re-checked
and passed over instead of failing the REPEATABLE READ snapshot). Order that matters survives
parallelism through `serial_key`: a job is not claimed while an older job with the same key (one
Shopify resource; or one shop's stock pushes, the registry's `serial`) is running or ready.
"""

import json
import logging
import threading
import time
import traceback
from contextlib import contextmanager
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models, modules, sql_db, tools
from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ...services import cron_wakeup, lock_wait, queue_policy
from ...services.errors import PayloadError, ShopifyError
from ..core.access import MANAGER, MANAGER_GROUP, check_shopify_access
from . import registry as work_registry

_logger = logging.getLogger(__name__)


# PostgreSQL conflicts that succeed when simply tried again later.
RETRYABLE_DB_ERRORS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)


JOB_STATES = [
    ("pending", "Pending"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("dead", "Dead"),
    ("skipped", "Skipped"),
    ("ignored", "Ignored"),
]


FINISHED_STATES = ("done", "skipped", "ignored")
PROBLEM_STATES = ("failed", "dead")
DEFAULT_BATCH_SIZE = 50

# Only for running rows without a claim number (claimed before claim locks existed).
DEFAULT_STUCK_MINUTES = 30

# Key space of the claim locks: pg_advisory_lock(CLAIM_LOCK_SPACE, claim number). Negative, so it never
# meets the (shop id, hash) locks of shopify.resource.mark.
CLAIM_LOCK_SPACE = -1_530_201_400
DEFAULT_RETENTION_DAYS = 14


# Queue lanes (see the module docstring): lane 1 is the data file's cron, the others are made on demand.
FIRST_LANE_XMLID = "shopify_sync.ir_cron_shopify_queue"
LANE_NAME_PREFIX = "ir_cron_shopify_queue_lane_"
MAX_WORKERS = 32


# Configuration a batch of jobs reads again and again (an order import reads the company, currency,
# country, taxes, pricelist, sales team, warehouse and locations; we read the shop and its mappings).
# Their stored column values stay cached across the queue's commit after each job, for the rest of the
# batch only: each batch (each cron callback) starts from an empty cache, so a change made meanwhile by
# another transaction is seen from the next batch on, as a job sees the database as of its snapshot.
REFERENCE_MODELS = frozenset(
    {
        "res.company",
        "res.currency",
        "res.country",
        "res.country.state",
        "res.users",
        "ir.model",
        "account.tax",
        "account.tax.group",
        "account.tax.repartition.line",
        "account.fiscal.position",
        "product.pricelist",
        "crm.team",
        "stock.warehouse",
        "stock.location",
        "stock.picking.type",
        "stock.route",
        "stock.rule",
        "uom.uom",
        "shopify.shop",
        "shopify.tax.mapping",
        "shopify.location",
    }
)


# A due, unconsumed trigger younger than this already woke the lanes: a burst of deliveries adds none.
TRIGGER_DEBOUNCE_SECONDS = 2


def auto_commit_enabled():
    """Commit progress in real cron runs, never inside tests (they run in one rolled-back transaction)."""
    testing = getattr(threading.current_thread(), "testing", False)
    return not (testing or tools.config["test_enable"] or modules.module.current_test)


def notify_cron_threads(dbname):
    """Wake the cron threads now, as `ir.cron._notifydb` does (on a connection of its own)."""
    with sql_db.db_connect("postgres").cursor() as cr:
        cr.execute(SQL("SELECT %s('cron_trigger', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), dbname))


def _payload_field(error):
    """` (orders/create body: line_items[2].quantity)` for a PayloadError: where it is, never the value."""
    if not isinstance(error, PayloadError):
        return ""
    where = ": ".join(part for part in (error.operation, error.path) if part)
    return f" ({where})" if where else ""


def serial_key(entry, resource_gid):
    """The key that orders a job among its shop's jobs: its kind's serial group, else its resource."""
    if entry.serial:
        return f"kind:{entry.serial}"
    return resource_gid or None


def is_retryable(error):
    """Our one retry taxonomy: Shopify errors say so themselves, database conflicts are transient."""
    if isinstance(error, RETRYABLE_DB_ERRORS):
        return True
    # Network, THROTTLED and 5xx say retryable=True; validation, userErrors and auth do not.
    return isinstance(error, ShopifyError) and error.retryable


class ShopifyQueueJob(models.Model):
    _name = "shopify.queue.job"
    _description = "Shopify Queue Job"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, index=True, ondelete="cascade", string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    kind = fields.Char(
        required=True,
        index=True,
        help="Which handler runs (JOB_KINDS of the work registry).",
        string="Job Kind",
    )
    state = fields.Selection(
        JOB_STATES, default="pending", required=True, index=True, readonly=True, string="Status"
    )
    priority = fields.Integer(
        default=queue_policy.PRIORITY_OTHER, help="Lower runs first.", string="Priority"
    )
    attempts = fields.Integer(
        default=0, readonly=True, help="How many times a worker started this job.", string="Attempts"
    )
    next_attempt_at = fields.Datetime(
        default=fields.Datetime.now,
        index=True,
        readonly=True,
        help="Not run before this time.",
        string="Next Attempt At",
    )
    started_at = fields.Datetime(readonly=True, string="Started At")
    claim_number = fields.Integer(
        readonly=True, help="The run that claimed this job: it holds an advisory lock on it while alive."
    )
    finished_at = fields.Datetime(readonly=True, string="Finished At")
    payload = fields.Json(readonly=True)
    payload_text = fields.Text(string="Payload (JSON)", compute="_compute_payload_text")
    res_model = fields.Char(string="Related Model", readonly=True)
    res_id = fields.Many2oneReference(string="Related Record", model_field="res_model", readonly=True)
    resource_gid = fields.Char(
        string="Shopify Resource", index=True, readonly=True, help="GID of the Shopify resource touched."
    )
    resource_updated_at = fields.Datetime(
        readonly=True,
        help="Shopify's updated_at of the resource in this job: older ones are skipped.",
        string="Resource Updated At (Shopify)",
    )
    dedupe_key = fields.Char(
        readonly=True,
        help="At most one pending job per shop carries a given key.",
        string="Deduplication Key",
    )
    webhook_event_id = fields.Many2one(
        "shopify.webhook.event", index="btree_not_null", readonly=True, string="Webhook Event"
    )
    serial_key = fields.Char(
        string="Serial Key",
        index="btree_not_null",
        readonly=True,
        help="Jobs of a shop sharing this key run one at a time, oldest first (see the queue's lanes).",
    )
    origin_ts = fields.Float(
        string="Change Time (Unix)",
        readonly=True,
        help="When the change this job carries happened: Shopify's event time for work from Shopify, "
        "the time the work was queued for work sent to Shopify.",
    )
    latency_s = fields.Float(
        string="Sync Latency (s)",
        readonly=True,
        aggregator="avg",
        help="From the change to applied / acknowledged.",
    )
    run_s = fields.Float(string="Run Time (s)", readonly=True, aggregator="sum")
    wait_s = fields.Float(
        string="Lock Wait (s)", readonly=True, aggregator="sum", help="Time this job's run waited for locks."
    )
    last_error_type = fields.Char(readonly=True, string="Last Error Type")
    last_error_message = fields.Text(readonly=True, string="Last Error")
    # Tracebacks can carry payload fragments (customer data): managers only.
    last_error_traceback = fields.Text(readonly=True, groups=MANAGER_GROUP, string="Last Error Details")

    def init(self):
        # The claim query walks this index in the exact order the queue runs in.
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS shopify_queue_job_claim_idx
                ON shopify_queue_job (priority, id) WHERE state = 'pending'
            """
        )
        # Enqueuing twice the same pending work returns the existing job (see _enqueue).
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS shopify_queue_job_pending_dedupe_uniq
                ON shopify_queue_job (shop_id, dedupe_key)
                WHERE state = 'pending' AND dedupe_key IS NOT NULL
            """
        )
        # Claim numbers (see the module docstring); cycling is harmless, a run is over long before.
        self.env.cr.execute("CREATE SEQUENCE IF NOT EXISTS shopify_queue_job_claim_seq AS integer CYCLE")

    @api.depends("kind", "resource_gid")
    def _compute_display_name(self):
        for job in self:
            job.display_name = f"{job.kind} #{job.id}" if job.id else job.kind

    @api.depends("payload")
    def _compute_payload_text(self):
        for job in self:
            job.payload_text = json.dumps(job.payload, indent=2, sort_keys=True) if job.payload else False

    # ------------------------------------------------------------------------------------------------
    # Enqueue
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _enqueue(
        self,
        shop,
        kind,
        payload=None,
        priority=None,
        dedupe_key=None,
        record=None,
        resource_gid=None,
        resource_updated_at=None,
        next_attempt_at=None,
        origin_ts=None,
    ):
        """Queue work for `shop`; its handler and default priority are the kind's in the work registry
        (a kind missing there is a programming error: refused, nothing queued).

        An existing *pending* job with the same (shop, dedupe_key) is returned instead of a new one; asked
        for earlier than it is due (`next_attempt_at`, default now), a job not yet tried moves up to then
        (a retry keeps its backoff). The queue cron is triggered for when the job is due.
        `origin_ts` (Unix time) is when the change happened, for the sync latency (default: now).
        """
        shop.ensure_one()
        entry = work_registry.job_kind(kind)
        if entry is None:
            raise ValueError(f"Job kind {kind!r} is not in the work registry (JOB_KINDS)")
        if priority is None:
            priority = queue_policy.PRIORITY_OTHER if entry.priority is None else entry.priority
        values = {
            "shop_id": shop.id,
            "kind": kind,
            "payload": payload,
            "priority": priority,
            "dedupe_key": dedupe_key or False,
            "resource_gid": resource_gid or False,
            "resource_updated_at": resource_updated_at or False,
            "next_attempt_at": next_attempt_at or fields.Datetime.now(),
            "serial_key": serial_key(entry, resource_gid) or False,
            "origin_ts": origin_ts or time.time(),
        }
        if record:
            record.ensure_one()
            values.update(res_model=record._name, res_id=record.id)
        jobs = self.sudo()
        if not dedupe_key:
            job = jobs.create(values)
        else:
            job = jobs._find_pending(shop, dedupe_key)
            if not job:
                try:
                    with self.env.cr.savepoint():
                        job = jobs.create(values)
                except psycopg2.errors.UniqueViolation:
                    # Another transaction queued the same work between our search and insert.
                    job = jobs._find_pending(shop, dedupe_key)
            if job and not job.attempts and job.next_attempt_at > values["next_attempt_at"]:
                job.next_attempt_at = values["next_attempt_at"]
        due = job.next_attempt_at if job else None
        self._trigger_processing(at=due if due and due > fields.Datetime.now() else None)
        return job.with_env(self.env)

    def _find_pending(self, shop, dedupe_key):
        return self.search(
            [("shop_id", "=", shop.id), ("dedupe_key", "=", dedupe_key), ("state", "=", "pending")], limit=1
        )

    @api.model
    def _queue_cron(self):
        """Lane 1, the queue cron of the data file."""
        cron = self.env.ref(FIRST_LANE_XMLID, raise_if_not_found=False)
        return cron.sudo() if cron else self.env["ir.cron"]

    @api.model
    def _trigger_processing(self, at=None):
        """Ask the queue lanes to run soon, or lane 1 at `at` (a retry); inactive lanes are left alone.

        "Soon" is registered once per transaction and done at commit by one statement that skips the
        lanes a recent trigger already woke (see `_trigger_lanes`): a burst costs one trigger per lane.
        """
        if at is not None:
            cron = self._queue_cron()
            if cron.active:
                cron._trigger(at)
                # Odoo's cron threads only wake on a notification or once a minute: a trigger due within
                # the minute also gets a wake-up call at its time (`cron_wakeup`) once this commits.
                if at > fields.Datetime.now() and auto_commit_enabled():
                    dbname = self.env.cr.dbname
                    self.env.cr.postcommit.add(lambda: cron_wakeup.wake_at(dbname, at, notify_cron_threads))
            return
        data = self.env.cr.precommit.data
        if not data.get("shopify_queue_trigger"):
            data["shopify_queue_trigger"] = True
            self.env.cr.precommit.add(self._trigger_lanes)

    @api.model
    def _trigger_lanes(self):
        """Wake the active lanes that no due trigger younger than the debounce window wakes already."""
        self.env.cr.precommit.data.pop("shopify_queue_trigger", None)
        self.env.cr.execute(
            """
            INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, create_date, write_uid, write_date)
            SELECT cron.id, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC', %(uid)s,
                   now() at time zone 'UTC'
              FROM ir_cron cron
              JOIN ir_model_data lane ON lane.model = 'ir.cron' AND lane.res_id = cron.id
                                     AND lane.module = 'shopify_sync'
                                     AND (lane.name = %(first)s OR lane.name LIKE %(others)s)
             WHERE cron.active
               AND NOT EXISTS (
                    SELECT 1 FROM ir_cron_trigger recent
                     WHERE recent.cron_id = cron.id
                       AND recent.call_at <= now() at time zone 'UTC'
                       AND recent.call_at > now() at time zone 'UTC' - make_interval(secs => %(window)s))
            RETURNING cron_id
            """,
            {
                "uid": self.env.uid,
                "first": FIRST_LANE_XMLID.split(".", 1)[1],
                "others": LANE_NAME_PREFIX + "%",
                "window": TRIGGER_DEBOUNCE_SECONDS,
            },
        )
        if self.env.cr.fetchall():
            # What ir.cron._trigger does for a due trigger: wake the cron threads after the commit.
            self.env.cr.postcommit.add(self.env["ir.cron"].sudo()._notifydb)

    # ------------------------------------------------------------------------------------------------
    # Lanes: how many cron records process the queue
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _queue_lanes(self):
        """Every lane's cron (active or not), lane 1 first."""
        lanes = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", "shopify_sync"),
                    ("model", "=", "ir.cron"),
                    ("name", "=like", LANE_NAME_PREFIX + "%"),
                ]
            )
        )
        numbered = sorted(lanes, key=lambda data: int(data.name.removeprefix(LANE_NAME_PREFIX) or 0))
        crons = self.env["ir.cron"].sudo().with_context(active_test=False)
        return self._queue_cron() | crons.browse([data.res_id for data in numbered]).exists()

    @api.model
    def _queue_workers(self):
        """The degree of parallelism asked for: `shopify_sync.queue_workers`, 1 to MAX_WORKERS."""
        return min(max(self._param_int("shopify_sync.queue_workers", 1), 1), MAX_WORKERS)

    @api.model
    def _sync_queue_lanes(self):
        """Make as many lanes as workers asked for, active while lane 1 is (an active shop exists)."""
        first = self._queue_cron().with_context(active_test=False)
        if not first:
            return self.env["ir.cron"]
        workers = self._queue_workers()
        lanes = self._queue_lanes()
        for number in range(len(lanes) + 1, workers + 1):
            lanes |= self._create_lane(first, number)
        for number, lane in enumerate(lanes, start=1):
            wanted = first.active and number <= workers
            if number > 1 and lane.active != wanted:
                lane.active = wanted
        return lanes

    @api.model
    def _create_lane(self, first, number):
        lane = first.copy(
            {
                "name": f"{first.name} (lane {number})",
                "active": False,
                "nextcall": first.nextcall,
            }
        )
        # Module data (noupdate): kept by module updates, removed with the module.
        self.env["ir.model.data"].sudo().create(
            {
                "module": "shopify_sync",
                "name": f"{LANE_NAME_PREFIX}{number}",
                "model": "ir.cron",
                "res_id": lane.id,
                "noupdate": True,
            }
        )
        return lane

    # ------------------------------------------------------------------------------------------------
    # Processing (cron)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_process_queue(self, batch_size=None):
        """Process one batch; report progress so that ir.cron re-runs us while work remains.

        Every lane's cron runs this same method (see the module docstring)."""
        started = time.perf_counter()
        self._recover_orphaned_jobs()
        if batch_size is None:
            batch_size = self._param_int("shopify_sync.queue_batch_size", DEFAULT_BATCH_SIZE)
        with self._claim_lock() as claim_number:
            return self._run_batch(batch_size, claim_number, started=started)

    @api.model
    def _run_batch(self, batch_size, claim_number, started=None):
        """Claim up to `batch_size` ready jobs under `claim_number` and run them, committing after each.

        Each shop's queue run records its busy time and the part of it spent claiming or waiting for
        locks (`busy_s`, `wait_s`): the measure of how far more lanes can go before they get in each
        other's way.
        """
        started = started or time.perf_counter()
        jobs = self._claim(batch_size, claim_number)
        claim_s = time.perf_counter() - started
        remaining = self._count_ready()
        # One sync run per shop and batch: API calls made by the handlers are attributed to it.
        runs = {shop.id: self.env["shopify.sync.log"]._open(shop, "queue") for shop in jobs.shop_id}
        self._commit_progress(done=0, remaining=len(jobs) + remaining)
        for done, job in enumerate(jobs, start=1):
            job.with_context(shopify_sync_log_id=runs[job.shop_id.id].id)._run()
            self._commit_progress(done=done, remaining=len(jobs) - done + remaining)
        for shop_id, run in runs.items():
            shop_jobs = jobs.filtered(lambda job, shop_id=shop_id: job.shop_id.id == shop_id)
            states = shop_jobs.mapped("state")
            share = claim_s / len(runs)
            run._close(
                ok=states.count("done"),
                failed=sum(states.count(state) for state in PROBLEM_STATES),
                skipped=states.count("skipped"),
            )
            run.sudo().write(
                {
                    "busy_s": share + sum(shop_jobs.mapped("run_s")),
                    "wait_s": share + sum(shop_jobs.mapped("wait_s")),
                }
            )
        jobs._notify_problems()
        if auto_commit_enabled():
            # Counted again after the commit: a delivery committed while this batch ran whose trigger
            # was saved by an earlier one (debounce) is seen now, and ir.cron runs this lane again.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            remaining = self._count_ready()
        self._commit_progress(done=len(jobs), remaining=remaining)
        return jobs

    def _commit_progress(self, done, remaining):
        """Odoo 18's progress report plus our own commit (Odoo 19 merges both into _commit_progress)."""
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if auto_commit_enabled():
            # A finished job must stay finished even if a later one crashes the worker.
            self._commit_keeping_reference_data()

    @api.model
    def _commit_keeping_reference_data(self):
        """Commit, then put back the cached column values of REFERENCE_MODELS (see there).

        A commit empties the ORM cache; without this, each job of a batch read its configuration again
        (about a fifth of an order's queries). Only column values (no x2many, no non-stored compute,
        which may depend on other data) of records this transaction did not leave dirty are kept.
        """
        cr = self.env.cr
        cr.flush()
        cache = self.env.cache
        kept = {
            field: values
            for field, values in cache._data.items()
            if field.model_name in REFERENCE_MODELS
            and field.store
            and field.column_type
            and not cache._dirty.get(field)
        }
        cr.commit()  # pylint: disable=invalid-commit
        for field, values in kept.items():
            cache._data[field] = values

    @api.model
    @contextmanager
    def _claim_lock(self):
        """A claim number locked by this session for the duration of the block (see the module docstring)."""
        self.env.cr.execute("SELECT nextval('shopify_queue_job_claim_seq')")
        claim_number = self.env.cr.fetchone()[0]
        self.env.cr.execute("SELECT pg_advisory_lock(%s, %s)", [CLAIM_LOCK_SPACE, claim_number])
        try:
            yield claim_number
        finally:
            self._release_claim_lock(claim_number)

    @api.model
    def _release_claim_lock(self, claim_number):
        # The connection goes back to Odoo's pool: a lock left on it would keep this run's jobs claimed.
        unlock = "SELECT pg_advisory_unlock(%s, %s)"
        try:
            try:
                self.env.cr.execute(unlock, [CLAIM_LOCK_SPACE, claim_number])
            except psycopg2.errors.InFailedSqlTransaction:
                # The run failed inside its transaction, which is lost anyway: end it to reach the session.
                self.env.cr.rollback()
                self.env.cr.execute(unlock, [CLAIM_LOCK_SPACE, claim_number])
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            _logger.info("Shopify queue: connection lost; claim %s was released with it", claim_number)

    @api.model
    def _claim(self, limit, claim_number):
        """Take up to `limit` ready jobs for this worker, in queue order, skipping rows other workers hold.

        The rows are marked running with `claim_number` (committed by the caller outside tests), so a
        job is run by one worker only even after the row lock is released; the caller holds the claim
        number's lock (`_claim_lock`) until the jobs are finished.
        """
        now = fields.Datetime.now()
        self.env.flush_all()
        if auto_commit_enabled():
            # Its own READ COMMITTED transaction: a row another lane claimed and committed after our
            # snapshot is re-checked (no longer pending: passed over) instead of a serialization failure.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        # A job waits while an older one of its serial key (same resource, or same serial kind of the
        # shop) is running or ready: two lanes never apply one resource's events out of order.
        try:
            with self.env.cr.savepoint(flush=False):
                ids = self._claim_rows(limit, claim_number, now)
        except RETRYABLE_DB_ERRORS as error:
            # Only where the claim shares an older snapshot (no auto-commit): another lane got there first.
            _logger.info("Shopify queue: claim postponed (%s)", type(error).__name__)
            return self.browse()
        jobs = self.browse(ids)
        jobs.invalidate_recordset()
        return jobs.sorted(lambda job: (job.priority, job.id))

    @api.model
    def _claim_rows(self, limit, claim_number, now):
        """Lock the next ready rows (SKIP LOCKED), then mark running those no older job of their serial
        key holds back: one running, or one ready that this claim did not lock (another lane's claim
        under way). Older jobs of a key claimed together run first, in this lane, in queue order."""
        self.env.cr.execute(
            """
            WITH locked AS (
                SELECT job.id, job.shop_id, job.serial_key
                  FROM shopify_queue_job job
                  JOIN shopify_shop shop ON shop.id = job.shop_id AND shop.active
                 WHERE job.state = 'pending'
                   AND (job.next_attempt_at IS NULL OR job.next_attempt_at <= %(now)s)
              ORDER BY job.priority, job.id
                 LIMIT %(limit)s
                   FOR UPDATE OF job SKIP LOCKED
            )
            UPDATE shopify_queue_job
               SET state = 'running', started_at = %(now)s, attempts = COALESCE(attempts, 0) + 1,
                   claim_number = %(claim)s, write_date = %(now)s, write_uid = %(uid)s
             WHERE id IN (
                    SELECT mine.id
                      FROM locked mine
                     WHERE mine.serial_key IS NULL OR NOT EXISTS (
                            SELECT 1
                              FROM shopify_queue_job older
                             WHERE older.shop_id = mine.shop_id
                               AND older.serial_key = mine.serial_key
                               AND older.id < mine.id
                               AND older.id NOT IN (SELECT id FROM locked)
                               AND (older.state = 'running'
                                    OR (older.state = 'pending'
                                        AND (older.next_attempt_at IS NULL
                                             OR older.next_attempt_at <= %(now)s)))))
         RETURNING id
            """,
            {"now": now, "uid": self.env.uid, "limit": limit, "claim": claim_number},
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _count_ready(self):
        self.env.cr.execute(
            """
            SELECT count(*) FROM shopify_queue_job job
              JOIN shopify_shop shop ON shop.id = job.shop_id AND shop.active
             WHERE job.state = 'pending' AND (job.next_attempt_at IS NULL OR job.next_attempt_at <= %s)
            """,
            [fields.Datetime.now()],
        )
        return self.env.cr.fetchone()[0]

    def _run(self):
        """Run one claimed job in its own savepoint and record the outcome."""
        self.ensure_one()
        job = self.with_context(shopify_queue_job_id=self.id)
        started = time.perf_counter()
        with lock_wait.measured() as waited:
            try:
                with self.env.cr.savepoint():
                    if job._is_outdated():
                        outcome, reason = (
                            "skipped",
                            _("A newer version of this resource was already applied."),
                        )
                    else:
                        outcome, reason = job._dispatch()
                        if outcome == "done":
                            job._advance_resource_mark()
            except Exception as error:  # every failure is recorded on the job, never lost
                # The savepoint took the failing API call's log rows with it: write them again.
                self.env["shopify.api.call"]._record_rolled_back(self.shop_id, error)
                self._record_error(error, timing=(time.perf_counter() - started, waited.seconds))
                return
        self._finish(outcome, reason, timing=(time.perf_counter() - started, waited.seconds))

    def _dispatch(self):
        """Call the kind's handler (work registry). Returns (outcome, reason)."""
        entry = work_registry.job_kind(self.kind)
        if entry is None:
            raise UserError(
                _(
                    "No handler for jobs of kind “%s”: is the feature module that queued it installed?",
                    self.kind,
                )
            )
        result = getattr(self, entry.handler.method)()
        if isinstance(result, tuple) and result[:1] == ("skipped",):  # ("skipped", "why")
            return result
        return "done", None

    def _shopify_job_webhook(self):
        """A webhook delivery: its topic's handler, on the stored event (shopify.webhook.event._dispatch)."""
        return self.webhook_event_id._dispatch()

    def _finish(self, outcome, reason=None, timing=(0.0, 0.0)):
        run_s, wait_s = timing
        self.write(
            {
                "state": outcome,
                "finished_at": fields.Datetime.now(),
                "last_error_type": False,
                "last_error_message": reason or False,
                "last_error_traceback": False,
                "run_s": run_s,
                "wait_s": wait_s,
                # Applied (from Shopify) or acknowledged (to Shopify): the sync latency of this change.
                "latency_s": max(time.time() - self.origin_ts, 0.0)
                if outcome == "done" and self.origin_ts
                else 0.0,
            }
        )
        self.webhook_event_id.state = outcome
        _logger.debug("Shopify job %s (%s): %s", self.id, self.kind, outcome)

    def _record_error(self, error, timing=(0.0, 0.0)):
        retryable = is_retryable(error)
        max_attempts = self.shop_id.queue_max_attempts or 1
        if isinstance(error, UserError | ValidationError):
            message = str(error.args[0]) if error.args else str(error)
        else:
            message = str(error) or type(error).__name__
        values = {
            "last_error_type": type(error).__name__,
            "last_error_message": message,
            "last_error_traceback": "".join(traceback.format_exception(error)),
            "run_s": timing[0],
            "wait_s": timing[1],
        }
        now = fields.Datetime.now()
        if retryable and self.attempts < max_attempts:
            delay = queue_policy.retry_delay_seconds(error, self.attempts)
            values.update(state="pending", next_attempt_at=now + timedelta(seconds=delay))
            self._trigger_processing(at=values["next_attempt_at"])
        else:
            values.update(state="dead" if retryable else "failed", finished_at=now)
        self.write(values)
        self.webhook_event_id.state = values["state"] if values["state"] != "pending" else "queued"
        # Ids, the error class and a bad payload field's path only: messages may quote customer data.
        _logger.warning(
            "Shopify job %s (%s, shop %s) attempt %s: %s%s → %s",
            self.id,
            self.kind,
            self.shop_id.id,
            self.attempts,
            type(error).__name__,
            _payload_field(error),
            values["state"],
        )

    # ------------------------------------------------------------------------------------------------
    # Out-of-order protection
    # ------------------------------------------------------------------------------------------------
    def _is_outdated(self):
        """True when a newer version of the same Shopify resource was already applied."""
        if not (self.resource_gid and self.resource_updated_at):
            return False
        mark = self.env["shopify.resource.mark"]._lock(self.shop_id, self.resource_gid)
        return bool(mark) and mark.updated_at > self.resource_updated_at

    def _advance_resource_mark(self):
        if self.resource_gid and self.resource_updated_at:
            self.env["shopify.resource.mark"]._advance(
                self.shop_id, self.resource_gid, self.resource_updated_at
            )

    # ------------------------------------------------------------------------------------------------
    # Failures: notification, retry, ignore, jobs whose worker died
    # ------------------------------------------------------------------------------------------------
    def _notify_problems(self):
        """One chatter message per shop for this batch's failed/dead jobs, not one per row."""
        problems = self.filtered(lambda job: job.state in PROBLEM_STATES)
        for shop in problems.shop_id:
            shop_problems = problems.filtered(lambda job, shop=shop: job.shop_id == shop)
            shop._notify_queue_problems(shop_problems)

    def action_retry(self):
        check_shopify_access(self, MANAGER)
        jobs = self.filtered(lambda job: job.state in (*PROBLEM_STATES, "skipped", "ignored"))
        jobs.write(
            {
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": fields.Datetime.now(),
                "finished_at": False,
            }
        )
        jobs.webhook_event_id.state = "queued"
        self._trigger_processing()
        return True

    def action_ignore(self):
        check_shopify_access(self, MANAGER)
        jobs = self.filtered(lambda job: job.state in (*PROBLEM_STATES, "pending"))
        jobs.write(
            {
                "state": "ignored",
                "finished_at": fields.Datetime.now(),
                "last_error_message": _("Ignored by %s", self.env.user.name),
            }
        )
        jobs.webhook_event_id.state = "ignored"
        return True

    @api.model
    def _recover_orphaned_jobs(self):
        """Running jobs whose worker is gone go back to pending (their attempt still counts).

        Gone: nobody holds the claim number's lock (see the module docstring); a job whose worker
        lives is never touched, however long it runs. A job that keeps killing its worker (out of
        memory, time limit) would loop forever: once it used all its attempts it is marked dead instead.
        """
        minutes = self._param_int("shopify_sync.queue_stuck_minutes", DEFAULT_STUCK_MINUTES)
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    """
                    SELECT job.id
                      FROM shopify_queue_job job
                     WHERE job.state = 'running'
                       AND CASE WHEN job.claim_number IS NULL THEN job.started_at < %(unclaimed_before)s
                           ELSE NOT EXISTS (
                                SELECT 1
                                  FROM pg_locks held
                                 WHERE held.locktype = 'advisory' AND held.granted AND held.objsubid = 2
                                   AND held.database = (
                                        SELECT oid FROM pg_database WHERE datname = current_database())
                                   AND held.classid = CAST(%(space)s AS oid)
                                   AND held.objid = CAST(job.claim_number AS oid))
                           END
                       FOR UPDATE OF job SKIP LOCKED
                    """,
                    {
                        "unclaimed_before": fields.Datetime.now() - timedelta(minutes=minutes),
                        "space": CLAIM_LOCK_SPACE,
                    },
                )
                orphaned = self.browse(row[0] for row in self.env.cr.fetchall())
        except RETRYABLE_DB_ERRORS as error:
            # A worker finished some of these rows after our snapshot: the next run looks again.
            _logger.info("Shopify queue: recovery postponed (%s)", type(error).__name__)
            return self.browse()
        if not orphaned:
            return orphaned
        _logger.warning(
            "Shopify queue: %s job(s) lost their worker (crash, kill or time limit): %s",
            len(orphaned),
            orphaned.ids,
        )
        exhausted = orphaned.filtered(lambda job: job.attempts >= (job.shop_id.queue_max_attempts or 1))
        (orphaned - exhausted).write(
            {"state": "pending", "next_attempt_at": fields.Datetime.now(), "claim_number": False}
        )
        exhausted.write(
            {
                "state": "dead",
                "finished_at": fields.Datetime.now(),
                "last_error_type": "WorkerLost",
                "last_error_message": _(
                    "The worker running this job stopped (crash or time limit) on every attempt. "
                    "Check the server log around the job's start time, then retry or ignore it."
                ),
            }
        )
        exhausted.webhook_event_id.state = "dead"
        exhausted._notify_problems()
        return orphaned

    @api.autovacuum
    def _gc_finished_jobs(self):
        """Finished jobs older than the retention period are deleted (failed/dead stay until handled)."""
        days = max(1, self._param_int("shopify_sync.queue_retention_days", DEFAULT_RETENTION_DAYS))
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.search([("state", "in", FINISHED_STATES), ("finished_at", "<", limit)])
        old.unlink()
        return old

    @api.model
    def _param_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value else default
        except ValueError:
            _logger.warning("System parameter %s=%r is not an integer: using %s", key, value, default)
            return default
