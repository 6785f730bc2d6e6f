"""Save the emulator's shops to a JSON file and load them back (`--snapshot`), so a demo keeps its data
across restarts. Idempotency keys, adjustment history, counters and faults are not kept."""

import json
import os
import tempfile
from dataclasses import fields
from datetime import datetime

from .records import (
    Collection,
    InventoryItem,
    InventoryLevel,
    Location,
    MediaImage,
    MetafieldDefinition,
    OptionValue,
    Product,
    ProductOption,
    Variant,
)

FORMAT = 1
# ShopState store → record class; resource families that add stores add them here.
STORES = {
    "locations": Location,
    "metafield_definitions": MetafieldDefinition,
    "products": Product,
    "variants": Variant,
    "inventory_items": InventoryItem,
    "media": MediaImage,
    "collections": Collection,
}
SETTINGS = (
    "access_token",
    "client_id",
    "client_secret",
    "plan",
    "currency",
    "name",
    "timezone",
    "scopes",
    "taxes_included",
    "tax_rate",
    "tax_title",
    "bulk_delay",
)


def _plain(value):
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, (ProductOption, OptionValue)):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {"$map": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _revive(value):
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$map" in value:
            return {_key(k): _revive(v) for k, v in value["$map"]}
        return {k: _revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revive(item) for item in value]
    return value


def _key(value):
    return tuple(value) if isinstance(value, list) else value


def _record(cls, data):
    values = {name: _revive(value) for name, value in data.items()}
    if cls is Product:
        values["options"] = [
            ProductOption(
                id=o["id"],
                name=o["name"],
                position=o["position"],
                option_values=[OptionValue(**v) for v in o["option_values"]],
            )
            for o in values["options"]
        ]
        values["metafields"] = {k: tuple(v) for k, v in values["metafields"].items()}
    if cls is Variant:
        values["selected"] = [tuple(pair) for pair in values["selected"]]
    return cls(**values)


def shop_to_dict(shop):
    with shop.lock:
        return {
            "domain": shop.domain,
            "settings": {name: _plain(getattr(shop, name)) for name in SETTINGS},
            "bucket": {"max_available": shop.bucket.maximum, "restore_rate": shop.bucket.restore_rate},
            "next_id": shop.next_id(),
            "stores": {
                store: [
                    {f.name: _plain(getattr(r, f.name)) for f in fields(r)}
                    for r in getattr(shop, store).values()
                ]
                for store in STORES
            },
            "levels": [
                {f.name: _plain(getattr(level, f.name)) for f in fields(level)}
                for level in shop.levels.values()
            ],
        }


def shop_from_dict(emulator, data):
    settings = {name: _revive(value) for name, value in data["settings"].items()}
    shop = emulator.add_shop(data["domain"], locations=(), **settings)
    with shop.lock:
        shop.set_bucket(**data["bucket"])
        for store, cls in STORES.items():
            target = getattr(shop, store)
            target.clear()
            for record in data["stores"].get(store, []):
                restored = _record(cls, record)
                target[restored.id] = restored
        for level_data in data["levels"]:
            level = _record(InventoryLevel, level_data)
            shop.levels[(level.item_id, level.location_id)] = level
        shop.restart_ids(data["next_id"])
        shop._default_locations = tuple(loc.name for loc in shop.locations.values())
    return shop


def save(emulator, path):
    """Write every shop to `path` atomically (a crash mid-write keeps the previous file)."""
    payload = {"format": FORMAT, "shops": [shop_to_dict(shop) for shop in list(emulator.shops.values())]}
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=directory, delete=False, suffix=".tmp", encoding="utf-8"
    ) as handle:
        json.dump(payload, handle)
    os.replace(handle.name, path)


def load(emulator, path):
    """Add the shops saved in `path`; returns them."""
    with open(path, encoding="utf-8") as handle:
        payload = json.load(handle)
    if payload.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown snapshot format {payload.get('format')!r}")
    return [shop_from_dict(emulator, data) for data in payload["shops"]]
