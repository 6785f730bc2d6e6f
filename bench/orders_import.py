"""Benchmark: Shopify orders through the webhook endpoint into the queue, then processed.

Run with `make bench-orders_import` (tools/bench.sh gives a fresh database with the addon installed).

1. Set-up (committed): a tax-excluded shop with a tax mapping and five products.
2. Queued path (ours): N signed `orders/create` webhooks (5 lines each) are POSTed to a real Odoo HTTP
   server (`odoo-bin`, no cron threads); we measure each acknowledgement. Then the queue is processed
   in this process, batch after batch: orders/s and SQL queries per order.
3. Naive baseline, same run: another N orders POSTed to `/shopify/webhook/naive`, a bench-only route
   (bench/naive_addon, loaded into the same server with --load, never installed or shipped) that runs
   the real endpoint and then imports the order inside the request, as the seed's handler did. Its ack
   latency is what Shopify would wait for with processing in the request.

4. Odoo's floor, same run: the same N orders (a partner, the 5 lines, the tax) created and confirmed
   directly through the ORM, committed one by one: what Odoo itself needs per order.

Last line: `RESULT orders_import orders_per_s=… queries_per_order=… ack_p99_ms=… ratio_vs_naive=…
floor_per_s=… floor_queries=… ratio_to_floor=…`, where ratio_vs_naive = naive ack p99 ÷ queued ack p99
(how much sooner Shopify gets its 200) and ratio_to_floor = orders_per_s ÷ floor_per_s.
"""

import argparse
import configparser
import json
import os
import socket
import subprocess
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

import requests

SHOP_DOMAIN = "bench-orders.myshopify.com"
SECRET = "bench-webhook-secret"
TAX_RATE = Decimal("0.0725")
PRODUCTS = [
    ("BENCH-MUG", "12.50"),
    ("BENCH-BOWL", "18.00"),
    ("BENCH-APRON", "24.90"),
    ("BENCH-TOWEL", "9.95"),
]
PRODUCTS.append(("BENCH-BLANKET", "89.00"))
CENT = Decimal("0.01")
NAIVE_PATH = "/shopify/webhook/naive"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("--orders", type=int, default=int(os.environ.get("BENCH_ORDERS", 50)))
    parser.add_argument("--batch-size", type=int, default=50)
    return parser.parse_args()


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def order_payload(number):
    """A realistic tax-excluded orders/create body: 5 lines, 10 % discount, paid shipping, paid."""
    order_id = 8_000_000_000_000 + number
    lines, subtotal, tax_total = [], Decimal(0), Decimal(0)
    for index, (sku, price) in enumerate(PRODUCTS):
        quantity = 1 + (number + index) % 3
        gross = Decimal(price) * quantity
        discount = (gross * Decimal("0.10")).quantize(CENT, ROUND_HALF_UP)
        tax = ((gross - discount) * TAX_RATE).quantize(CENT, ROUND_HALF_UP)
        subtotal += gross - discount
        tax_total += tax
        line_id = order_id * 10 + index
        lines.append(
            {
                "id": line_id,
                "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
                "variant_id": 46_000_000_000 + index,
                "sku": sku,
                "title": sku.title(),
                "quantity": quantity,
                "current_quantity": quantity,
                "price": price,
                "taxable": True,
                "requires_shipping": True,
                "gift_card": False,
                "tax_lines": [{"title": "CA State Tax", "rate": float(TAX_RATE), "price": str(tax)}],
                "discount_allocations": [{"amount": str(discount), "discount_application_index": 0}],
            }
        )
    shipping = Decimal("7.50")
    total = subtotal + shipping + tax_total
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#B{number}",
        "email": f"buyer{number % 40}@example.com",
        "created_at": "2026-11-20T10:00:00-08:00",
        "processed_at": "2026-11-20T10:00:00-08:00",
        "updated_at": "2026-11-20T10:00:01-08:00",
        "currency": "USD",
        "presentment_currency": "USD",
        "taxes_included": False,
        "financial_status": "paid",
        "subtotal_price": str(subtotal),
        "total_tax": str(tax_total),
        "total_price": str(total),
        "line_items": lines,
        "shipping_lines": [{"title": "UPS Ground", "code": "ups", "price": str(shipping), "tax_lines": []}],
        "customer": {
            "id": 7_000_000 + number % 40,
            "email": f"buyer{number % 40}@example.com",
            "first_name": "Buyer",
            "last_name": str(number % 40),
        },
        "billing_address": {
            "first_name": "Buyer",
            "last_name": str(number % 40),
            "address1": f"{number % 40} Market St",
            "city": "San Francisco",
            "zip": "94103",
            "province_code": "CA",
            "country_code": "US",
        },
        "shipping_address": None,
    }


class Bench:
    def __init__(self, args):
        import odoo

        self.args = args
        odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db])
        self.odoo = odoo
        self.registry = odoo.modules.registry.Registry(args.db)
        config = configparser.ConfigParser()
        config.read(args.odoo_config)
        self.port = int(config["options"].get("http_port") or 8069)
        self.session = requests.Session()

    def env(self, cr):
        return self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {})

    def setup(self):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            tax = env["account.tax"].create(
                {
                    "name": "CA State Tax 7.25% (bench)",
                    "amount": 7.25,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                }
            )
            shop = env["shopify.shop"].create(
                {
                    "name": "bench",
                    "shop_domain": SHOP_DOMAIN,
                    "access_token": "bench-token",
                    "client_secret": SECRET,
                    "order_confirmation_policy": "paid",
                }
            )
            env["shopify.tax.mapping"].create(
                {"shop_id": shop.id, "rate_percent": 7.25, "price_include": False, "tax_id": tax.id}
            )
            for sku, price in PRODUCTS:
                env["product.product"].create(
                    {"name": sku.title(), "default_code": sku, "type": "consu", "list_price": float(price)}
                )
            self.shop_id = shop.id

    # --------------------------------------------------------------------------------------------
    def start_server(self):
        odoo_bin = os.path.join(os.path.dirname(os.path.dirname(self.odoo.__file__)), "odoo-bin")
        command = [sys.executable, odoo_bin, "-c", self.args.odoo_config, "-d", self.args.db]
        command += [f"--db-filter=^{self.args.db}$", "--max-cron-threads=0", "--log-level=warn"]
        # The naive baseline's route: a server-wide module next to this script (not installed).
        naive_addons = os.path.join(os.path.dirname(os.path.abspath(__file__)), "naive_addon")
        command += [
            f"--addons-path={self.odoo.tools.config['addons_path']},{naive_addons}",
            "--load=base,web,shopify_sync_bench_naive",
        ]
        self.server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the Odoo HTTP server did not start")

    def stop_server(self):
        self.server.terminate()
        self.server.wait(timeout=30)

    def post(self, payload, number, path="/shopify/webhook"):
        from odoo.addons.shopify_sync.services import webhook_signature

        raw = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Shop-Domain": SHOP_DOMAIN,
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": f"bench-{number}",
            "X-Shopify-Event-Id": f"bench-event-{number}",
            "X-Shopify-Triggered-At": "2026-11-20T18:00:01.000Z",
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Hmac-Sha256": webhook_signature.sign(SECRET, raw),
        }
        start = time.perf_counter()
        response = self.session.post(
            f"http://127.0.0.1:{self.port}{path}", data=raw, headers=headers, timeout=60
        )
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")
        return elapsed

    def process_queue(self):
        """Process every pending job; returns (seconds, SQL queries, jobs done)."""
        sql_db = self.odoo.sql_db
        queries_before, start, done = sql_db.sql_counter, time.perf_counter(), 0
        while True:
            with self.registry.cursor() as cr:
                jobs = self.env(cr)["shopify.queue.job"]._cron_process_queue(batch_size=self.args.batch_size)
                done += len(jobs.filtered(lambda job: job.state == "done"))
                failed = jobs.filtered(lambda job: job.state != "done")
                if failed:
                    raise RuntimeError(
                        f"job {failed[0].id} ended {failed[0].state}: {failed[0].last_error_message}"
                    )
            if not jobs:
                break
        return time.perf_counter() - start, sql_db.sql_counter - queries_before, done

    def floor(self, numbers):
        """Odoo's own cost: each order's partner and lines created and confirmed by the ORM, committed."""
        sql_db = self.odoo.sql_db
        with self.registry.cursor() as cr:
            env = self.env(cr)
            products = {
                p.default_code: p.id
                for p in env["product.product"].search([("default_code", "=like", "BENCH-%")])
            }
            tax_id = env["account.tax"].search([("name", "=", "CA State Tax 7.25% (bench)")], limit=1).id
        queries_before, start = sql_db.sql_counter, time.perf_counter()
        for number in numbers:
            payload = order_payload(number)
            with self.registry.cursor() as cr:
                env = self.env(cr)
                address = payload["billing_address"]
                partner = env["res.partner"].create(
                    {
                        "name": f"{address['first_name']} {address['last_name']}",
                        "email": payload["email"],
                        "street": address["address1"],
                        "city": address["city"],
                        "zip": address["zip"],
                    }
                )
                order = env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "client_order_ref": f"FLOOR{number}",
                        "order_line": [
                            (
                                0,
                                0,
                                {
                                    "product_id": products[line["sku"]],
                                    "product_uom_qty": line["quantity"],
                                    "price_unit": float(line["price"]),
                                    "discount": 10.0,
                                    "tax_id": [(6, 0, [tax_id])],
                                },
                            )
                            for line in payload["line_items"]
                        ],
                    }
                )
                order.action_confirm()
        return time.perf_counter() - start, sql_db.sql_counter - queries_before

    def check_orders(self):
        with self.registry.cursor() as cr:
            orders = self.env(cr)["sale.order"].search(
                [
                    ("client_order_ref", "=like", "#B%"),
                    ("client_order_ref", "not in", ("#B999999", "#B999998")),
                ]
            )
            confirmed = orders.filtered(lambda order: order.state == "sale")
            return len(orders), len(confirmed)

    def run(self):
        n = self.args.orders
        self.setup()
        self.start_server()
        try:
            # Warm-up (first request loads the routing map; first import warms caches): not measured.
            self.post(order_payload(999_999), 999_999)
            self.process_queue()

            acks = [self.post(order_payload(number), number) for number in range(n)]
            seconds, queries, done = self.process_queue()
            if done != n:
                raise RuntimeError(f"{done} of {n} orders processed")

            # Naive: the server imports each order before answering (warm-up first, not measured).
            self.post(order_payload(999_998), 999_998, NAIVE_PATH)
            naive_acks = [self.post(order_payload(number), number, NAIVE_PATH) for number in range(n, 2 * n)]
            naive_seconds = sum(naive_acks) / 1000
            if self.process_queue()[2]:
                raise RuntimeError("the naive route left orders in the queue")
        finally:
            self.stop_server()
        floor_seconds, floor_queries = self.floor(range(2 * n, 3 * n))
        total, confirmed = self.check_orders()
        if (total, confirmed) != (2 * n, 2 * n):
            raise RuntimeError(
                f"expected {2 * n} confirmed sale orders, found {total} ({confirmed} confirmed)"
            )
        orders_per_s = n / seconds
        ack_p99, naive_p99 = percentile(acks, 99), percentile(naive_acks, 99)
        report(f"orders: {n} queued + {n} naive, 5 lines each; sale orders {total}, confirmed {confirmed}")
        report(
            f"queued: ack p50 {percentile(acks, 50):.1f} ms, p99 {ack_p99:.1f} ms; "
            f"processing {seconds:.2f} s = {orders_per_s:.1f} orders/s, {queries / n:.1f} SQL queries/order"
        )
        report(
            f"floor (the ORM directly, committed per order): {n / floor_seconds:.1f} orders/s, "
            f"{floor_queries / n:.1f} SQL queries/order"
        )
        report(
            f"naive (processing inside the request): ack p50 {percentile(naive_acks, 50):.1f} ms, "
            f"p99 {naive_p99:.1f} ms; {n / naive_seconds:.1f} orders/s"
        )
        report(
            f"RESULT orders_import orders_per_s={orders_per_s:.1f} queries_per_order={queries / n:.1f} "
            f"ack_p99_ms={ack_p99:.1f} ratio_vs_naive={naive_p99 / ack_p99:.1f} "
            f"floor_per_s={n / floor_seconds:.1f} floor_queries={floor_queries / n:.1f} "
            f"ratio_to_floor={orders_per_s / (n / floor_seconds):.2f}"
        )


if __name__ == "__main__":
    Bench(parse_args()).run()
