"""Command line: run the emulator as its own process (the demo and benchmarks do)."""

import argparse
import logging
import os
import signal
import sys
import threading

from . import snapshot
from .server import EmulatorServer

DEMO_DOMAIN = "demo-shop.myshopify.com"
DEMO_TOKEN = "demo-access-token"
DEMO_CLIENT_ID = "demo-client-id"
DEMO_CLIENT_SECRET = "demo-client-secret"
DEMO_PRODUCTS = 36
DEMO_ORDERS = 6
SAVE_EVERY = 15  # seconds between snapshot saves while running

_logger = logging.getLogger("emulator")


def add_demo_shop(emulator, products=DEMO_PRODUCTS):
    """The demo store: EUR, prices with 21 % VAT, two locations, a catalog of a few dozen products with 1–3
    options and a few orders (paid or pending, guests and customers)."""
    shop = emulator.add_shop(
        DEMO_DOMAIN,
        access_token=DEMO_TOKEN,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        name="Demo Shop",
        currency="EUR",
        timezone="Europe/Brussels",
        locations=("Main warehouse", "City store"),
        taxes_included=True,
        tax_rate="0.21",
        tax_title="VAT",
    )
    shop.add_metafield_definition("odoo", "product_tmpl_id", "id", name="Odoo product id")
    shop.seed_products(products)
    shop.seed_orders(DEMO_ORDERS)
    return shop


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Shopify Admin API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", default="0", help="RNG seed; 'demo' also creates the demo shop")
    parser.add_argument("--demo", action="store_true", help=f"create the demo shop {DEMO_DOMAIN}")
    parser.add_argument(
        "--snapshot",
        "--state-file",
        dest="snapshot",
        help="JSON file: loaded at start if present, saved while running",
    )
    parser.add_argument("--schema-dir", default=None)
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="print, per API version, the schema's fields with and without a resolver, then exit",
    )
    parser.add_argument("--summary", action="store_true", help="with --coverage: the counts only")
    return parser.parse_args(argv)


def print_coverage(schema_dir=None, details=True):
    """`--coverage`: what the emulator answers of each available version's schema."""
    from . import executor  # noqa: F401  (registers every resolver)
    from .coverage import format_report, report
    from .schema import available_versions, load_schema

    versions = available_versions(schema_dir)
    if not versions:
        sys.stderr.write(f"no schema files in {schema_dir or 'the schema directory'}\n")
        return 1
    reports = {version: report(load_schema(version, schema_dir)) for version in versions}
    sys.stdout.write(format_report(reports, details=details) + "\n")
    return 0


def _saver(emulator, path, stop):
    last = None
    while not stop.wait(SAVE_EVERY):
        marker = sum(sum(s.counters.values()) for s in emulator.shops.values())
        if marker != last:
            snapshot.save(emulator, path)
            last = marker


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.coverage:
        return print_coverage(args.schema_dir, details=not args.summary)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    seed = int(args.seed) if args.seed.isdigit() else args.seed
    emulator = EmulatorServer(host=args.host, port=args.port, seed=seed, schema_dir=args.schema_dir)
    emulator.snapshot_path = args.snapshot
    if args.snapshot and os.path.exists(args.snapshot):
        shops = snapshot.load(emulator, args.snapshot)
        _logger.info("loaded %s shop(s) from %s", len(shops), args.snapshot)
    elif args.demo or args.seed == "demo":
        add_demo_shop(emulator)
    stop = threading.Event()
    if args.snapshot:
        snapshot.save(emulator, args.snapshot)
        threading.Thread(target=_saver, args=(emulator, args.snapshot, stop), daemon=True).start()

    def shutdown(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    _logger.info(
        "Shopify emulator on %s, API versions %s, shops %s",
        emulator.url,
        emulator.versions(),
        sorted(emulator.shops),
    )
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        stop.set()
        if args.snapshot:
            snapshot.save(emulator, args.snapshot)
        _logger.info("stopped")
