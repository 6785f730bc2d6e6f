"""Benchmark: export N products (3 variants each) to the emulator on the Standard plan, against a naive loop.

Ours: every product marked for export, then `shop._shopify_export_pending()` run after run (each run
spends the bucket plus a minute of restore) until nothing is left: one productSet per product, keyed by
customId, the shared budget pacing the calls so that Shopify never answers THROTTLED.
Naive baseline, same run, on a sample of products: what the seed did, in today's API (2026-01+, where
per-variant create/update mutations are gone) — one `productCreate` with the options (Shopify makes
the first variant), one `productVariantsBulkUpdate` pricing that variant, then one
`productVariantsBulkCreate` per further variant, with a fixed sleep after every call.

Images series: N_images products with 3 images each (the template's and two variants'), exported, then
exported again with nothing changed: the re-export must make no image call (no stagedUploadsCreate, no
upload); `image_bytes_uploaded` is what the first export uploaded.

Both start with the bucket drained (steady state: restore rate only, no burst). Theoretical maximum =
restore rate ÷ points per product (emulator's actual cost of our calls ÷ products). The database is
rolled back at the end. Default N = 1000 takes about 3–4 minutes on the Standard plan (100 points/s).

Price campaign: the N exported (bound) products each get a new price in Odoo, then the scheduled export
runs as it does for a mass change (above the bulk threshold): Shopify's current values read by one bulk
query, merged, sent as one bulk productSet mutation. `price_update_points` = requested points of every
call the campaign made (recorded `shopify.api.call` rows), except the mutation's own bulk cost (staged
upload and `bulkOperationRunMutation`); the paged read it replaces is shown for comparison (its
estimate, not run). Every product must end synced with the new price on Shopify.
Usage: python bench/products_export.py --db DB --odoo-config FILE [--n 1000] [--naive-n 30] [--sleep 0.5]
[--images-n 1000]; the defaults can be set with BENCH_N, BENCH_NAIVE_N, BENCH_IMAGES_N (a small check run:
BENCH_N=20 BENCH_NAIVE_N=2 BENCH_IMAGES_N=10 make bench-products_export).
"""

import argparse
import base64
import io
import os
import sys
import time
from decimal import Decimal

import odoo
from odoo import SUPERUSER_ID, api

DOMAIN = "bench-store.myshopify.com"
TOKEN = "bench-token"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument(
        "--n", type=int, default=int(os.environ.get("BENCH_N", 1000)), help="products exported by our export"
    )
    parser.add_argument(
        "--naive-n",
        type=int,
        default=int(os.environ.get("BENCH_NAIVE_N", 30)),
        help="products exported by the naive loop",
    )
    parser.add_argument(
        "--images-n",
        type=int,
        default=int(os.environ.get("BENCH_IMAGES_N", 1000)),
        help="products with 3 images each exported, then exported again unchanged",
    )
    parser.add_argument("--sleep", type=float, default=0.5, help="the naive loop's fixed sleep per call (s)")
    parser.add_argument("--plan", default="standard")
    return parser.parse_args()


class Meter:
    """Wall time and emulator counters over a block."""

    def __init__(self, emu_shop):
        self.emu_shop = emu_shop

    def __enter__(self):
        self.start = dict(self.emu_shop.counters)
        self.wall = time.perf_counter()
        return self

    def __exit__(self, *_exc):
        self.wall = time.perf_counter() - self.wall

    def delta(self, name):
        return self.emu_shop.counters[name] - self.start.get(name, 0)


def make_templates(env, count, prefix):
    size = env["product.attribute"].search([("name", "=", "Bench size")], limit=1) or env[
        "product.attribute"
    ].create({"name": "Bench size", "value_ids": [(0, 0, {"name": name}) for name in ("S", "M", "L")]})
    templates = env["product.template"].create(
        [
            {
                "name": f"{prefix} {index}",
                "list_price": 19.90 + index % 7,
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": size.id, "value_ids": [(6, 0, size.value_ids.ids)]})
                ],
            }
            for index in range(count)
        ]
    )
    for product in templates.product_variant_ids:
        product.default_code = f"{prefix[:3].upper()}-{product.id}"
    return templates


def ours(env, shop, emu_shop, count):
    templates = make_templates(env, count, "Bench export")
    Binding = env["shopify.product.binding"]
    Binding.create([{"shop_id": shop.id, "product_tmpl_id": template.id} for template in templates])
    # Start from an empty bucket (the worst case). It is drained before the shop's first calls (the
    # customId definition, made at setup), so the client has seen Shopify's real bucket state when the
    # measured export starts; draining it behind the client's back would measure the bench, not the pacing.
    emu_shop.set_bucket(available=0)
    shop._shopify_ensure_custom_id_definition()
    with Meter(emu_shop) as meter:
        runs = 0
        while Binding.search_count([("shop_id", "=", shop.id), ("export_pending", "=", True)]):
            stats = shop._shopify_export_pending()
            runs += 1
            if stats["failed"]:
                raise RuntimeError(f"{stats['failed']} product(s) failed to export")
    exported = Binding.search_count([("shop_id", "=", shop.id), ("sync_state", "=", "synced")])
    if exported != count or len(emu_shop.products) != count:
        raise RuntimeError(f"exported {exported}, emulator holds {len(emu_shop.products)}, expected {count}")
    return meter, runs


MUTATION_OWN_COST = ("staged_uploads_create", "bulk_operation_run_mutation")


def price_campaign(env, shop, emu_shop):
    """One price change on every bound product, exported as a mass change; (points, paged estimate, n)."""
    Binding = env["shopify.product.binding"]
    Calls = env["shopify.api.call"]
    bindings = Binding.search([("shop_id", "=", shop.id), ("shopify_gid", "!=", False)])
    env["ir.config_parameter"].sudo().set_param(
        "shopify_sync.product_bulk_export_threshold", str(min(250, len(bindings) - 1))
    )
    for binding in bindings:
        binding.product_tmpl_id.list_price += 1.0
    paged_estimate = sum(cost for _chunk, cost in shop._shopify_export_chunks(bindings))
    first_call = Calls.search([], order="id desc", limit=1).id
    with Meter(emu_shop) as meter:
        shop._shopify_export_marked()
        Bulk = env["shopify.bulk.operation"].with_context(shopify_bulk_deferred=True)
        for kind in ("product_export_read", "product_export"):
            operation = Bulk.search(
                [("shop_id", "=", shop.id), ("kind", "=", kind)], order="id desc", limit=1
            )
            while not operation.processed:
                operation._refresh()
                if operation.status == "completed":
                    operation._process()
                elif operation.status not in ("created", "running"):
                    raise RuntimeError(f"bulk {kind} ended {operation.status}")
    calls = Calls.search([("id", ">", first_call), ("shop_id", "=", shop.id)])
    points = sum(call.requested_cost or 0 for call in calls if call.operation not in MUTATION_OWN_COST)
    left = Binding.search_count([("id", "in", bindings.ids), ("export_pending", "=", True)])
    prices = {
        Decimal(emu_shop.variants[int(gid.rsplit("/", 1)[1])].price)
        for gid in bindings.variant_binding_ids.mapped("shopify_gid")
    }
    expected = {Decimal(f"{price:.2f}") for price in bindings.product_tmpl_id.mapped("list_price")}
    if left or not prices <= expected:
        raise RuntimeError(
            f"price campaign: {left} products left, Shopify prices {sorted(prices - expected)[:5]}"
        )
    return points, paged_estimate, len(bindings), meter


def png(number):
    """A small PNG of its own colour: every image of the series has different bytes."""
    from PIL import Image

    buffer = io.BytesIO()
    color = (number % 256, number // 256 % 256, number // 65536 % 256)
    Image.new("RGB", (64, 64), color).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue())


def images_series(env, shop, emu_shop, count):
    """Export `count` products with 3 images each, then export them again with nothing changed."""
    templates = make_templates(env, count, "Bench images")
    for index, template in enumerate(templates):
        template.image_1920 = png(3 * index)
        for slot, variant in enumerate(template.product_variant_ids[:2], start=1):
            variant.image_variant_1920 = png(3 * index + slot)
    Binding = env["shopify.product.binding"]
    bindings = Binding.create(
        [{"shop_id": shop.id, "product_tmpl_id": template.id} for template in templates]
    )

    def export_all():
        runs = 0
        while Binding.search_count([("id", "in", bindings.ids), ("export_pending", "=", True)]):
            stats = shop._shopify_export_pending(bindings.filtered("export_pending"))
            runs += 1
            if stats["failed"]:
                raise RuntimeError(f"{stats['failed']} product(s) with images failed to export")
        return runs

    def image_calls():
        return emu_shop.operations["StagedUploadsCreate"] + emu_shop.counters["uploads"]

    with Meter(emu_shop) as first:
        runs = export_all()
    media = sum(len(p.media_ids) for p in emu_shop.products.values() if p.title.startswith("Bench images"))
    if media != 3 * count:
        raise RuntimeError(f"{media} images on Shopify, expected {3 * count}")
    bindings._mark_for_export()
    calls_before = image_calls()
    with Meter(emu_shop) as again:
        export_all()
    return first, again, runs, image_calls() - calls_before


def naive(env, shop, emu_shop, count, sleep):
    """productCreate, then one variant mutation per variant, a fixed sleep after every call."""
    templates = make_templates(env, count, "Bench naive")
    client = shop._shopify_client(for_write=True)
    Binding = env["shopify.product.binding"].with_context(shopify_import=True)
    emu_shop.set_bucket(available=0)
    with Meter(emu_shop) as meter:
        for template in templates:
            binding = Binding.new({"shop_id": shop.id, "product_tmpl_id": template.id})
            data = binding._shopify_product_set_variables()["input"]
            product = {key: data[key] for key in PRODUCT_KEYS if key in data}
            product["productOptions"] = data["productOptions"]
            created = client.execute("product_create", {"product": product})["productCreate"]["product"]
            time.sleep(sleep)
            first, *others = [bulk_variant(variant) for variant in data["variants"]]
            first["id"] = created["variants"]["nodes"][0]["id"]
            client.execute("product_variants_bulk_update", {"productId": created["id"], "variants": [first]})
            time.sleep(sleep)
            for variant in others:
                client.execute(
                    "product_variants_bulk_create", {"productId": created["id"], "variants": [variant]}
                )
                time.sleep(sleep)
    made = [p for p in emu_shop.products.values() if p.title.startswith("Bench naive")]
    if len(made) != count or any(len(p.variant_ids) != len(template.product_variant_ids) for p in made):
        raise RuntimeError("the naive loop did not create every product with its variants")
    return meter


PRODUCT_KEYS = ("title", "descriptionHtml", "vendor", "productType", "tags", "status")


def bulk_variant(variant):
    """A productSet variant input as a ProductVariantsBulkInput (the SKU lives on the inventory item)."""
    data = {
        key: variant[key] for key in ("optionValues", "price", "compareAtPrice", "barcode") if key in variant
    }
    item = dict(variant.get("inventoryItem") or {})
    if variant.get("sku"):
        item["sku"] = variant["sku"]
    if item:
        data["inventoryItem"] = item
    return data


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db, "--log-level=warn"])
    from odoo.addons.shopify_sync.emulator import EmulatorServer

    emulator = EmulatorServer().start()
    try:
        emu_shop = emulator.add_shop(DOMAIN, access_token=TOKEN, plan=args.plan)
        registry = odoo.modules.registry.Registry(args.db)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            shop = env["shopify.shop"].create(
                {"name": "Bench", "shop_domain": DOMAIN, "access_token": TOKEN, "api_base_url": emulator.url}
            )
            restore_rate = emu_shop.bucket.restore_rate

            meter, runs = ours(env, shop, emu_shop, args.n)
            points = meter.delta("cost")
            points_per_product = points / args.n
            per_min = args.n / meter.wall * 60
            theoretical = restore_rate / points_per_product * 60
            throttled = meter.delta("throttled")
            print(
                f"ours:  {args.n} products in {meter.wall:.1f}s ({runs} runs) = {per_min:.1f}/min; "
                f"{points_per_product:.2f} points/product; theoretical max {theoretical:.1f}/min; "
                f"{meter.delta('requests')} requests, {throttled} THROTTLED",
                flush=True,
            )

            campaign_points, paged_estimate, campaign_n, campaign_meter = price_campaign(env, shop, emu_shop)
            print(
                f"price campaign: {campaign_n} bound products repriced, exported in "
                f"{campaign_meter.wall:.1f}s "
                f"with {campaign_meter.delta('requests')} requests: {campaign_points:.0f} requested points "
                f"besides the bulk mutation (the paged read of current values: about {paged_estimate:.0f})",
                flush=True,
            )

            naive_meter = naive(env, shop, emu_shop, args.naive_n, args.sleep)
            naive_points = naive_meter.delta("cost") / args.naive_n
            naive_per_min = args.naive_n / naive_meter.wall * 60
            naive_throttled = naive_meter.delta("throttled")
            print(
                f"naive: {args.naive_n} products in {naive_meter.wall:.1f}s = {naive_per_min:.1f}/min; "
                f"{naive_points:.2f} points/product; {naive_meter.delta('requests')} requests, "
                f"{naive_throttled} THROTTLED (fixed sleep {args.sleep}s per call)",
                flush=True,
            )
            first, again, image_runs, image_calls_reexport = images_series(env, shop, emu_shop, args.images_n)
            image_bytes = first.delta("upload_bytes")
            print(
                f"images: {args.images_n} products × 3 images in {first.wall:.1f}s ({image_runs} runs), "
                f"{first.delta('uploads')} uploads, {image_bytes} bytes, {first.delta('cost')} points; "
                f"re-export unchanged in {again.wall:.1f}s: {image_calls_reexport} image calls, "
                f"{again.delta('cost')} points",
                flush=True,
            )
            cr.rollback()
        efficiency = per_min / theoretical
        print(
            f"RESULT products_export efficiency={efficiency:.3f} throttled={throttled} "
            f"points_per_product={points_per_product:.2f} ratio_vs_naive={per_min / naive_per_min:.2f} "
            f"price_update_points={campaign_points:.0f} "
            f"image_calls_reexport={image_calls_reexport} image_bytes_uploaded={image_bytes}"
        )
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
