"""Benchmark: daily product reconciliation of 50,000 products / 150,000 variants from a bulk JSONL file,
next to a baseline paging through `products(first: …)` against the emulator holding the same catalog.

The catalog is generated (every product has options Size S/M/L, three variants); its bulk result file
(the shape `bulk_product_reconcile.graphql` produces) is written for the first 10,000 and for all
50,000 products and served by a local HTTP server. Odoo holds the catalog bound: template and variant
rows cloned in SQL from one product made by the ORM, bindings with the snapshot of the last sync (the
fast path reads bindings and write dates only). 0.1 % of the products are made by the ORM with real
attributes and drift on Shopify (another title): they go through the full three-way merge.

Each measurement runs in a process of its own (peak RSS while processing, VmHWM reset just before, per
file size): the 10k file with 10k products
bound, then the 50k file with 50k bound, each through `shopify.bulk.operation._process` (streamed,
joined, `_bulk_process_product_reconcile` per batch, missing links at the end), rolled back after.
SQL queries are counted with the cursor's counter. The baseline pages through the same catalog held by
the emulator (plan Plus, the most generous bucket) with `products_reconcile_page` and feeds every page
to the same batch processing. Shopify refuses `products(first: 250)` with variants (requested cost above
1000 points): the baseline tries it once, then uses the largest page that fits (49 products × 3
variants), over a sample of the catalog (`--paging-products`); rows/s is a rate, the sample size does
not change it.

The Plus series goes on to 500,000 variants (`--plus-products`, 166,667 products × 3 variants): its file
is processed the same way, in a process of its own, after binding the rest of the catalog; its peak RSS
is `rss_mb_500k` and its rate `rows_per_s`.

rows = JSONL objects (products + variants). Usage:
python bench/reconcile.py --db DB --odoo-config FILE [--products 50000] [--small 10000]
                          [--plus-products 166667] [--paging-products 5000]
(environment: BENCH_SMALL, BENCH_PRODUCTS, BENCH_PLUS_PRODUCTS, BENCH_PAGING for a quick try)
"""

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, api

DOMAIN = "bench-reconcile.myshopify.com"
TOKEN = "bench-token"
SIZES = ("S", "M", "L")
VENDORS = ("Acme Goods", "Northwind", "Maison Verte", "Blue Harbor")
DRIFT_EVERY = 1000  # one product in a thousand drifted on Shopify (ORM-made, full merge)
SQL_CHUNK = 5000
PAGE_SIZE_WANTED = 250
PAGE_SIZE_FITTING = 49  # 49 × (1 + options + 3 variants × 6) + 2 = 982 points ≤ 1000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    # Environment overrides are for quick local tries; `make bench-reconcile` runs the defaults.
    parser.add_argument("--products", type=int, default=int(os.environ.get("BENCH_PRODUCTS", 50000)))
    parser.add_argument("--small", type=int, default=int(os.environ.get("BENCH_SMALL", 10000)))
    parser.add_argument(
        "--plus-products", type=int, default=int(os.environ.get("BENCH_PLUS_PRODUCTS", 166667))
    )
    parser.add_argument("--paging-products", type=int, default=int(os.environ.get("BENCH_PAGING", 5000)))
    parser.add_argument("--phase", choices=("main", "bulk", "paging"), default="main")
    parser.add_argument("--url")
    parser.add_argument("--count", type=int)
    return parser.parse_args()


# ----------------------------------------------------------------------------------------------------
# The catalog
# ----------------------------------------------------------------------------------------------------
def is_drifted(number):
    return number % DRIFT_EVERY == 0


def product_row(number, shopify_side=True):
    """Product `number` as a bulk root line; Shopify's title differs for the drifted ones."""
    title = f"Bench product {number}"
    if shopify_side and is_drifted(number):
        title += " (renamed on Shopify)"
    return {
        "id": f"gid://shopify/Product/{number}",
        "handle": f"bench-product-{number}",
        "title": title,
        "descriptionHtml": "",
        "vendor": VENDORS[number % len(VENDORS)],
        "productType": "",
        "tags": [],
        "status": "ACTIVE",
        "updatedAt": "2026-11-20T10:00:00Z",
        "options": [{"name": "Size", "position": 1, "optionValues": [{"name": size} for size in SIZES]}],
    }


def variant_rows(number):
    for index, size in enumerate(SIZES):
        item = number * 3 + index
        yield {
            "id": f"gid://shopify/ProductVariant/{item}",
            "sku": f"B{number}-{size}",
            "barcode": f"{number:09d}{index}",
            "price": "19.90",
            "compareAtPrice": None,
            "selectedOptions": [{"name": "Size", "value": size}],
            "inventoryItem": {
                "id": f"gid://shopify/InventoryItem/{item}",
                "measurement": {"weight": {"value": 0.5, "unit": "KILOGRAMS"}},
            },
            "__parentId": f"gid://shopify/Product/{number}",
        }


def write_jsonl(path, count):
    with open(path, "w") as out:
        for number in range(1, count + 1):
            out.write(json.dumps(product_row(number)) + "\n")
            for variant in variant_rows(number):
                out.write(json.dumps(variant) + "\n")
    return count * 4


def synced_snapshot(number, digits):
    """What Odoo recorded at the last sync: the catalog before the drift."""
    from odoo.addons.shopify_sync.services import reconcile
    from odoo.addons.shopify_sync.services.mapping import products as mapping

    root = dict(
        product_row(number, shopify_side=False), __children={"ProductVariant": list(variant_rows(number))}
    )
    product = mapping.product_from_graphql(reconcile.product_node(root), digits)
    return mapping.snapshot(product)


# ----------------------------------------------------------------------------------------------------
# Odoo side: products and bindings
# ----------------------------------------------------------------------------------------------------
def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def orm_product(env, number, size_attribute):
    template = env["product.template"].create(
        {
            "name": f"Bench product {number}",
            "product_brand": VENDORS[number % len(VENDORS)],
            "list_price": 19.90,
            "attribute_line_ids": [
                (
                    0,
                    0,
                    {"attribute_id": size_attribute.id, "value_ids": [(6, 0, size_attribute.value_ids.ids)]},
                )
            ],
        }
    )
    for product in template.product_variant_ids:
        size = product.product_template_attribute_value_ids.name
        index = SIZES.index(size)
        product.write({"default_code": f"B{number}-{size}", "barcode": f"{number:09d}{index}", "weight": 0.5})
    return template


def bind(env, shop, first, last):
    """Products `first`..`last` bound to the shop as after a sync (SQL clones of one ORM prototype)."""
    from odoo.addons.shopify_sync.models.products.product_binding import snapshot_hash

    cr = env.cr
    size = env["product.attribute"].search([("name", "=", "Size")], limit=1) or env[
        "product.attribute"
    ].create({"name": "Size", "value_ids": [(0, 0, {"name": name}) for name in SIZES]})
    digits = shop._shopify_currency_digits()
    prototype = env["product.template"].search([("name", "=", "Bench prototype")], limit=1)
    if not prototype:
        prototype = orm_product(env, 0, size)
        prototype.name = "Bench prototype"
    env.flush_all()
    template_columns = columns(cr, "product_template")
    variant_columns = columns(cr, "product_product")
    prototype_variants = prototype.product_variant_ids.sorted("id").ids
    Binding = env["shopify.product.binding"]
    for start in range(first, last + 1, SQL_CHUNK):
        numbers = range(start, min(last, start + SQL_CHUNK - 1) + 1)
        plain = [n for n in numbers if not is_drifted(n)]
        template_ids = {}
        if plain:
            overrides = {
                "name": "jsonb_build_object('en_US', 'Bench product ' || n)",
                "product_brand": "(%s::text[])[n %% 4 + 1]",  # VENDORS[number % 4]
            }
            select = ", ".join(overrides.get(column, column) for column in template_columns)
            cr.execute(
                f"""
                INSERT INTO product_template ({", ".join(template_columns)})
                SELECT {select} FROM product_template, unnest(%s::int[]) AS n WHERE id = %s
                RETURNING id, name->>'en_US'
                """,
                [list(VENDORS), plain, prototype.id],
            )
            template_ids = {int(name.rsplit(" ", 1)[1]): tid for tid, name in cr.fetchall()}
            overrides = {
                "product_tmpl_id": "t.id",
                "default_code": "'B' || t.n || '-' || (ARRAY['S','M','L'])[v.k]",
                "barcode": "lpad(t.n::text, 9, '0') || (v.k - 1)",
                "weight": "0.5",
            }
            select = ", ".join(overrides.get(column, f"p.{column}") for column in variant_columns)
            cr.execute(
                f"""
                INSERT INTO product_product ({", ".join(variant_columns)})
                SELECT {select}
                  FROM unnest(%s::int[], %s::int[]) AS t(n, id)
                 CROSS JOIN unnest(%s::int[]) WITH ORDINALITY AS v(pid, k)
                  JOIN product_product p ON p.id = v.pid
                """,
                [list(template_ids), list(template_ids.values()), prototype_variants],
            )
        for number in numbers:
            if is_drifted(number):
                template_ids[number] = orm_product(env, number, size).id
        env.flush_all()
        rows = []
        for number, template_id in template_ids.items():
            snap = synced_snapshot(number, digits)
            rows.append(
                (template_id, f"gid://shopify/Product/{number}", json.dumps(snap), snapshot_hash(snap))
            )
        cr.execute(
            """
            INSERT INTO shopify_product_binding
                   (shop_id, company_id, product_tmpl_id, shopify_gid, shopify_handle, synced_values,
                    synced_hash, synced_at, sync_state, active, export_pending, export_priority,
                    create_uid, write_uid, create_date, write_date)
            SELECT %s, %s, r.tmpl, r.gid, 'bench-product-' || split_part(r.gid, '/', 5),
                   r.snap::jsonb, r.hash,
                   now() at time zone 'utc' + interval '1 second', 'synced', true, false, 10, 1, 1,
                   now() at time zone 'utc', now() at time zone 'utc'
              FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[]) AS r(tmpl, gid, snap, hash)
            """,
            [shop.id, shop.company_id.id, *map(list, zip(*rows, strict=True))],
        )
        cr.execute(
            """
            INSERT INTO shopify_variant_binding
                   (product_binding_id, shop_id, company_id, product_id, shopify_gid, inventory_item_gid, sku,
                    active, create_uid, write_uid, create_date, write_date)
            SELECT b.id, b.shop_id, b.company_id, p.id,
                   'gid://shopify/ProductVariant/' || (split_part(b.shopify_gid, '/', 5)::int * 3 + p.k - 1),
                   'gid://shopify/InventoryItem/' || (split_part(b.shopify_gid, '/', 5)::int * 3 + p.k - 1),
                   p.default_code, true, 1, 1, now() at time zone 'utc', now() at time zone 'utc'
              FROM shopify_product_binding b
              JOIN (SELECT id, product_tmpl_id, default_code,
                           row_number() OVER (PARTITION BY product_tmpl_id ORDER BY id) AS k
                      FROM product_product WHERE product_tmpl_id = ANY(%s)) p
                ON p.product_tmpl_id = b.product_tmpl_id
             WHERE b.shop_id = %s
            """,
            [list(template_ids.values()), shop.id],
        )
    Binding.invalidate_model()
    return Binding.search_count([("shop_id", "=", shop.id)])


# ----------------------------------------------------------------------------------------------------
# Measured phases (each in a process of its own)
# ----------------------------------------------------------------------------------------------------
def open_env(args):
    odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.db)
    return registry.cursor()


def rss_mb():
    """Peak RSS of this process since the last `reset_peak_rss()` (VmHWM), else since it started."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss():
    """Start the peak over from the current RSS (Linux: "5" > /proc/self/clear_refs), so the peak printed
    is the processing's, not the registry load's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def phase_bulk(args):
    with open_env(args) as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        shop = env["shopify.shop"].search([("shop_domain", "=", DOMAIN)])
        operation = env["shopify.bulk.operation"].create(
            {
                "shop_id": shop.id,
                "kind": "product_reconcile",
                "operation_gid": f"gid://shopify/BulkOperation/bench-{args.count}",
                "status": "completed",
                "url": args.url,
            }
        )
        report = env["shopify.product.reconcile"].create(
            {"shop_id": shop.id, "bulk_operation_id": operation.id}
        )
        env.flush_all()
        reset_peak_rss()
        rss_before = rss_mb()
        queries = cr.sql_log_count
        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        start = time.perf_counter()
        if profile:
            profile.enable()
        rows = operation._process()
        env.flush_all()
        elapsed = time.perf_counter() - start
        if profile:  # where the time goes: BENCH_PROFILE=1 prints the top functions on stderr
            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        queries = cr.sql_log_count - queries
        result = {
            "rows": rows,
            "elapsed": elapsed,
            "queries": queries,
            "rss_before_mb": rss_before,
            "rss_peak_mb": rss_mb(),
            "report": {
                name: report[name]
                for name in (
                    "checked_count",
                    "in_sync_count",
                    "drift_count",
                    "failed_count",
                    "gone_count",
                    "unbound_count",
                )
            },
        }
        cr.rollback()
    print("PHASE " + json.dumps(result), flush=True)


def load_emulator_catalog(emu_shop, count):
    """The same catalog as Shopify records (built directly: the emulator's productSet takes minutes)."""
    from odoo.addons.shopify_sync.emulator.records import (
        InventoryItem,
        OptionValue,
        Product,
        ProductOption,
        Variant,
    )

    now = emu_shop.now()
    for number in range(1, count + 1):
        row = product_row(number)
        options = [
            ProductOption(
                id=number,
                name="Size",
                position=1,
                option_values=[OptionValue(id=number * 3 + i, name=size) for i, size in enumerate(SIZES)],
            )
        ]
        variant_ids = []
        for index, variant in enumerate(variant_rows(number)):
            item_id = number * 3 + index
            emu_shop.inventory_items[item_id] = InventoryItem(
                id=item_id,
                created_at=now,
                updated_at=now,
                sku=variant["sku"],
                weight_value=0.5,
                weight_unit="KILOGRAMS",
                variant_id=item_id,
            )
            emu_shop.variants[item_id] = Variant(
                id=item_id,
                created_at=now,
                updated_at=now,
                product_id=number,
                inventory_item_id=item_id,
                sku=variant["sku"],
                barcode=variant["barcode"],
                price=variant["price"],
                position=index + 1,
                selected=[("Size", SIZES[index])],
            )
            variant_ids.append(item_id)
        emu_shop.products[number] = Product(
            id=number,
            created_at=now,
            updated_at=now,
            title=row["title"],
            handle=row["handle"],
            vendor=row["vendor"],
            status="ACTIVE",
            options=options,
            variant_ids=variant_ids,
        )


def phase_paging(args):
    odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db, "--log-level=warn"])
    from odoo.addons.shopify_sync.emulator import EmulatorServer
    from odoo.addons.shopify_sync.models.reconcile import handlers as reconcile_run
    from odoo.addons.shopify_sync.services.errors import ShopifyError

    emulator = EmulatorServer().start()
    try:
        emu_shop = emulator.add_shop(DOMAIN, access_token=TOKEN, plan="plus")
        load_emulator_catalog(emu_shop, args.count)
        with open_env(args) as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].search([("shop_domain", "=", DOMAIN)])
            shop.write({"api_base_url": emulator.url, "access_token": TOKEN})
            operation = env["shopify.bulk.operation"].create(
                {
                    "shop_id": shop.id,
                    "kind": "product_reconcile",
                    "operation_gid": "bench-paging",
                    "status": "completed",
                }
            )
            report = env["shopify.product.reconcile"].create(
                {"shop_id": shop.id, "bulk_operation_id": operation.id}
            )
            key = (cr.dbname, operation.id)
            reconcile_run._RUNS[key] = reconcile_run._Run(report, shop)
            client = shop._shopify_client()
            refused = ""
            try:
                client.execute("products_reconcile_page", {"first": PAGE_SIZE_WANTED, "variantsFirst": 3})
            except ShopifyError as error:
                refused = str(error)[:160]
            env.flush_all()
            queries = cr.sql_log_count
            start = time.perf_counter()
            rows = products = 0
            after = None
            while products < args.paging_products:
                data = client.execute(
                    "products_reconcile_page",
                    {"first": PAGE_SIZE_FITTING, "after": after, "variantsFirst": 3},
                )["products"]
                batch = []
                for node in data["nodes"]:
                    variants = node.pop("variants")["nodes"]
                    batch.append(dict(node, __children={"ProductVariant": variants}))
                    rows += 1 + len(variants)
                products += len(batch)
                operation._bulk_process_product_reconcile(batch)
                if not data["pageInfo"]["hasNextPage"]:
                    break
                after = data["pageInfo"]["endCursor"]
            env.flush_all()
            elapsed = time.perf_counter() - start
            result = {
                "rows": rows,
                "products": products,
                "elapsed": elapsed,
                "queries": cr.sql_log_count - queries,
                "refused_250": refused,
                "report": {
                    "checked_count": report.checked_count,
                    "in_sync_count": report.in_sync_count,
                    "drift_count": report.drift_count,
                },
            }
            reconcile_run._RUNS.pop(key, None)
            cr.rollback()
    finally:
        emulator.stop()
    print("PHASE " + json.dumps(result), flush=True)


# ----------------------------------------------------------------------------------------------------
# Orchestration
# ----------------------------------------------------------------------------------------------------
def run_phase(args, phase, **extra):
    command = [
        sys.executable,
        __file__,
        "--db",
        args.db,
        "--odoo-config",
        args.odoo_config,
        "--phase",
        phase,
        "--paging-products",
        str(args.paging_products),
    ]
    for name, value in extra.items():
        command += [f"--{name}", str(value)]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    line = next(line for line in reversed(output.splitlines()) if line.startswith("PHASE "))
    return json.loads(line[len("PHASE ") :])


def serve(directory):
    handler = partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *_args):
        pass


def main():
    args = parse_args()
    if args.phase == "bulk":
        return phase_bulk(args)
    if args.phase == "paging":
        return phase_paging(args)
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        sizes = (args.small, args.products, args.plus_products)
        for count in sizes:
            write_jsonl(tmp / f"catalog-{count}.jsonl", count)
        print(
            f"files: {args.small}, {args.products} and {args.plus_products} products written "
            f"in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        server = serve(tmp)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db, "--log-level=warn"])
        registry = odoo.modules.registry.Registry(args.db)
        results = {}
        bound = 0
        try:
            for count in sizes:
                started = time.perf_counter()
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    shop = env["shopify.shop"].search([("shop_domain", "=", DOMAIN)]) or env[
                        "shopify.shop"
                    ].create({"name": "Bench", "shop_domain": DOMAIN, "access_token": TOKEN})
                    total = bind(env, shop, bound + 1, count)
                    cr.commit()
                bound = count
                print(
                    f"odoo: {total} products bound ({time.perf_counter() - started:.1f}s to prepare)",
                    flush=True,
                )
                results[count] = result = run_phase(
                    args, "bulk", url=f"{base}/catalog-{count}.jsonl", count=count
                )
                print(
                    f"bulk {count}: {result['rows']} rows in {result['elapsed']:.1f}s = "
                    f"{result['rows'] / result['elapsed']:.0f} rows/s; {result['queries']} queries "
                    f"({result['queries'] / result['rows'] * 1000:.1f} per 1000 rows); "
                    f"RSS {result['rss_before_mb']:.0f} MB when processing started, "
                    f"peak {result['rss_peak_mb']:.0f} MB while processing; report {result['report']}",
                    flush=True,
                )
        finally:
            server.shutdown()
        paging = run_phase(args, "paging", count=args.products)
        print(
            f"paging: products(first: {PAGE_SIZE_WANTED}) refused ({paging['refused_250'] or 'accepted'}); "
            f"first: {PAGE_SIZE_FITTING} over {paging['products']} of {args.products} products: "
            f"{paging['rows']} rows "
            f"in {paging['elapsed']:.1f}s = {paging['rows'] / paging['elapsed']:.0f} rows/s; "
            f"{paging['queries'] / paging['rows'] * 1000:.1f} queries per 1000 rows; "
            f"report {paging['report']}",
            flush=True,
        )
    big = results[args.products]
    plus = results[args.plus_products]
    rows_per_s = plus["rows"] / plus["elapsed"]
    paging_rows_per_s = paging["rows"] / paging["elapsed"]
    print(
        f"RESULT reconcile rows_per_s={rows_per_s:.0f} rss_mb_10k={results[args.small]['rss_peak_mb']:.0f} "
        f"rss_mb_50k={big['rss_peak_mb']:.0f} rss_mb_500k={plus['rss_peak_mb']:.0f} "
        f"queries_per_1000={plus['queries'] / plus['rows'] * 1000:.1f} "
        f"ratio_vs_paging={rows_per_s / paging_rows_per_s:.1f}"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
