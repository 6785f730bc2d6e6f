"""Shopify products ⇄ plain dicts, and the three-way merge used by both sync directions.

Everything is expressed in one *canonical* shape, whatever the source (GraphQL node, REST webhook body
or an Odoo template read by the model layer): `shapes.Product` (services/mapping/shapes.py).

Money is a decimal string on Shopify (never cents): it becomes a `Decimal` rounded to the shop currency.

`product_from_rest` / `product_from_graphql` first check their input against REST_PRODUCT /
GRAPHQL_PRODUCT (services/payload_checks.py): a value that cannot be raises PayloadError naming it.
"""

import hashlib
import html
import json
import re
from collections.abc import Container, Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .. import timestamps
from ..errors import PayloadError
from ..gid import to_gid
from ..payload_checks import (
    MAX_POSITION,
    MAX_WEIGHT,
    Connection,
    Gid,
    Id,
    Integer,
    ListOf,
    Money,
    Number,
    Obj,
    Text,
    Timestamp,
    check,
)
from .merge import (  # noqa: F401 (the mapping table's values, re-exported)
    BOTH,
    NEWEST_WINS,
    ODOO_WINS,
    SHOPIFY_WINS,
    TO_ODOO,
    TO_SHOPIFY,
    merge_flat,
)
from .metafields import PREFIX as METAFIELD_PREFIX
from .shapes import Product, ProductStatus

# A snapshot: {"product": {field: value}, "variants": {variant key: {field: value}}}, JSON-able values;
# flattened: {("product" or variant key, field): value}.
Snapshot = dict[str, dict]
FlatSnapshot = dict[tuple[str, str], object]

PRODUCT_FIELDS = ("title", "description_html", "vendor", "product_type", "tags", "status")
VARIANT_FIELDS = ("price", "compare_at_price", "sku", "barcode", "weight")
# Images: a product's own images (a list, in order) and each variant's image, both named "images" so one
# mapping line rules them. A value is an image's content hash (see services/images.py), never its bytes.
IMAGES = "images"
# Published on the shop's chosen sales channels (a boolean), compared when the shop chose channels.
PUBLISHED = "published"
# The titles of the collections a product belongs to that stand for Odoo categories (sorted).
COLLECTIONS = "collections"
ALL_FIELDS = PRODUCT_FIELDS + VARIANT_FIELDS + (IMAGES, PUBLISHED, COLLECTIONS)
STATUSES = ("ACTIVE", "DRAFT", "ARCHIVED", "UNLISTED")
MAX_OPTIONS = 3
MAX_VARIANTS = 2048
DEFAULT_OPTION = "Title"
DEFAULT_OPTION_VALUE = "Default Title"

# Kilograms per unit of Shopify's WeightUnit.
_KG_PER_UNIT = {
    "GRAMS": Decimal("0.001"),
    "KILOGRAMS": Decimal("1"),
    "OUNCES": Decimal("0.028349523125"),
    "POUNDS": Decimal("0.45359237"),
}
_REST_WEIGHT_UNITS = {"g": "GRAMS", "kg": "KILOGRAMS", "oz": "OUNCES", "lb": "POUNDS"}
WEIGHT_DIGITS = 3


# A payload we cannot map (or build): the one error of services/errors.py, under the name callers use.
MappingError = PayloadError

# ------------------------------------------------------------------------------------------------
# What the mapping reads, and what each value may be
# ------------------------------------------------------------------------------------------------
_STATUS = Text(pattern=r"(?i)active|draft|archived|unlisted", what="a product status")
_WEIGHT = Number(0, MAX_WEIGHT, "a weight")
_POSITION = Integer(0, MAX_POSITION, "a position")
_REST_VARIANT = Obj(
    {
        "id": Id(),
        "admin_graphql_api_id": Gid("ProductVariant"),
        "inventory_item_id": Id(),
        "price": Money(),
        "compare_at_price": Money(),
        "sku": Text(),
        "barcode": Text(),
        "weight": _WEIGHT,
        "weight_unit": Text(pattern="g|kg|oz|lb|GRAMS|KILOGRAMS|OUNCES|POUNDS", what="a weight unit"),
        "grams": Integer(0, MAX_WEIGHT * 1000, "a weight in grams"),
        "position": _POSITION,
        **{f"option{index}": Text() for index in range(1, MAX_OPTIONS + 1)},
    }
)
_PRODUCT_ID = {"id": Id(), "admin_graphql_api_id": Gid("Product")}
REST_PRODUCT = Obj(
    {
        **_PRODUCT_ID,
        **{key: Text() for key in ("handle", "title", "vendor", "product_type")},
        "body_html": Text(None),
        "tags": Text(None),
        "status": _STATUS,
        "updated_at": Timestamp(),
        "options": ListOf(
            Obj({"name": Text(required=True), "values": ListOf(Text()), "position": _POSITION})
        ),
        "variants": ListOf(_REST_VARIANT, MAX_VARIANTS),
    }
)
_GQL_MEDIA = Connection(Obj({"id": Text(), "alt": Text(), "image": Obj({"url": Text()})}), 250)
_GQL_VARIANT = Obj(
    {
        "id": Gid("ProductVariant"),
        "media": _GQL_MEDIA,
        "price": Money(),
        "compareAtPrice": Money(),
        "sku": Text(),
        "barcode": Text(),
        "selectedOptions": ListOf(Obj({"name": Text(required=True), "value": Text()})),
        "inventoryItem": Obj(
            {
                "id": Gid("InventoryItem"),
                "measurement": Obj(
                    {"weight": Obj({"value": _WEIGHT, "unit": Text(pattern="|".join(_KG_PER_UNIT))})}
                ),
            }
        ),
    }
)
GRAPHQL_PRODUCT = Obj(
    {
        "id": Gid("Product"),
        **{key: Text() for key in ("handle", "title", "vendor", "productType")},
        "descriptionHtml": Text(None),
        "tags": ListOf(Text()),
        "status": _STATUS,
        "updatedAt": Timestamp(),
        "options": ListOf(
            Obj(
                {
                    "name": Text(required=True),
                    "position": _POSITION,
                    "optionValues": ListOf(Obj({"name": Text(required=True)})),
                }
            )
        ),
        "variants": Connection(_GQL_VARIANT, MAX_VARIANTS),
        "media": _GQL_MEDIA,
        "metafields": Connection(
            Obj({"namespace": Text(), "key": Text(required=True), "type": Text(), "value": Text(None)}), 250
        ),
    }
)


# ------------------------------------------------------------------------------------------------
# Scalars
# ------------------------------------------------------------------------------------------------
def parse_money(value: object, digits: int = 2) -> Decimal | None:
    """`"24.90"` → `Decimal("24.90")`, rounded half-up to the currency's `digits`; None/"" → None."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise MappingError(f"not a money amount: {value!r}") from error
    if not amount.is_finite():
        raise MappingError(f"not a money amount: {value!r}")
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | float | str, digits: int = 2) -> str:
    """Decimal/float → the decimal string Shopify's `Money` scalar expects (`"24.90"`)."""
    if amount is None:
        return None
    return str(Decimal(str(amount)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def weight_to_kg(value: object, unit: str | None) -> Decimal | None:
    """A Shopify weight (value + WeightUnit or REST unit) in kilograms, rounded to grams."""
    if value is None or value == "":
        return None
    unit = _REST_WEIGHT_UNITS.get(unit, unit) or "KILOGRAMS"
    if unit not in _KG_PER_UNIT:
        raise MappingError(f"unknown weight unit: {unit!r}")
    kilograms = Decimal(str(value)) * _KG_PER_UNIT[unit]
    return kilograms.quantize(Decimal(1).scaleb(-WEIGHT_DIGITS), rounding=ROUND_HALF_UP)


def kg_to_unit(kilograms: Decimal | float | None, unit: str) -> Decimal | None:
    if kilograms is None:
        return None
    return (Decimal(str(kilograms)) / _KG_PER_UNIT[unit]).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def normalize_tags(tags: str | list[str] | None) -> list[str]:
    """A list or REST's comma-separated string → sorted unique trimmed tags (Shopify tags are a set)."""
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = {" ".join(tag.split()) for tag in tags or () if tag and tag.strip()}
    return sorted(cleaned, key=str.casefold)


def split_brand_tag(tag_names: list[str], prefix: str | None) -> tuple[str, list[str]]:
    """Odoo tag names → `(brand, other tags)` when the brand is the tag named `<prefix><brand>`.

    Odoo 18's product tags have no category, so a prefix (e.g. "Brand: ") marks the brand tag. Shopify
    holds one vendor: with several brand tags the first in alphabetical order is the vendor.
    """
    marker = (prefix or "").strip().casefold()
    brands, others = [], []
    for name in tag_names or ():
        clean = " ".join((name or "").split())
        if marker and clean.casefold().startswith(marker):
            brand = clean[len(marker) :].strip()
            if brand:
                brands.append(brand)
                continue
        others.append(clean)
    brands.sort(key=str.casefold)
    return (brands[0] if brands else ""), normalize_tags(others)


def is_brand_tag(name: str, prefix: str | None) -> bool:
    marker = (prefix or "").strip().casefold()
    return bool(marker) and " ".join((name or "").split()).casefold().startswith(marker)


def brand_tag_name(brand: str | None, prefix: str | None) -> str:
    """The Odoo tag name holding `brand` (`"Brand: " + "Acme"` → `"Brand: Acme"`); "" for no brand."""
    brand = " ".join((brand or "").split())
    if not brand:
        return ""
    return " ".join(f"{prefix or ''}{brand}".split())


def normalize_status(status: str | None) -> ProductStatus:
    status = (status or "ACTIVE").upper()
    if status not in STATUSES:
        raise MappingError(f"unknown product status: {status!r}")
    return status


def status_to_odoo(status: str | None) -> dict[str, bool]:
    """Shopify status → Odoo flags. UNLISTED is still sellable (reachable by link), so it maps like ACTIVE."""
    status = normalize_status(status)
    return {
        "active": status != "ARCHIVED",
        "sale_ok": status in ("ACTIVE", "UNLISTED"),
    }


def status_from_odoo(active: bool, sale_ok: bool, previous: str | None = None) -> ProductStatus:
    """Odoo flags → Shopify status; an UNLISTED product stays UNLISTED while Odoo still sells it."""
    if not active:
        return "ARCHIVED"
    if not sale_ok:
        return "DRAFT"
    return "UNLISTED" if previous == "UNLISTED" else "ACTIVE"


def _text(value):
    return (value or "").strip()


_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/h[1-6])\s*>")
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str | None) -> str:
    """Shopify's descriptionHtml → the plain text Odoo keeps as sales description.

    Both sides are compared as text, so markup Odoo cannot hold never looks like a change.
    """
    text = _BLOCK_END.sub("\n", markup or "")
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def text_to_html(text: str | None) -> str:
    """Plain text → descriptionHtml: one paragraph per line, escaped."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines)


def split_variant_prices(
    prices: dict[tuple, Decimal],
) -> tuple[Decimal, dict[tuple[int, str], Decimal], bool]:
    """Variant prices → Odoo's model of a base price plus an extra per attribute value.

    `prices` maps each variant's option values (a tuple, option order) to its Decimal price. Returns
    `(base, extras, exact)`: `extras[(option_index, value)]` is the extra price of that value and
    `exact` tells whether base + extras reproduces every price (Shopify allows prices Odoo's additive
    model cannot express; the caller reports those).
    """
    if not prices:
        return Decimal(0), {}, True
    base = min(prices.values())
    extras = {}
    width = max(len(values) for values in prices)
    for index in range(width):
        for values, price in prices.items():
            if index >= len(values):
                continue
            assigned = sum(extras.get((earlier, values[earlier]), Decimal(0)) for earlier in range(index))
            candidate = price - base - assigned
            key = (index, values[index])
            extras[key] = min(extras.get(key, candidate), candidate)
    exact = all(
        base + sum(extras.get((index, value), Decimal(0)) for index, value in enumerate(values)) == price
        for values, price in prices.items()
    )
    return base, extras, exact


# ------------------------------------------------------------------------------------------------
# Shopify → canonical
# ------------------------------------------------------------------------------------------------
def product_from_graphql(node: dict, digits: int = 2) -> Product:
    """A GraphQL `Product` node (see products_page.graphql) → canonical dict."""
    check(node, GRAPHQL_PRODUCT)
    options = [
        {"name": option["name"], "values": [value["name"] for value in option.get("optionValues") or ()]}
        for option in sorted(node.get("options") or (), key=lambda option: option.get("position") or 0)
    ]
    option_names = [option["name"] for option in options]
    variants = []
    for variant in _nodes(node.get("variants")):
        selected = {item["name"]: item["value"] for item in variant.get("selectedOptions") or ()}
        item = variant.get("inventoryItem") or {}
        weight = ((item.get("measurement") or {}).get("weight")) or {}
        variants.append(
            {
                "gid": variant.get("id"),
                "inventory_item_gid": item.get("id"),
                "option_values": [selected.get(name) for name in option_names],
                "fields": {
                    "price": parse_money(variant.get("price"), digits),
                    "compare_at_price": parse_money(variant.get("compareAtPrice"), digits),
                    "sku": _text(variant.get("sku")),
                    "barcode": _text(variant.get("barcode")),
                    "weight": weight_to_kg(weight.get("value"), weight.get("unit")),
                },
            }
        )
        if "media" in variant:
            first = next(iter(_nodes(variant.get("media"))), None) or {}
            variants[-1]["media_gid"] = first.get("id")
    product = _canonical_product(node.get("id"), node, options, variants, graphql=True)
    if "media" in node:
        product["media"] = media_from_graphql(node.get("media"))
    if "resourcePublications" in node:
        product["publication_gids"] = [
            (item.get("publication") or {}).get("id")
            for item in _nodes(node.get("resourcePublications"))
            if item.get("isPublished")
        ]
    if "collections" in node:
        product["collection_titles"] = {
            item["title"]: item["id"] for item in _nodes(node.get("collections")) if item.get("title")
        }
    if "metafields" in node:
        # {"namespace.key": (type, value)}: the model layer reads the mapped ones (metafields.py).
        product["metafields"] = {
            f"{item.get('namespace')}.{item['key']}": (item.get("type"), item.get("value"))
            for item in _nodes(node.get("metafields"))
        }
    return product


def media_from_graphql(connection) -> list[dict]:
    """A product's media (images only) in order: `[{gid, url, alt}]`; `url` is None while Shopify has not
    processed the image (or failed to)."""
    media = []
    for node in _nodes(connection):
        if not node or not str(node.get("id") or "").startswith("gid://shopify/MediaImage/"):
            continue
        media.append(
            {"gid": node["id"], "url": (node.get("image") or {}).get("url"), "alt": _text(node.get("alt"))}
        )
    return media


def product_from_rest(body: dict, digits: int = 2) -> Product:
    """A REST webhook body (`products/create`, `products/update`) → canonical dict."""
    check(body, REST_PRODUCT)
    gid = product_gid_from_rest(body)
    options = [
        {"name": option["name"], "values": list(option.get("values") or ())}
        for option in sorted(body.get("options") or (), key=lambda option: option.get("position") or 0)
    ]
    variants = []
    for variant in sorted(body.get("variants") or (), key=lambda variant: variant.get("position") or 0):
        if variant.get("weight") is not None:
            weight = weight_to_kg(variant["weight"], variant.get("weight_unit") or "kg")
        elif variant.get("grams") is not None:
            weight = weight_to_kg(variant["grams"], "GRAMS")
        else:
            weight = None
        item_id = variant.get("inventory_item_id")
        variants.append(
            {
                "gid": variant.get("admin_graphql_api_id")
                or (to_gid("ProductVariant", variant["id"]) if variant.get("id") else None),
                "inventory_item_gid": to_gid("InventoryItem", item_id) if item_id else None,
                "option_values": [variant.get(f"option{index}") for index in range(1, len(options) + 1)],
                "fields": {
                    "price": parse_money(variant.get("price"), digits),
                    "compare_at_price": parse_money(variant.get("compare_at_price"), digits),
                    "sku": _text(variant.get("sku")),
                    "barcode": _text(variant.get("barcode")),
                    "weight": weight,
                },
            }
        )
    return _canonical_product(gid, body, options, variants, graphql=False)


def product_gid_from_rest(body: dict) -> str:
    """The product GID a REST body names (`products/delete` sends only this); PayloadError if none."""
    check(body, Obj(_PRODUCT_ID))
    gid = body.get("admin_graphql_api_id") or (to_gid("Product", body["id"]) if body.get("id") else None)
    if not gid:
        raise PayloadError("missing: the body names no product", path="id")
    return gid


def _canonical_product(gid, source, options, variants, graphql) -> Product:
    keys = (
        ("descriptionHtml", "productType", "updatedAt")
        if graphql
        else ("body_html", "product_type", "updated_at")
    )
    if _is_default_options(options):
        options = []
        for variant in variants:
            variant["option_values"] = []
    return {
        "gid": gid,
        "handle": source.get("handle"),
        "updated_at": timestamps.parse_aware(source.get(keys[2])),
        "fields": {
            "title": _text(source.get("title")),
            "description_html": html_to_text(source.get(keys[0])),
            "vendor": _text(source.get("vendor")),
            "product_type": _text(source.get(keys[1])),
            "tags": normalize_tags(source.get("tags")),
            "status": normalize_status(source.get("status")),
        },
        "options": options,
        "variants": variants,
    }


def _is_default_options(options):
    """Shopify gives an option-less product one option `Title` = `Default Title`."""
    return (
        len(options) == 1
        and options[0]["name"] == DEFAULT_OPTION
        and options[0]["values"]
        in (
            [DEFAULT_OPTION_VALUE],
            [],
        )
    )


def _nodes(connection):
    if not connection:
        return []
    if "nodes" in connection:
        return connection["nodes"] or []
    return [edge["node"] for edge in connection.get("edges") or ()]


# ------------------------------------------------------------------------------------------------
# Canonical → productSet
# ------------------------------------------------------------------------------------------------
def check_limits(product: Product) -> list[str]:
    """What of this product Shopify cannot hold: a list of human-readable problems (empty when fine)."""
    problems = []
    if len(product["options"]) > MAX_OPTIONS:
        names = ", ".join(option["name"] for option in product["options"])
        problems.append(
            f"{len(product['options'])} attributes ({names}); Shopify allows {MAX_OPTIONS} options."
        )
    if len(product["variants"]) > MAX_VARIANTS:
        problems.append(f"{len(product['variants'])} variants; Shopify allows {MAX_VARIANTS}.")
    return problems


def product_set_input(product: Product, export_fields: Iterable[str], digits: int = 2) -> dict:
    """The `ProductSetInput` for a canonical product, sending only `export_fields` (plus the variant list).

    productSet deletes variants it is not given, so every variant is always sent; fields outside
    `export_fields` are left out and keep their Shopify value.
    """
    problems = check_limits(product)
    if problems:
        raise MappingError(" ".join(problems))
    fields = product["fields"]
    graphql_names = {
        "title": "title",
        "description_html": "descriptionHtml",
        "vendor": "vendor",
        "product_type": "productType",
        "tags": "tags",
        "status": "status",
    }
    data = {graphql_names[name]: fields[name] for name in PRODUCT_FIELDS if name in export_fields}
    if "descriptionHtml" in data:
        data["descriptionHtml"] = text_to_html(data["descriptionHtml"])
    if "title" not in data:
        data["title"] = fields["title"]  # Shopify requires a title to create a product
    options = product["options"] or [{"name": DEFAULT_OPTION, "values": [DEFAULT_OPTION_VALUE]}]
    data["productOptions"] = [
        {
            "name": option["name"],
            "position": position,
            "values": [{"name": value} for value in option["values"]],
        }
        for position, option in enumerate(options, start=1)
    ]
    data["variants"] = [
        _variant_set_input(variant, options, export_fields, digits) for variant in product["variants"]
    ]
    return data


def _variant_set_input(variant, options, export_fields, digits):
    values = variant["option_values"] or [DEFAULT_OPTION_VALUE]
    fields = variant["fields"]
    data = {
        "optionValues": [
            {"optionName": option["name"], "name": value}
            for option, value in zip(options, values, strict=True)
        ]
    }
    if variant.get("gid"):
        data["id"] = variant["gid"]
    if "price" in export_fields:
        data["price"] = format_money(fields.get("price") or 0, digits)
    if "compare_at_price" in export_fields:
        data["compareAtPrice"] = format_money(fields.get("compare_at_price"), digits)
    if "sku" in export_fields:
        data["sku"] = fields.get("sku") or None
    if "barcode" in export_fields:
        data["barcode"] = fields.get("barcode") or None
    if "weight" in export_fields and fields.get("weight") is not None:
        data["inventoryItem"] = {
            "measurement": {"weight": {"value": float(fields["weight"]), "unit": "KILOGRAMS"}}
        }
    return data


# ------------------------------------------------------------------------------------------------
# Snapshots and the three-way merge
# ------------------------------------------------------------------------------------------------
def variant_key(option_values: Iterable[str | None]) -> str:
    """Identifies a variant by its option values (stable on both sides, unlike ids)."""
    return " / ".join(value or "" for value in option_values) or DEFAULT_OPTION_VALUE


def _plain(value):
    """JSON-safe, comparison-safe form of a canonical value."""
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _money_plain(value):
    if value is None:
        return None
    return format(Decimal(str(value)).normalize(), "f")


def snapshot(product: Product) -> Snapshot:
    """Comparable values of a canonical product: `{"product": {field: v}, "variants": {key: {field: v}}}`."""
    product_values = {name: _plain(product["fields"].get(name)) for name in PRODUCT_FIELDS}
    # Images are compared only when the source read them (a REST webhook body, for one, does not).
    if IMAGES in product["fields"]:
        product_values[IMAGES] = list(product["fields"][IMAGES] or ())
    if COLLECTIONS in product["fields"]:
        product_values[COLLECTIONS] = sorted(product["fields"][COLLECTIONS] or ())
    if PUBLISHED in product["fields"]:
        product_values[PUBLISHED] = bool(product["fields"][PUBLISHED])
    for name, value in product["fields"].items():
        if name.startswith(METAFIELD_PREFIX):
            product_values[name] = value
    variants = {}
    for variant in product["variants"]:
        values = {IMAGES: variant["fields"][IMAGES]} if IMAGES in variant["fields"] else {}
        for name in VARIANT_FIELDS:
            value = variant["fields"].get(name)
            values[name] = _money_plain(value) if name in ("price", "compare_at_price", "weight") else value
        variants[variant_key(variant["option_values"])] = values
    return {"product": product_values, "variants": variants}


def snapshot_hash_of(snap: Snapshot, field_names: Container[str]) -> str:
    """Hash of the values of `field_names` in a snapshot: equal hashes mean nothing mapped differs."""
    flat = {
        f"{scope}\x1f{name}": value for (scope, name), value in flatten(snap).items() if name in field_names
    }
    payload = json.dumps(flat, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def flatten(snap: Snapshot | None) -> FlatSnapshot:
    """`{("product", field): v, (variant key, field): v}` — one entry per comparable value."""
    flat = {}
    for name, value in (snap or {}).get("product", {}).items():
        flat[("product", name)] = value
    for key, values in (snap or {}).get("variants", {}).items():
        for name, value in values.items():
            flat[(key, name)] = value
    return flat


def flat_base(base: Snapshot | None, odoo: Snapshot) -> FlatSnapshot:
    """`base` flattened for a merge against `odoo`: a variant the last sync did not know (added since)
    starts from Odoo's values, so only Shopify can have changed it. No base (first sync): empty."""
    base_flat = flatten(base)
    if base:
        known = set(base.get("variants", {}))
        for key, value in flatten(odoo).items():
            if key[0] != "product" and key[0] not in known and key not in base_flat:
                base_flat[key] = value
    return base_flat


def unflatten(flat: FlatSnapshot) -> Snapshot:
    snap = {"product": {}, "variants": {}}
    for (scope, name), value in flat.items():
        if scope == "product":
            snap["product"][name] = value
        else:
            snap["variants"].setdefault(scope, {})[name] = value
    return snap


def merge(
    base: Snapshot | None,
    odoo: Snapshot,
    shopify: Snapshot,
    rules: dict[str, tuple[str, str]],
    odoo_changed_at: datetime | str | None = None,
    shopify_updated_at: datetime | str | None = None,
    skew_seconds: float = 120,
) -> dict:
    """Three-way merge of product snapshots (services/mapping/merge.py, the one conflict rule).

    `base` is the last synced snapshot (None on a first sync), `odoo` / `shopify` the current ones,
    `rules` `{field: (direction, policy)}` for the mapped fields (others are ignored).
    Returns `{"to_odoo": flat, "to_shopify": flat, "conflicts": [...], "result": snapshot}` where the
    flats hold the values each side must take and `result` is the snapshot both agree on afterwards.
    A variant that exists on one side only is handled by the variant list, not field by field.
    """
    to_odoo, to_shopify, conflicts, result = merge_flat(
        flatten(base),
        flatten(odoo),
        flatten(shopify),
        rules,
        odoo_changed_at,
        shopify_updated_at,
        skew_seconds,
        order=lambda item: (item[0] != "product", item),
    )
    return {"to_odoo": to_odoo, "to_shopify": to_shopify, "conflicts": conflicts, "result": unflatten(result)}


def changed_fields(base: Snapshot | None, current: Snapshot) -> list[tuple[str, str]]:
    """Keys of `current` whose value differs from `base` (Odoo-side change tracking)."""
    base_flat, current_flat = flatten(base), flatten(current)
    return sorted(
        (key for key, value in current_flat.items() if base_flat.get(key, object()) != value),
        key=lambda item: (item[0] != "product", item),
    )


def round_weights(product: Product, digits: int) -> Product:
    """The canonical product with variant weights at Odoo's precision (`digits`), so a weight Odoo
    cannot store exactly is not seen as a change (as the import does)."""
    variants = []
    for variant in product["variants"]:
        weight = variant["fields"].get("weight")
        if weight is not None:
            variant = dict(variant, fields=dict(variant["fields"], weight=round(weight, digits)))
        variants.append(variant)
    return dict(product, variants=variants)
