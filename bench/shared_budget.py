"""Benchmark: N worker processes drawing from one emulated shop's bucket, shared budget vs per-process.

Each worker is a separate (forked) OS process with its own database connections and its own ShopifyClient,
sending `product_ids_page` (requested cost 2 + page, all of it charged) for `--seconds`. Two runs:

* shared: every worker books through the PostgreSQL budget (models/core/api_budget.py::DatabaseBudget);
* per_process: every worker keeps its own in-memory bucket (services/budget.py::InMemoryBudget).

Then the Plus series (restore 1,000 points/s, bucket 20,000): every worker books through its own
process's leases on the PostgreSQL bucket (services/budget.py::LeasedBudget over
models/core/api_budget.py::DatabaseLeaseStore, what the addon's clients use), sending a mix of 10-point
mutations (`webhookSubscriptionDelete` of an unknown id: a userError, nothing changes; 70 %), product
id pages of 50–250 points (20 %) and product pages with variants of about 500 points (10 %). At the
deadline a worker stops taking leases and spends what its lease still holds (a per-call budget sends
its last booked call too), so that leases booked ahead are not counted as idle bucket.

The emulator's bucket starts empty and every budget starts knowing that, so the only capacity
is the restore rate: efficiency = points charged by the emulator ÷ elapsed seconds ÷ restore rate.
THROTTLED counts are the emulator's. Last line:
`RESULT shared_budget efficiency=<shared run> throttled=<shared run> per_process_throttled=<per-process run>
plus_efficiency=<Plus run> plus_throttled=<Plus run>`.
Usage: python bench/shared_budget.py --db DB --odoo-config FILE [--workers 4] [--seconds 12]
[--plus-seconds 20] (environment: BENCH_SECONDS, BENCH_PLUS_SECONDS for a quick try)
"""

import argparse
import contextlib
import multiprocessing
import os
import random
import time
import uuid

import odoo


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_SECONDS", 12.0)),
        help="length of each of the two Standard runs",
    )
    parser.add_argument(
        "--plus-seconds",
        type=float,
        default=float(os.environ.get("BENCH_PLUS_SECONDS", 20.0)),
        help="length of the Plus run",
    )
    parser.add_argument("--plus-bucket", type=int, default=20000)
    parser.add_argument("--plus-restore", type=int, default=1000)
    parser.add_argument("--bucket", type=int, default=100, help="the shop's maximumAvailable")
    parser.add_argument("--restore", type=int, default=100, help="the shop's restoreRate (points/s)")
    parser.add_argument("--page", type=int, default=8, help="products per request (cost 2 + page)")
    return parser.parse_args()


def _setup_odoo(config_path, db):
    odoo.tools.config.parse_config(["-c", config_path, "-d", db, "--log-level=warn"])


class _Connections:
    """What DatabaseBudget needs from a registry (`cursor()`), without loading one per process.

    `private=True` uses a pool of its own that the caller closes: the parent process must hold no
    connection when it forks the workers (a forked socket is shared, not copied)."""

    def __init__(self, db, private=False):
        self.pool = odoo.sql_db.ConnectionPool(2) if private else None
        if private:
            dbname, dsn = odoo.sql_db.connection_info_for(db)
            self._db = odoo.sql_db.Connection(self.pool, dbname, dsn)
        else:
            self._db = odoo.sql_db.db_connect(db)

    def cursor(self):
        return self._db.cursor()


UNKNOWN_WEBHOOK = "gid://shopify/WebhookSubscription/0"
MUTATION_COST = 10
RICH_PAGE = {"first": 24, "variantsFirst": 3}  # products with 3 variants each: about 500 points


def plus_call(client, rng):
    """One call of the Plus mix: a 10-point mutation, a 50–250-point page or a ~500-point page."""
    from odoo.addons.shopify_sync.services.errors import UserErrorsError

    draw = rng.random()
    if draw < 0.7:
        with contextlib.suppress(UserErrorsError):  # an unknown id: a userError, nothing changes
            client.execute("webhook_subscription_delete", {"id": UNKNOWN_WEBHOOK})
    elif draw < 0.9:
        client.execute("product_ids_page", {"first": rng.randint(48, 248)})
    else:
        client.execute("products_reconcile_page", RICH_PAGE)


def worker(db, mode, url, token, shop_key, status, page, start, results):
    """One worker process (forked: Odoo and the addon are already imported): once `start` is set (its
    value = the deadline, epoch s), send pages (the Plus mix in mode plus) until the deadline; report
    calls and points charged."""
    from odoo.addons.shopify_sync.models.core.api_budget import DatabaseBudget, DatabaseLeaseStore
    from odoo.addons.shopify_sync.services.auth import StaticTokenAuth
    from odoo.addons.shopify_sync.services.budget import InMemoryBudget, LeasedBudget
    from odoo.addons.shopify_sync.services.client import ShopifyClient
    from odoo.addons.shopify_sync.services.errors import ShopifyError

    if mode == "shared":
        budget = DatabaseBudget(_Connections(db))
    elif mode == "plus":
        budget = LeasedBudget(DatabaseLeaseStore(_Connections(db)))
    else:
        budget = InMemoryBudget()
    rng = random.Random(os.getpid())
    records = []
    client = ShopifyClient(
        url, "2026-10", StaticTokenAuth(token), shop_key=shop_key, budget=budget, recorder=records.append
    )
    results.put("ready")
    start["go"].wait()
    deadline = start["deadline"].value
    if mode == "per_process":
        budget.observe(shop_key, status, time.time(), 0)  # it knows the bucket starts empty, too
    failures = 0
    while time.time() < deadline:
        try:
            if mode == "plus":
                plus_call(client, rng)
            else:
                client.execute("product_ids_page", {"first": page})
        except ShopifyError:
            failures += 1
    # What a lease booked is spent, as a worker that goes on would (per-call budgets send their last
    # booked call too); without this, the leases booked ahead at the deadline would count as idle.
    while mode == "plus" and (held := budget.held(shop_key)) >= MUTATION_COST:
        with contextlib.suppress(ShopifyError):
            if held >= 50:  # in few calls: the restore goes on meanwhile, unused
                client.execute("product_ids_page", {"first": int(min(248, held - 2))})
            else:
                client.execute("webhook_subscription_delete", {"id": UNKNOWN_WEBHOOK})
    charged = sum(record.actual_cost or 0 for record in records if record.outcome == "ok")
    results.put(
        {
            "calls": len(records),
            "charged": charged,
            "throttled": sum(record.outcome == "throttled" for record in records),
            "failures": failures,
            "wait_s": sum(record.throttle_wait_ms for record in records) / 1000.0,
            "leases": getattr(budget, "leases_taken", None),
        }
    )


def run(args, emulator, emu_shop, mode):
    """One measured run; returns a dict of figures."""
    from odoo.addons.shopify_sync.models.core.api_budget import DatabaseBudget

    shop_key = f"bench-{mode}-{uuid.uuid4().hex}"
    bucket, restore, seconds = (
        (args.plus_bucket, args.plus_restore, args.plus_seconds)
        if mode == "plus"
        else (args.bucket, args.restore, args.seconds)
    )
    status = {"maximumAvailable": bucket, "currentlyAvailable": 0, "restoreRate": restore}
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = {"go": context.Event(), "deadline": context.Value("d", 0.0)}
    processes = [
        context.Process(
            target=worker,
            args=(
                args.db,
                mode,
                emulator.url,
                emu_shop.access_token,
                shop_key,
                status,
                args.page,
                start,
                results,
            ),
        )
        for _ in range(args.workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        results.get(timeout=120)  # every worker is ready
    # The window opens on an empty bucket that both the emulator and the budgets know about.
    emu_shop.set_bucket(max_available=bucket, restore_rate=restore, available=0)
    if mode in ("shared", "plus"):
        connections = _Connections(args.db, private=True)
        DatabaseBudget(connections).observe(shop_key, status, time.time(), 0)
        connections.pool.close_all()
    before = dict(emu_shop.counters)
    begin = time.time()
    start["deadline"].value = begin + seconds
    start["go"].set()
    reports = [results.get(timeout=seconds + 120) for _ in processes]
    elapsed = time.time() - begin
    for process in processes:
        process.join(30)
    charged = emu_shop.counters["cost"] - before.get("cost", 0)
    throttled = emu_shop.counters["throttled"] - before.get("throttled", 0)
    return {
        "mode": mode,
        "elapsed": elapsed,
        "charged": charged,
        "throttled": throttled,
        "calls": sum(report["calls"] for report in reports),
        "failures": sum(report["failures"] for report in reports),
        "wait_s": sum(report["wait_s"] for report in reports),
        "leases": sum(report["leases"] or 0 for report in reports),
        "restore": restore,
    }


def _warm_up(emulator, emu_shop, page):
    """Load the emulator's schema and parse the document once, outside the measured windows."""
    from odoo.addons.shopify_sync.services.auth import StaticTokenAuth
    from odoo.addons.shopify_sync.services.client import ShopifyClient

    client = ShopifyClient(emulator.url, "2026-10", StaticTokenAuth(emu_shop.access_token))
    client.execute("product_ids_page", {"first": page})
    plus_call(client, random.Random(0))
    client.execute("products_reconcile_page", RICH_PAGE)


def main():
    args = parse_args()
    _setup_odoo(args.odoo_config, args.db)
    from odoo.addons.shopify_sync.emulator import EmulatorServer
    from odoo.addons.shopify_sync.models.core import api_budget  # noqa: F401 (imported before forking)

    emulator = EmulatorServer().start()
    try:
        emu_shop = emulator.add_shop("bench-budget.myshopify.com")
        emu_shop.seed_products(max(args.page + 2, 260), max_options=1, max_values=3)
        _warm_up(emulator, emu_shop, args.page)
        figures = {mode: run(args, emulator, emu_shop, mode) for mode in ("shared", "per_process", "plus")}
    finally:
        emulator.stop()
    for mode, run_figures in figures.items():
        rate = run_figures["charged"] / run_figures["elapsed"]
        leases = f" leases={run_figures['leases']}" if mode == "plus" else ""
        print(
            f"{mode:12s} workers={args.workers} elapsed={run_figures['elapsed']:.1f}s "
            f"calls={run_figures['calls']} points={run_figures['charged']:.0f} ({rate:.1f}/s of "
            f"{run_figures['restore']}/s) throttled={run_figures['throttled']} "
            f"gave_up={run_figures['failures']} "
            f"waited={run_figures['wait_s']:.1f}s{leases}"
        )
    shared = figures["shared"]
    efficiency = shared["charged"] / shared["elapsed"] / args.restore
    plus = figures["plus"]
    plus_efficiency = plus["charged"] / plus["elapsed"] / args.plus_restore
    print(
        f"RESULT shared_budget efficiency={efficiency:.3f} throttled={shared['throttled']} "
        f"per_process_throttled={figures['per_process']['throttled']} "
        f"plus_efficiency={plus_efficiency:.3f} plus_throttled={plus['throttled']}"
    )


if __name__ == "__main__":
    main()
