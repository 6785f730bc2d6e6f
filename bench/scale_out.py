"""Benchmark: the same backlog of orders and stock changes processed by 1, 2 and 4 queue workers.

Run with `make bench-scale_out`. One shop on the emulator (orders: the orders_import bench's 5-line
orders; stock: bound variants whose pushes go to the emulator). For each setting W: W queue lanes
(`shopify_sync.queue_workers`) and Odoo servers started as separate processes with cron threads (1 → one
server with 1 cron thread; 2 → one server with 2 cron threads; 4 → two servers with 2 cron threads each),
all on one database. Once the servers are up, the backlog (BENCH_ORDERS orders/create deliveries stored
as the webhook route stores them, BENCH_STOCK stock changes → their pushes) is committed in one
transaction, which triggers the lanes; the clock runs until the queue is empty.

Checked per setting: every job done (0 lost), one sale order per delivery (0 duplicated, 0 missing), no
THROTTLED answer from the emulator. lock_wait_pct: of the time the lanes spent on batches, the share
spent claiming or waiting for locks (the sync logs' wait_s / busy_s), at the highest worker count. On a
2-core machine 4 workers are CPU-bound: the ratio says what the cores allow, the wait share what the
design would allow with more cores.

Last line: RESULT scale_out w1_per_s=<x> w2_per_s=<x> w4_per_s=<x> ratio_2=<x> ratio_4=<x> lock_wait_pct=<x>
(jobs per second; ratio_N = wN_per_s / w1_per_s).
"""

import argparse
import os
import sys
import time

from _cluster import Cluster


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("--orders", type=int, default=int(os.environ.get("BENCH_ORDERS", 200)))
    parser.add_argument("--stock", type=int, default=int(os.environ.get("BENCH_STOCK", 200)))
    parser.add_argument("--workers", default=os.environ.get("BENCH_WORKERS", "1,2,4"))
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("BENCH_TIMEOUT", 1800)))
    return parser.parse_args()


def main():
    args = parse_args()
    settings = [int(value) for value in args.workers.split(",")]
    cluster = Cluster(args.db, args.odoo_config)
    rates, waits = {}, {}
    try:
        cluster.set_up(max(args.stock, 1))
        for round_index, workers in enumerate(settings):
            lanes = cluster.set_workers(workers)
            ports = cluster.start_servers(workers)
            # Warm-up, not measured: each server's first imports fill its caches.
            with cluster.registry.cursor() as cr:
                warm = range(900_000 + round_index * 1_000, 900_000 + round_index * 1_000 + 2 * workers)
                cluster.queue_orders(cluster.env(cr), warm)
            cluster.wait_drained(args.timeout)
            numbers = range(round_index * 1_000_000, round_index * 1_000_000 + args.orders)
            throttled_before, since = cluster.throttled(), cluster.marks()
            with cluster.registry.cursor() as cr:
                env = cluster.env(cr)
                cluster.queue_orders(env, numbers)
                pushes = cluster.queue_stock_changes(env, args.stock) if args.stock else []
                started = time.perf_counter()
            ended = cluster.wait_drained(args.timeout)
            cluster.stop_servers()
            figures = cluster.round_figures(since, [f"#B{number}" for number in numbers])
            throttled = cluster.throttled() - throttled_before
            seconds = ended - started
            rates[workers] = figures["done"] / seconds
            waits[workers] = figures["lock_wait_pct"]
            print(
                f"workers={workers} (lanes {lanes}, servers {len(ports)}): {figures['done']} jobs "
                f"({args.orders} orders, {len(pushes)} stock pushes) in {seconds:.2f} s = "
                f"{rates[workers]:.1f} jobs/s; not done {figures['not_done']}, duplicated orders "
                f"{figures['duplicates']}, missing {figures['missing']}, throttled {throttled}, "
                f"claim/lock wait {figures['lock_wait_pct']:.2f} % of busy time; jobs {figures['states']}",
                flush=True,
            )
            if figures["not_done"] or figures["duplicates"] or figures["missing"] or throttled:
                raise SystemExit("lost, duplicated or throttled work: the figures above say which")
    finally:
        cluster.stop()
    base = rates[settings[0]]
    top = settings[-1]
    print(
        f"RESULT scale_out w1_per_s={rates.get(1, 0):.1f} w2_per_s={rates.get(2, 0):.1f} "
        f"w4_per_s={rates.get(4, 0):.1f} ratio_2={rates.get(2, 0) / base:.2f} "
        f"ratio_4={rates.get(4, 0) / base:.2f} lock_wait_pct={waits[top]:.2f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
