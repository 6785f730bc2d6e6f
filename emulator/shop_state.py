"""One emulated Shopify store: its settings, catalog, stock, cost bucket, faults and counters.

Everything a test may want to arrange or inspect in-process is a method here; the `/_emulator` admin API
calls the same methods.
"""

import itertools
import random
import threading
from collections import Counter

from .costs import PLANS, CostBucket
from .faults import FaultInjector
from .records import (
    ADDRESS_KEYS,
    QUANTITY_NAMES,
    Collection,
    InventoryLevel,
    Location,
    MetafieldDefinition,
)

DEFAULT_SCOPES = (
    "read_products",
    "write_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_orders",
    "write_orders",
    "read_all_orders",
    "read_customers",
    "write_customers",
    "read_customer_merge",
    "read_fulfillments",
    "write_fulfillments",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_shopify_payments_payouts",
    "read_shopify_payments_disputes",
)
PLAN_NAMES = {"standard": "Basic", "advanced": "Advanced", "plus": "Shopify Plus", "enterprise": "Enterprise"}
# Products' custom ids without a namespace live in the app's reserved namespace.
APP_NAMESPACE = "$app"


class ShopState:
    def __init__(
        self,
        domain,
        *,
        clock,
        seed=0,
        access_token=None,
        client_id=None,
        client_secret=None,
        plan="standard",
        currency="USD",
        name=None,
        timezone="America/New_York",
        scopes=DEFAULT_SCOPES,
        max_available=None,
        restore_rate=None,
        locations=("Main warehouse",),
        taxes_included=False,
        tax_rate="0",
        tax_title="Tax",
        bulk_delay=0.0,
    ):
        if plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r}: one of {', '.join(PLANS)}")
        self.domain = domain
        self.clock = clock
        self.seed = seed
        self.access_token = access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.plan = plan
        self.currency = currency
        self.name = name or domain.split(".")[0].replace("-", " ").title()
        self.timezone = timezone
        self.scopes = tuple(scopes)
        # Checkout tax settings: one rate for everything, prices with or without tax.
        self.taxes_included = taxes_included
        self.tax_rate = tax_rate
        self.tax_title = tax_title
        self.bulk_delay = bulk_delay  # seconds (emulator clock) a bulk operation takes
        self.created_at = clock.now()
        # One lock per shop: requests execute one at a time against a shop's state (as a transaction would).
        self.lock = threading.RLock()
        maximum, rate = PLANS[plan]
        self.bucket = CostBucket(max_available or maximum, restore_rate or rate, clock)
        self.faults = FaultInjector(f"{seed}:{domain}")
        # Listeners called as listener(shop, topic, record) after a change (e.g. webhook delivery).
        self.listeners = []
        self._default_locations = tuple(locations)
        self.base_url = ""  # the emulator's URL (set by EmulatorServer.add_shop): files are served there
        self._clear()

    def _clear(self):
        self._ids = itertools.count(1001)
        self.locations = {}
        self.products = {}
        self.variants = {}
        self.inventory_items = {}
        self.levels = {}  # (item id, location id) -> InventoryLevel
        self.metafield_definitions = {}
        self.media = {}  # MediaImage id -> MediaImage (products' images)
        self.collections = {}
        self.publications = {}  # sales channels' publications (add_publication)
        self.adjustment_groups = {}
        self.idempotency = {}  # key -> (fingerprint, payload)
        self.counters = Counter()
        self.operations = Counter()
        # Orders and fulfillment (emulator/orders.py).
        self.order_numbers = itertools.count(1001)
        self.customers = {}
        self.orders = {}
        self.line_items = {}  # every order's line items by id
        self.fulfillment_orders = {}
        self.fulfillments = {}
        self.transactions = {}
        self.refunds = {}
        # Shopify Payments (emulator/payouts.py): the currencies paid out as such (others are converted
        # to the shop currency), the balance, payouts and disputes.
        self.payout_currencies = (self.currency,)
        self.balance_transactions = {}
        self.payouts = {}
        self.disputes = {}
        # Webhooks (emulator/webhooks.py) and bulk operations (emulator/bulk.py).
        self.webhook_subscriptions = {}
        self.compliance_subscription = None  # the app's privacy webhook address (emulator/webhooks.py)
        self.webhook_log = []  # every Delivery, in the order they were made
        self.webhook_rng = random.Random(f"{self.seed}:{self.domain}:webhooks")
        self.bulk_operations = {}
        self.bulk_files = {}  # result file name -> JSONL bytes
        self.staged_uploads = {}  # staged upload key -> uploaded bytes
        self.files = {}  # MediaImage id -> image bytes served at its url (GET /_files/<domain>/<id>/<name>)
        for location_name in self._default_locations:
            self.add_location(location_name)

    # -- basics ------------------------------------------------------------------------------------
    def next_id(self):
        return next(self._ids)

    def restart_ids(self, start):
        """Continue numbering from `start` (a restored snapshot)."""
        self._ids = itertools.count(start)

    def now(self):
        return self.clock.now()

    def emit(self, topic, record):
        for listener in list(self.listeners):
            listener(self, topic, record)

    @property
    def gid(self):
        return "gid://shopify/Shop/1"

    @property
    def plan_display_name(self):
        return PLAN_NAMES[self.plan]

    # -- arrange -----------------------------------------------------------------------------------
    def add_location(self, name, is_active=True, fulfills_online_orders=True, address=None):
        """`address`: {address1, address2, city, province, province_code, zip, country, country_code, phone,
        latitude, longitude} (any subset)."""
        unknown = set(address or {}) - set(ADDRESS_KEYS)
        if unknown:
            raise ValueError(f"unknown address keys {sorted(unknown)}: use {', '.join(ADDRESS_KEYS)}")
        with self.lock:
            now = self.now()
            location = Location(
                id=self.next_id(),
                created_at=now,
                updated_at=now,
                name=name,
                is_active=is_active,
                fulfills_online_orders=fulfills_online_orders,
                is_primary=not self.locations,
                address=dict(address or {}),
            )
            self.locations[location.id] = location
            return location

    def add_collection(self, title, handle=None, products=(), description_html=""):
        """A manual collection holding `products` (Product records or ids), in that order."""
        with self.lock:
            now = self.now()
            taken = {c.handle for c in self.collections.values()}
            handle = handle or "-".join(title.lower().split()) or "collection"
            base, n = handle, 1
            while handle in taken:
                handle, n = f"{base}-{n}", n + 1
            collection = Collection(
                id=self.next_id(),
                created_at=now,
                updated_at=now,
                title=title,
                handle=handle,
                description_html=description_html,
                product_ids=[getattr(p, "id", p) for p in products],
            )
            self.collections[collection.id] = collection
            return collection

    def add_publication(self, name):
        """A sales channel's publication products can be published to (publishablePublish)."""
        from .records import Publication

        with self.lock:
            now = self.now()
            publication = Publication(id=self.next_id(), created_at=now, updated_at=now, name=name)
            self.publications[publication.id] = publication
            return publication

    def add_metafield_definition(self, namespace, key, type_name="id", owner_type="PRODUCT", name=None):
        with self.lock:
            now = self.now()
            definition = MetafieldDefinition(
                id=self.next_id(),
                created_at=now,
                updated_at=now,
                name=name or key,
                namespace=namespace or APP_NAMESPACE,
                key=key,
                type_name=type_name,
                owner_type=owner_type,
            )
            self.metafield_definitions[definition.id] = definition
            return definition

    def add_product_image(self, product, data, alt=None, variants=(), filename="image.png", url=None):
        """An image (bytes `data`) appended to `product`'s media, served by the emulator (or at `url`, e.g.
        a broken one); `variants` (records or ids) get it as their image. Returns the MediaImage."""
        from .resolvers.media import store_image  # resolvers build on this module

        with self.lock:
            product = self.products[getattr(product, "id", product)]
            now = self.now()
            media = store_image(self, data, filename, alt, now)
            if url is not None:
                media.url = media.original_source = url
            product.media_ids.append(media.id)
            for variant in variants:
                self.variants[getattr(variant, "id", variant)].media_ids = [media.id]
            product.updated_at = now
            return media

    def file_url(self, media_id, filename):
        return f"{self.base_url}/_files/{self.domain}/{media_id}/{filename}"

    def find_definition(self, owner_type, namespace, key):
        namespace = namespace or APP_NAMESPACE
        for definition in self.metafield_definitions.values():
            if (definition.owner_type, definition.namespace, definition.key) == (owner_type, namespace, key):
                return definition
        return None

    def set_bucket(self, max_available=None, restore_rate=None, available=None):
        """Override the plan's bucket, e.g. `set_bucket(max_available=200, restore_rate=50)` (refills it)."""
        self.bucket.configure(max_available, restore_rate, available)
        return self.bucket.status()

    def set_faults(self, reset=False, **values):
        """E.g. `set_faults(error_rate=0.3, latency=0.05, user_errors={"sku": ["BAD-1"]})`."""
        return self.faults.configure(reset=reset, **values)

    def seed_products(self, count, **options):
        """Create `count` products with options, variants and stock at every location; returns them."""
        from .seed import seed_products  # seed builds on the product resolvers, which import records only

        return seed_products(self, count, **options)

    def seed_orders(self, count, **options):
        """Create `count` orders from the catalog as customers would (see emulator/orders.py)."""
        from .orders import seed_orders

        return seed_orders(self, count, **options)

    def place_order(self, lines, **options):
        """Check out `lines` ([{"sku" or "variant_id", "quantity"}]) as a customer (emulator/orders.py)."""
        from .orders import place_order

        return place_order(self, lines, **options)

    def reset(self):
        """Empty catalog, stock, counters and faults; settings and the default locations stay."""
        with self.lock:
            self._clear()
            self.faults.configure(reset=True)
            self.bucket.configure()

    # -- inventory helpers -------------------------------------------------------------------------
    def level(self, item_id, location_id, create=False):
        key = (item_id, location_id)
        level = self.levels.get(key)
        if level is None and create:
            now = self.now()
            level = InventoryLevel(
                id=self.next_id(), created_at=now, updated_at=now, item_id=item_id, location_id=location_id
            )
            self.levels[key] = level
        return level

    def levels_of_item(self, item_id):
        return [level for (item, _loc), level in self.levels.items() if item == item_id]

    def collections_of(self, product_id):
        return [c for c in self.collections.values() if product_id in c.product_ids]

    def remove_variant(self, variant):
        self.variants.pop(variant.id, None)
        self.inventory_items.pop(variant.inventory_item_id, None)
        for key in [key for key in self.levels if key[0] == variant.inventory_item_id]:
            del self.levels[key]

    # -- inspect -----------------------------------------------------------------------------------
    def count(self, name, amount=1):
        with self.lock:
            self.counters[name] += amount

    def state(self):
        """A JSON-friendly picture of the shop (what the `/_emulator/shops/<domain>` endpoint returns)."""
        from .admin_orders import order_summary  # orders build on this module

        with self.lock:
            return {
                "domain": self.domain,
                "name": self.name,
                "plan": self.plan,
                "currency": self.currency,
                "locations": [
                    {"id": loc.gid, "name": loc.name, "isActive": loc.is_active}
                    for loc in self.locations.values()
                ],
                "products": [self._product_state(p) for p in self.products.values()],
                "inventoryLevels": [
                    {
                        "inventoryItemId": f"gid://shopify/InventoryItem/{level.item_id}",
                        "locationId": f"gid://shopify/Location/{level.location_id}",
                        "sku": getattr(self.inventory_items.get(level.item_id), "sku", None),
                        **{name: level.quantity(name) for name in (*QUANTITY_NAMES, "on_hand")},
                    }
                    for level in self.levels.values()
                ],
                "counters": dict(self.counters),
                "operations": dict(self.operations),
                "throttleStatus": self.bucket.status(),
                "faults": self.faults.faults.as_dict(),
                "orders": [order_summary(order) for order in self.orders.values()],
                "webhookSubscriptions": [
                    {"id": s.gid, "topic": s.topic, "uri": s.uri} for s in self.webhook_subscriptions.values()
                ],
                "bulkOperations": [
                    {"id": op.gid, "type": op.type, "status": op.status, "url": op.url}
                    for op in self.bulk_operations.values()
                ],
            }

    def _product_state(self, product):
        variants = [self.variants[v] for v in product.variant_ids if v in self.variants]
        return {
            "id": product.gid,
            "title": product.title,
            "handle": product.handle,
            "status": product.status,
            "updatedAt": product.updated_at.isoformat(),
            "metafields": {f"{ns}.{key}": value for (ns, key), (_type, value) in product.metafields.items()},
            "options": [{"name": o.name, "values": o.values} for o in product.options],
            "variants": [
                {
                    "id": v.gid,
                    "sku": v.sku,
                    "price": v.price,
                    "title": v.title,
                    "inventoryItemId": f"gid://shopify/InventoryItem/{v.inventory_item_id}",
                }
                for v in variants
            ],
        }
