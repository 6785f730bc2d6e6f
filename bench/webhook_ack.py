"""How fast does Odoo acknowledge Shopify webhooks? (make bench-webhook_ack)

Starts a real Odoo HTTP server on the bench database, creates a shop with a webhook secret, then
posts N validly signed `orders/create` deliveries from C concurrent clients, with 1 line item and
with 250 line items. Shopify gives a delivery 5 s; the acknowledgement must not depend on how much
processing the payload needs (that happens later, in the queue cron, which runs in the same server).

Baseline in the same run: the same number of requests for an unknown shop (401), which costs Odoo's
HTTP stack and one indexed lookup, and no insert.

Last line: RESULT webhook_ack p50_ms=<x> p99_ms=<x> p99_ms_250_lines=<x> accepted_per_s=<x> floor_per_s=<x>
ratio_to_floor=<x>, where floor_per_s is the 401 route's requests/s (Odoo's own cost of a request that reaches
our controller) and ratio_to_floor = accepted_per_s ÷ floor_per_s.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

import odoo
from odoo import SUPERUSER_ID, api

ODOO_SRC = os.environ.get("ODOO_SRC") or os.path.dirname(os.path.dirname(odoo.__file__))

SECRET = "bench-webhook-secret"
DOMAIN = "bench-store.myshopify.com"


def sign(raw_body):
    # Same formula as services/webhook_signature.py, computed here so the bench needs no addon import.
    return base64.b64encode(hmac.new(SECRET.encode(), raw_body, hashlib.sha256).digest()).decode()


def order_payload(order_number, line_count):
    return {
        "id": 5000000000 + order_number,
        "admin_graphql_api_id": f"gid://shopify/Order/{5000000000 + order_number}",
        "name": f"#{1000 + order_number}",
        "email": "bench@example.com",
        "currency": "EUR",
        "created_at": "2026-11-25T10:00:00+01:00",
        "updated_at": "2026-11-25T10:00:00+01:00",
        "total_price": f"{line_count * 19.99:.2f}",
        "line_items": [
            {
                "id": 9000000000 + order_number * 1000 + line,
                "sku": f"BENCH-{line:03d}",
                "title": f"Bench product {line}",
                "quantity": 1 + line % 3,
                "price": "19.99",
                "variant_id": 7000000000 + line,
                "product_id": 6000000000 + line,
            }
            for line in range(line_count)
        ],
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_shop(db, odoo_config):
    odoo.tools.config.parse_config(["-c", odoo_config, "-d", db])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["shopify.shop"].create({"name": "bench", "shop_domain": DOMAIN, "client_secret": SECRET})


def start_server(db, odoo_config, port):
    command = [
        sys.executable,
        os.path.join(ODOO_SRC, "odoo-bin"),
        "-c",
        odoo_config,
        "-d",
        db,
        f"--db-filter=^{db}$",
        f"--http-port={port}",
        "--workers=0",
        "--max-cron-threads=1",
        "--log-level=warn",
    ]
    log = open(os.path.join(os.environ.get("RUN", "/tmp"), "webhook_ack_server.log"), "w")  # noqa: SIM115
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, text=True)
    server.log_path = log.name
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/health", timeout=10).status_code == 200:
                return server
        except requests.RequestException:  # not listening yet, or still loading
            pass
        if server.poll() is not None:
            raise SystemExit(f"Odoo exited early:\n{server_log_tail(server)}")
        time.sleep(0.2)
    server.kill()
    raise SystemExit("Odoo did not answer within 120 s")


def server_log_tail(server):
    with open(server.log_path) as log:
        return log.read()[-3000:]


def post_all(url, bodies, domain, concurrency):
    """POST every body concurrently; returns (latencies in ms, status codes, wall time in s)."""

    def post(raw_body):
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Shop-Domain": domain,
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": "2026-11-25T09:00:00.000Z",
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Hmac-Sha256": sign(raw_body),
        }
        started = time.perf_counter()
        response = requests.post(url, data=raw_body, headers=headers, timeout=30)
        return (time.perf_counter() - started) * 1000.0, response.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(post, bodies))
    wall = time.perf_counter() - started
    return [latency for latency, _status in results], [status for _latency, status in results], wall


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(label, latencies, statuses, wall):
    accepted = sum(1 for status in statuses if status == 200)
    summary = {
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "accepted": accepted,
        "requests": len(statuses),
        "per_s": round(len(statuses) / wall, 1),
        "accepted_per_s": round(accepted / wall, 1),
    }
    print(f"{label:<28} " + " ".join(f"{key}={value}" for key, value in summary.items()), flush=True)
    return summary


def count_events(db, odoo_config):
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM shopify_webhook_event")
        return cr.fetchone()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("-n", "--count", type=int, default=int(os.environ.get("BENCH_N", 400)))
    parser.add_argument("-c", "--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", 8)))
    args = parser.parse_args()

    prepare_shop(args.db, args.odoo_config)
    port = free_port()
    server = start_server(args.db, args.odoo_config, port)
    url = f"http://127.0.0.1:{port}/shopify/webhook"
    try:
        small = [json.dumps(order_payload(n, 1)).encode() for n in range(args.count)]
        large = [json.dumps(order_payload(args.count + n, 250)).encode() for n in range(args.count)]
        print(
            f"{args.count} deliveries per series, {args.concurrency} concurrent clients, "
            f"bodies {len(small[0])} B (1 line) and {len(large[0])} B (250 lines)",
            flush=True,
        )
        post_all(url, small[:20], DOMAIN, args.concurrency)  # warm-up: registry, caches, connections
        baseline = report(
            "baseline (401 unknown shop)", *post_all(url, small, "unknown.myshopify.com", args.concurrency)
        )
        one_line = report("orders/create, 1 line", *post_all(url, small, DOMAIN, args.concurrency))
        many_lines = report("orders/create, 250 lines", *post_all(url, large, DOMAIN, args.concurrency))
    except requests.RequestException:
        print(server_log_tail(server), file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=60)
    stored = count_events(args.db, args.odoo_config)
    expected = 20 + one_line["accepted"] + many_lines["accepted"]
    print(f"events stored: {stored} (expected {expected}); baseline p50 {baseline['p50_ms']} ms", flush=True)
    if stored != expected or one_line["accepted"] != args.count or many_lines["accepted"] != args.count:
        raise SystemExit("some deliveries were not acknowledged or not stored")
    print(
        f"RESULT webhook_ack p50_ms={one_line['p50_ms']} p99_ms={one_line['p99_ms']} "
        f"p99_ms_250_lines={many_lines['p99_ms']} accepted_per_s={one_line['accepted_per_s']} "
        f"floor_per_s={baseline['per_s']} "
        f"ratio_to_floor={one_line['accepted_per_s'] / max(baseline['per_s'], 1e-9):.2f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
