"""Command line: run the emulator as its own process (the demo and benchmarks do)."""

import argparse
import logging
import sys

from .server import EmulatorServer

DEMO_DOMAIN = "demo-shop.myshopify.com"
DEMO_TOKEN = "demo-access-token"
DEMO_CLIENT_ID = "demo-client-id"
DEMO_CLIENT_SECRET = "demo-client-secret"


def add_demo_shop(emulator, products=36):
    shop = emulator.add_shop(
        DEMO_DOMAIN,
        access_token=DEMO_TOKEN,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
        name="Demo Shop",
        currency="EUR",
        timezone="Europe/Brussels",
        locations=("Main warehouse", "City store"),
    )
    shop.add_metafield_definition("odoo", "product_tmpl_id", "id", name="Odoo product id")
    shop.seed_products(products)
    return shop


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Shopify Admin API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", default="0", help="RNG seed; 'demo' also loads the demo shop")
    parser.add_argument("--demo", action="store_true", help=f"create the demo shop {DEMO_DOMAIN}")
    parser.add_argument(
        "--snapshot", "--state-file", dest="snapshot", help="JSON file to load from and save to"
    )
    parser.add_argument("--schema-dir", default=None)
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    log = logging.getLogger("emulator")
    seed = int(args.seed) if args.seed.isdigit() else args.seed
    emulator = EmulatorServer(host=args.host, port=args.port, seed=seed, schema_dir=args.schema_dir)
    if args.demo or args.seed == "demo":
        add_demo_shop(emulator)
    log.info(
        "Shopify emulator on %s, API versions %s, shops %s",
        emulator.url,
        emulator.versions(),
        sorted(emulator.shops),
    )
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
