"""Benchmark: push 1,000 changed stock levels out of a 10,000-variant catalog, against a naive loop;
then the latency of single stock changes made through the day.

Burst series. Set-up (not measured): N variants bound to the emulator's catalog, one mapped location,
Odoo and Shopify in agreement. Then C variants get a stock move. Measured, in the same run:

* ours: detect the changed set (pending pairs → flagged levels), build batched pushes, send them;
* naive: scan every variant for a difference, then one inventorySetQuantities per changed variant.

Odoo-side CPU is the main thread's CPU time (the emulator serves from its own threads). API calls,
points and THROTTLED answers are the emulator's counters. The database is rolled back at the end.

Latency series. L variants of a second shop (committed: the queue runs in other transactions), then L
receipts validated one by one (each its own transaction), spread evenly over S seconds. Odoo's own cron
threads (two, as a default server runs) process the queue, woken by the queue's triggers, as on a
server; the other crons are postponed past the series. For each receipt: the time from its commit to
the emulator's `available` quantity equalling Odoo's; p50 and p95.

Sizes: --variants/--changed/--latency-changes/--latency-seconds, or BENCH_VARIANTS, BENCH_CHANGED,
BENCH_LATENCY_CHANGES, BENCH_LATENCY_SECONDS (e.g. `BENCH_VARIANTS=300 BENCH_CHANGED=260
BENCH_LATENCY_CHANGES=10 BENCH_LATENCY_SECONDS=5 make bench-inventory_push` for a quick check).
Usage: python bench/inventory_push.py --db DB --odoo-config FILE [--variants 10000] [--changed 1000]
"""

import argparse
import logging
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, api, fields

_logger = logging.getLogger("bench.inventory_push")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("--variants", type=int, default=int(os.environ.get("BENCH_VARIANTS", 10_000)))
    parser.add_argument("--changed", type=int, default=int(os.environ.get("BENCH_CHANGED", 1_000)))
    parser.add_argument(
        "--latency-changes", type=int, default=int(os.environ.get("BENCH_LATENCY_CHANGES", 200))
    )
    parser.add_argument(
        "--latency-seconds", type=float, default=float(os.environ.get("BENCH_LATENCY_SECONDS", 60))
    )
    parser.add_argument("--plan", default="standard", help="emulator shop plan (bucket and restore rate)")
    return parser.parse_args()


class Meter:
    """Wall time, main-thread CPU time and emulator counters over a block."""

    def __init__(self, emu_shop):
        self.emu_shop = emu_shop

    def __enter__(self):
        self.counters = dict(self.emu_shop.counters)
        self.operations = dict(self.emu_shop.operations)
        self.wall = time.perf_counter()
        self.cpu = time.thread_time()
        return self

    def __exit__(self, *_exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.thread_time() - self.cpu

    def delta(self, name):
        return self.emu_shop.counters[name] - self.counters.get(name, 0)

    def calls(self, operation):
        return self.emu_shop.operations[operation] - self.operations.get(operation, 0)


def set_up(env, shop, emu_shop, emu_location, count):
    """N bound variants with 20 units in Odoo and on Shopify, levels recorded as in sync."""
    emu_shop.seed_products(count, max_options=1, max_values=1, stock=(20, 20))
    items = [variant.inventory_item_id for variant in emu_shop.variants.values()]
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    shop._fetch_shopify_locations()
    location = env["shopify.location"].search([("shopify_gid", "=", emu_location.gid)])
    location.warehouse_id = warehouse
    # Set-up only: no chatter messages or followers for 10,000 products.
    quiet = env(
        context=dict(env.context, tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
    )
    templates = quiet["product.template"].create(
        [{"name": f"Bench variant {index}", "is_storable": True} for index in range(count)]
    )
    product_bindings = env["shopify.product.binding"].create(
        [
            {
                "shop_id": shop.id,
                "product_tmpl_id": template.id,
                "shopify_gid": f"gid://shopify/Product/{index}",
            }
            for index, template in enumerate(templates)
        ]
    )
    bindings = env["shopify.variant.binding"].create(
        [
            {
                "product_binding_id": binding.id,
                "product_id": binding.product_tmpl_id.product_variant_id.id,
                "shopify_gid": f"gid://shopify/ProductVariant/{index}",
                "inventory_item_gid": f"gid://shopify/InventoryItem/{item}",
            }
            for index, (binding, item) in enumerate(zip(product_bindings, items, strict=True))
        ]
    )
    # Goods already on the shelf before the bench: quants written directly (no moves, no hook).
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity, reserved_quantity, in_date,
                                 create_uid, write_uid, create_date, write_date)
        SELECT product_id, %s, %s, 20, 0, now() at time zone 'UTC', 1, 1,
               now() at time zone 'UTC', now() at time zone 'UTC'
          FROM unnest(%s::int[]) AS product_id
        """,
        [warehouse.lot_stock_id.id, warehouse.company_id.id, bindings.product_id.ids],
    )
    env["shopify.inventory.pending"]._consume()
    env["shopify.inventory.level"].create(
        [
            {
                "variant_binding_id": binding.id,
                "location_id": location.id,
                "quantity_target": 20,
                "quantity_pushed": 20,
                "quantity_remote": 20,
                "remote_known": True,
            }
            for binding in bindings
        ]
    )
    env.flush_all()
    return shop, warehouse, location, bindings


def shopify_available(emu_shop, emu_location, binding):
    item = int(binding.inventory_item_gid.rsplit("/", 1)[1])
    return emu_shop.level(item, emu_location.id).quantity("available")


def change_stock(env, warehouse, products, delta):
    quants = env["stock.quant"]
    for product in products:
        quants._update_available_quantity(product, warehouse.lot_stock_id, delta)
    env.flush_all()


def ours(env, shop, emu_shop):
    Level = env["shopify.inventory.level"]
    with Meter(emu_shop) as detect:
        Level._collect_pending()
        changed = Level.search_count([("shop_id", "=", shop.id), ("needs_push", "=", True)])
    with Meter(emu_shop) as push:
        pushes = env["shopify.inventory.push"]._prepare_for_shop(shop)
        for batch in pushes:
            while batch._send() == "resend":  # what the queue does, one job per round
                pass
    failed = pushes.filtered(lambda batch: batch.state != "done")
    if failed:
        raise RuntimeError(f"{len(failed)} push(es) did not apply: {failed.mapped('error')}")
    return changed, detect, push


# ----------------------------------------------------------------------------------------------------
# Latency series
# ----------------------------------------------------------------------------------------------------
def start_cron_threads(count=2):
    """Odoo's cron threads, as a server runs them (they listen for `cron_trigger` notifications)."""
    from odoo.service.server import ThreadedServer

    server = ThreadedServer(None)
    for number in range(count):
        thread = threading.Thread(target=server.cron_thread, args=(number,), daemon=True)
        thread.start()


def postpone_other_crons(env, until):
    queue_cron = env.ref("shopify_sync.ir_cron_shopify_queue")
    others = env["ir.cron"].search([("active", "=", True), ("id", "!=", queue_cron.id)])
    others.write({"nextcall": until})


def receive(env, warehouse, product, quantity):
    """A receipt from a vendor, validated: what a warehouse worker does."""
    picking = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.in_type_id.id,
            "location_id": env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": warehouse.lot_stock_id.id,
            "move_ids": [
                odoo.Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": quantity,
                        "product_uom": product.uom_id.id,
                        "location_id": env.ref("stock.stock_location_suppliers").id,
                        "location_dest_id": warehouse.lot_stock_id.id,
                    }
                )
            ],
        }
    )
    picking.action_confirm()
    picking.move_ids.quantity = quantity
    picking.move_ids.picked = True
    picking.button_validate()


def latency_series(registry, emulator, changes, seconds):
    """Seconds from each receipt's commit to Shopify showing its quantity, in commit order."""
    emu_shop = emulator.add_shop("latency-store.myshopify.com", access_token="latency-token")
    emu_location = emu_shop.add_location("Latency warehouse")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shop = env["shopify.shop"].create(
            {
                "name": "Latency",
                "shop_domain": "latency-store.myshopify.com",
                "access_token": "latency-token",
                "api_base_url": emulator.url,
            }
        )
        shop, warehouse, _location, bindings = set_up(env, shop, emu_shop, emu_location, changes)
        postpone_other_crons(env, fields.Datetime.now() + timedelta(seconds=seconds + 600))
        targets = [(binding.product_id.id, binding) for binding in bindings]
        items = {product_id: binding.inventory_item_gid for product_id, binding in targets}
        delay = shop.inventory_push_delay
    start_cron_threads()
    waiting = {}  # product id -> (commit time, expected quantity)
    latencies = []
    lock = threading.Lock()
    done = threading.Event()

    def watch():
        while not done.is_set() or waiting:
            with lock:
                for product_id, (committed, expected) in list(waiting.items()):
                    item = int(items[product_id].rsplit("/", 1)[1])
                    if emu_shop.level(item, emu_location.id).quantity("available") == expected:
                        latencies.append(time.monotonic() - committed)
                        del waiting[product_id]
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    gap = seconds / changes
    started = time.monotonic()
    for index, (product_id, _binding) in enumerate(targets):
        time.sleep(max(0.0, started + index * gap - time.monotonic()))
        quantity = index % 5 + 1
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            receive(
                env,
                env["stock.warehouse"].browse(warehouse.id),
                env["product.product"].browse(product_id),
                quantity,
            )
        with lock:
            waiting[product_id] = (time.monotonic(), 20 + quantity)
    done.set()
    watcher.join(timeout=max(120.0, 10 * delay))
    if waiting:
        raise RuntimeError(f"{len(waiting)} change(s) never reached Shopify: {sorted(waiting)[:5]}")
    return latencies, delay


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def naive(env, shop, emu_shop, location, bindings):
    """The loop a first version writes: look at every variant, one mutation per difference."""
    client = shop._shopify_client(for_write=True)
    with Meter(emu_shop) as detect:
        stock = location.stock_location_id
        changed = []
        for binding in bindings:
            level = binding.inventory_level_ids[:1]
            quantity = int(binding.product_id.with_context(location=stock.id).free_qty)
            if quantity != level.quantity_pushed:
                changed.append((binding, level, quantity))
    with Meter(emu_shop) as push:
        for binding, level, quantity in changed:
            row = {
                "inventoryItemId": binding.inventory_item_gid,
                "locationId": location.shopify_gid,
                "quantity": max(quantity, 0),
                "changeFromQuantity": None,
            }
            client.execute(
                "inventory_set_quantities",
                {"input": {"name": "available", "reason": "correction", "quantities": [row]}},
                idempotency_key=str(uuid.uuid4()),
            )
            level.quantity_pushed = quantity
    return len(changed), detect, push


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db, "--log-level=warn"])
    from odoo.addons.shopify_sync.emulator import EmulatorServer

    emulator = EmulatorServer().start()
    try:
        emu_shop = emulator.add_shop("bench-store.myshopify.com", access_token="bench-token", plan=args.plan)
        emu_location = emu_shop.add_location("Bench warehouse")
        registry = odoo.modules.registry.Registry(args.db)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {
                    "name": "Bench",
                    "shop_domain": "bench-store.myshopify.com",
                    "access_token": "bench-token",
                    "api_base_url": emulator.url,
                }
            )
            started = time.perf_counter()
            shop, warehouse, location, bindings = set_up(env, shop, emu_shop, emu_location, args.variants)
            print(f"set-up: {args.variants} variants in {time.perf_counter() - started:.1f}s", flush=True)

            changed_products = bindings[: args.changed].product_id
            change_stock(env, warehouse, changed_products, -1)
            changed, detect, push = ours(env, shop, emu_shop)
            calls = push.calls("InventorySetQuantities")
            print(
                f"ours:  changed={changed} detect={detect.wall:.3f}s push={push.wall:.3f}s "
                f"calls={calls} points={push.delta('cost'):.0f} throttled={push.delta('throttled')} "
                f"cpu={detect.cpu + push.cpu:.3f}s",
                flush=True,
            )
            wrong = [
                binding.product_id.display_name
                for binding in bindings[: args.changed]
                if shopify_available(emu_shop, emu_location, binding) != 19
            ]
            if wrong:
                raise RuntimeError(f"Shopify does not show the pushed quantities for {wrong[:5]}")

            # Same changes again (19 → 18) for the naive loop.
            change_stock(env, warehouse, changed_products, -1)
            env["shopify.inventory.pending"]._consume()
            naive_changed, naive_detect, naive_push = naive(env, shop, emu_shop, location, bindings)
            print(
                f"naive: changed={naive_changed} detect={naive_detect.wall:.3f}s push={naive_push.wall:.3f}s "
                f"calls={naive_push.calls('InventorySetQuantities')} points={naive_push.delta('cost'):.0f} "
                f"throttled={naive_push.delta('throttled')} cpu={naive_detect.cpu + naive_push.cpu:.3f}s",
                flush=True,
            )
            cr.rollback()
        latencies, delay = latency_series(registry, emulator, args.latency_changes, args.latency_seconds)
        p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
        print(
            f"latency: changes={len(latencies)} over={args.latency_seconds:.0f}s push_delay={delay}s "
            f"p50={p50:.2f}s p95={p95:.2f}s max={max(latencies):.2f}s",
            flush=True,
        )
        ratio = (naive_detect.wall + naive_push.wall) / max(detect.wall + push.wall, 1e-9)
        cpu = detect.cpu + push.cpu
        throttled = push.delta("throttled")
        print(
            f"RESULT inventory_push changed={changed} calls={calls} detect_s={detect.wall:.3f} "
            f"cpu_s={cpu:.3f} throttled={throttled} ratio_vs_naive={ratio:.1f} "
            f"latency_p50_s={p50:.2f} latency_p95_s={p95:.2f}"
        )
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
