"""Benchmark: a flash sale, orders/create deliveries at a steady rate while the queue processes them.

Run with `make bench-flash_sale`. The scale_out bench's shop and servers (BENCH_WORKERS queue workers,
2 cron threads per Odoo process). Signed `orders/create` deliveries are POSTed at BENCH_RATE per second
for BENCH_SECONDS seconds (BENCH_CONCURRENCY client threads, round robin over the servers), processing
running meanwhile. The rate actually offered is printed (the most this machine sustained, when lower).

Checked: every delivery answered 200 (acked_over_5s counts those slower than Shopify's 5 s), one sale
order per delivery (0 lost, 0 duplicated), drained_s = seconds from the last acknowledgement to an empty
queue, orders_per_s = orders / seconds from the first delivery to an empty queue.

Last line: RESULT flash_sale offered_per_s=<x> ack_p99_ms=<x> acked_over_5s=<x> drained_s=<x> orders_per_s=<x>
"""

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from _cluster import SECRET, SHOP_DOMAIN, Cluster
from orders_import import order_payload, percentile


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("--rate", type=float, default=float(os.environ.get("BENCH_RATE", 100)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 60)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", 32)))
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("BENCH_TIMEOUT", 3600)))
    return parser.parse_args()


def signed(number):
    from odoo.addons.shopify_sync.services import webhook_signature

    raw = json.dumps(order_payload(number)).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Shop-Domain": SHOP_DOMAIN,
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Webhook-Id": f"flash-{number}",
        "X-Shopify-Event-Id": f"flash-event-{number}",
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Hmac-Sha256": webhook_signature.sign(SECRET, raw),
    }
    return raw, headers


def main():
    args = parse_args()
    cluster = Cluster(args.db, args.odoo_config)
    count = max(1, round(args.rate * args.seconds))
    local = threading.local()
    try:
        cluster.set_up(1)
        cluster.set_workers(args.workers)
        ports = cluster.start_servers(args.workers)
        bodies = [signed(number) for number in range(count)]  # signed before the clock starts
        since = cluster.marks()
        started = time.perf_counter()

        def deliver(index):
            session = getattr(local, "session", None) or requests.Session()
            local.session = session
            slot = started + index / args.rate
            time.sleep(max(0.0, slot - time.perf_counter()))
            sent = time.perf_counter()
            raw, headers = bodies[index]
            headers = {
                **headers,
                "X-Shopify-Triggered-At": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            port = ports[index % len(ports)]
            response = session.post(
                f"http://127.0.0.1:{port}/shopify/webhook", data=raw, headers=headers, timeout=60
            )
            done = time.perf_counter()
            return sent, (done - sent) * 1000, response.status_code, done

        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(deliver, range(count)))
        first_sent = min(sent for sent, *_rest in results)
        last_sent = max(sent for sent, *_rest in results)
        last_ack = max(done for *_rest, done in results)
        ended = cluster.wait_drained(args.timeout)
        cluster.stop_servers()
        figures = cluster.round_figures(since, [f"#B{number}" for number in range(count)])
    finally:
        cluster.stop()
    acks = [latency for _sent, latency, _status, _done in results]
    refused = sum(1 for _sent, _latency, status, _done in results if status != 200)
    offered = count / max(last_sent - first_sent, 1e-9) if count > 1 else float(count)
    over_5s = sum(1 for latency in acks if latency > 5000)
    drained_s = ended - last_ack
    orders_per_s = figures["orders"] / (ended - first_sent)
    print(
        f"{count} deliveries asked at {args.rate:g}/s for {args.seconds:g} s, offered {offered:.1f}/s "
        f"({args.workers} workers on {len(ports)} servers); ack p50 {percentile(acks, 50):.1f} ms, "
        f"p99 {percentile(acks, 99):.1f} ms, refused {refused}, over 5 s {over_5s}; "
        f"orders {figures['orders']}, "
        f"duplicated {figures['duplicates']}, missing {figures['missing']}, jobs {figures['states']}",
        flush=True,
    )
    if refused or figures["duplicates"] or figures["missing"] or figures["not_done"]:
        raise SystemExit("lost, refused or duplicated deliveries: the figures above say which")
    print(
        f"RESULT flash_sale offered_per_s={offered:.1f} ack_p99_ms={percentile(acks, 99):.1f} "
        f"acked_over_5s={over_5s} drained_s={drained_s:.1f} orders_per_s={orders_per_s:.1f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
