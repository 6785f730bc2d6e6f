"""Shared by bench/scale_out.py and bench/flash_sale.py: one shop on the emulator with orders and bound
stock, queue lanes, and Odoo servers (processes with cron threads) that process the queue.
"""

import json
import math
import os
import socket
import subprocess
import sys
import time

import requests

import odoo
from odoo import SUPERUSER_ID, api

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import inventory_push
import orders_import

SHOP_DOMAIN = "bench-store.myshopify.com"
SECRET = orders_import.SECRET


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, db, odoo_config):
        odoo.tools.config.parse_config(["-c", odoo_config, "-d", db, "--log-level=warn"])
        from odoo.addons.shopify_sync.emulator import EmulatorServer  # on the addons path from here

        self.db, self.odoo_config = db, odoo_config
        self.registry = odoo.modules.registry.Registry(db)
        self.emulator = EmulatorServer().start()
        self.emu_shop = self.emulator.add_shop(SHOP_DOMAIN, access_token="bench-token", plan="standard")
        self.emu_location = self.emu_shop.add_location("Bench warehouse")
        self.servers = []

    def env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def set_up(self, variants):
        """The shop (orders: tax mapping and the 5 bench products; stock: `variants` bound variants)."""
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
                    "api_base_url": self.emulator.url,
                    "order_confirmation_policy": "paid",
                }
            )
            env["shopify.tax.mapping"].create(
                {"shop_id": shop.id, "rate_percent": 7.25, "price_include": False, "tax_id": tax.id}
            )
            for sku, price in orders_import.PRODUCTS:
                env["product.product"].create(
                    {"name": sku.title(), "default_code": sku, "type": "consu", "list_price": float(price)}
                )
            _shop, self.warehouse_id, _location, bindings = inventory_push.set_up(
                env, self.emu_shop, self.emu_location, variants
            )
            self.shop_id, self.variant_product_ids = shop.id, bindings.product_id.ids
            self.warehouse_id = self.warehouse_id.id
            # Only the queue lanes run during the bench: every other scheduled action waits a day.
            cr.execute("UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') + interval '1 day'")

    def set_workers(self, workers):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            env["ir.config_parameter"].set_param("shopify_sync.queue_workers", workers)
            lanes = env["shopify.queue.job"]._sync_queue_lanes()
            return len(lanes.filtered("active"))

    # ----------------------------------------------------------------------------------------------
    def start_servers(self, workers, threads_per_server=2):
        """ceil(workers / threads) Odoo processes with cron threads (the last may have fewer)."""
        odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
        count = math.ceil(workers / threads_per_server)
        for index in range(count):
            threads = min(threads_per_server, workers - index * threads_per_server)
            port = free_port()
            command = [sys.executable, odoo_bin, "-c", self.odoo_config, "-d", self.db]
            command += [f"--db-filter=^{self.db}$", f"--max-cron-threads={threads}", f"--http-port={port}"]
            command += ["--log-level=warn", "--workers=0"]
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.servers.append((process, port))
        for _process, port in self.servers:
            deadline = time.monotonic() + 90
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("an Odoo server did not start") from None
                    time.sleep(0.2)
            # A cron thread skips a database whose registry is still loading, then sleeps a minute:
            # wait for it (a request that needs the database) before any work is triggered.
            requests.get(f"http://127.0.0.1:{port}/shopify/health", timeout=120)
        time.sleep(1)
        return [port for _process, port in self.servers]

    def stop_servers(self):
        for process, _port in self.servers:
            process.terminate()
        for process, _port in self.servers:
            process.wait(timeout=60)
        self.servers = []

    def stop(self):
        if self.servers:
            self.stop_servers()
        self.emulator.stop()

    # ----------------------------------------------------------------------------------------------
    def queue_orders(self, env, numbers):
        shop = env["shopify.shop"].browse(self.shop_id)
        Event = env["shopify.webhook.event"]
        for number in numbers:
            payload = orders_import.order_payload(number)
            Event._ingest(shop, "orders/create", f"bench-{number}", json.dumps(payload), payload)

    def queue_stock_changes(self, env, count, delta=-1):
        """`count` variants' stock changes by `delta`; their pushes queued (as the debounced sync does)."""
        warehouse = env["stock.warehouse"].browse(self.warehouse_id)
        products = env["product.product"].browse(self.variant_product_ids[:count])
        inventory_push.change_stock(env, warehouse, products, delta)
        return env["shopify.shop"].browse(self.shop_id)._inventory_sync()

    def open_jobs(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM shopify_queue_job "
                "WHERE shop_id = %s AND state IN ('pending', 'running')",
                [self.shop_id],
            )
            return cr.fetchone()[0]

    def wait_drained(self, timeout):
        deadline = time.monotonic() + timeout
        while self.open_jobs():
            if time.monotonic() > deadline:
                raise RuntimeError("the queue did not drain in time")
            time.sleep(0.1)
        return time.perf_counter()

    def marks(self):
        """The last job and sync log ids: what a round made comes after them."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT (SELECT COALESCE(max(id), 0) FROM shopify_queue_job), "
                "(SELECT COALESCE(max(id), 0) FROM shopify_sync_log)"
            )
            return cr.fetchone()

    def round_figures(self, since, order_refs):
        """Jobs not done, duplicated / missing sale orders, and the lanes' wait share since `since`
        (marks() before the round)."""
        last_job, last_log = since
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM shopify_queue_job WHERE shop_id = %s AND id > %s GROUP BY state",
                [self.shop_id, last_job],
            )
            states = dict(cr.fetchall())
            cr.execute(
                "SELECT count(*), count(DISTINCT client_order_ref) FROM sale_order "
                "WHERE client_order_ref = ANY(%s)",
                [order_refs],
            )
            orders, distinct = cr.fetchone()
            cr.execute(
                "SELECT COALESCE(sum(wait_s), 0), COALESCE(sum(busy_s), 0) FROM shopify_sync_log "
                "WHERE shop_id = %s AND kind = 'queue' AND id > %s",
                [self.shop_id, last_log],
            )
            wait_s, busy_s = cr.fetchone()
        return {
            "done": states.get("done", 0) + states.get("skipped", 0),
            # Skipped is an outcome (e.g. a debounced stock sync that found its work pushed already).
            "not_done": sum(count for state, count in states.items() if state not in ("done", "skipped")),
            "states": states,
            "orders": orders,
            "duplicates": orders - distinct,
            "missing": len(order_refs) - distinct,
            "lock_wait_pct": 100.0 * wait_s / busy_s if busy_s else 0.0,
        }

    def throttled(self):
        return self.emu_shop.counters.get("throttled", 0)

    def db_now(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT now() at time zone 'UTC'")
            return cr.fetchone()[0]
