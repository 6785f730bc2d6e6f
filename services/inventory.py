"""Inventory sync, the pure part: quantities to send, mutation inputs, batches, webhook bodies, drift.

No Odoo here: the models hand in plain values and persist what comes back.
"""

import math
from collections.abc import Iterable
from typing import TypeVar

from .gid import to_gid
from .payload_checks import MAX_STOCK, Gid, Id, Integer, Obj, Timestamp, as_int, check

T = TypeVar("T")

# Shopify rejects input arrays longer than this (general input limit).
MAX_QUANTITIES_PER_CALL = 250
# Re-reads go through `nodes(ids:)` with one level each: ~3 points per item keeps a page far below 1000.
MAX_ITEMS_PER_READ = 100
QUANTITY_NAMES = ("available", "on_hand")
SET_REASON = "correction"
STALE_CODE = "CHANGE_FROM_QUANTITY_STALE"
# Answers that call for re-reading and a new key: a stale compare-and-swap, a key whose first attempt
# failed for good, or a key already used with other quantities. A concurrent one must just wait.
NEW_KEY_CODES = frozenset(
    {STALE_CODE, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"}
)
RETRY_LATER_CODES = frozenset({"IDEMPOTENCY_CONCURRENT_REQUEST"})


def target_quantity(on_hand: float, reserved: float, source: str) -> tuple[int, bool]:
    """The whole quantity to show on Shopify and whether negative stock was clamped to zero.

    `source` is "free" (on hand minus reserved) or "on_hand". Fractions round down: Shopify counts
    whole units and we must never promise a unit we do not have.
    """
    if source not in ("free", "on_hand"):
        raise ValueError(f"unknown quantity source {source!r}")
    quantity = on_hand - reserved if source == "free" else on_hand
    # Tolerate float noise such as 2.9999999 for 3.
    whole = math.floor(quantity + 1e-9)
    if whole < 0:
        return 0, True
    return whole, False


def chunked(rows: Iterable[T], size: int = MAX_QUANTITIES_PER_CALL) -> list[list[T]]:
    """Consecutive slices of at most `size` rows."""
    rows = list(rows)
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def set_quantities_input(name: str, rows: Iterable[dict], reference_uri: str) -> dict:
    """The `input` of inventorySetQuantities.

    `rows`: dicts with inventory_item_gid, location_gid, quantity, change_from (None = skip the
    compare-and-swap). `changeFromQuantity` is always present, null included: Shopify requires the key.
    """
    if name not in QUANTITY_NAMES:
        raise ValueError(f"unknown quantity name {name!r}")
    if len(rows) > MAX_QUANTITIES_PER_CALL:
        raise ValueError(f"{len(rows)} quantities in one call: at most {MAX_QUANTITIES_PER_CALL}")
    return {
        "name": name,
        "reason": SET_REASON,
        "referenceDocumentUri": reference_uri,
        "quantities": [
            {
                "inventoryItemId": row["inventory_item_gid"],
                "locationId": row["location_gid"],
                "quantity": int(row["quantity"]),
                "changeFromQuantity": None if row["change_from"] is None else int(row["change_from"]),
            }
            for row in rows
        ],
    }


def reference_uri(push_id: int) -> str:
    """Names our sync in Shopify's inventory history (an app-owned gid, not gid://shopify/…)."""
    return f"gid://shopify-sync/StockSync/{push_id}"


def error_codes(user_errors: Iterable[dict] | None) -> set[str]:
    return {error.get("code") for error in user_errors or () if error.get("code")}


def quantity_by_name(quantities: Iterable[dict] | None, name: str) -> int | None:
    """`[{"name": "available", "quantity": 3}, …]` → 3 (None when the name is absent)."""
    for entry in quantities or ():
        if entry.get("name") == name:
            return entry.get("quantity")
    return None


def levels_from_item_nodes(
    nodes: Iterable[dict | None] | None, name: str
) -> dict[str, tuple[bool, int | None]]:
    """`nodes(ids:)` answer of inventory_items_levels → {item gid: (tracked, quantity or None)}.

    Unknown ids come back as null nodes and are left out; an item not stocked at the location has
    no level, so its quantity is None.
    """
    levels = {}
    for node in nodes or ():
        if not node or not node.get("id"):
            continue
        level = node.get("inventoryLevel")
        quantity = quantity_by_name(level.get("quantities"), name) if level else None
        levels[node["id"]] = (bool(node.get("tracked")), quantity)
    return levels


# What an inventory_levels/update body must hold (services/payload_checks.py); stock may be negative.
LEVEL_UPDATE = Obj(
    {
        "inventory_item_id": Id(required=True),
        "location_id": Id(required=True),
        "available": Integer(-MAX_STOCK, MAX_STOCK, "a stock quantity"),
        "updated_at": Timestamp(),
        "admin_graphql_api_id": Gid("InventoryLevel"),
    }
)


def parse_level_update(payload: dict) -> dict:
    """The REST body of an `inventory_levels/update` webhook → plain values with GIDs.

    Its `admin_graphql_api_id` is an InventoryLevel id, so the item and location ids are rebuilt from
    the numeric fields. Raises PayloadError (a ValueError) naming the field a body lacks or spoils.
    """
    check(payload, LEVEL_UPDATE)
    return {
        "inventory_item_gid": _gid("InventoryItem", payload["inventory_item_id"]),
        "location_gid": _gid("Location", payload["location_id"]),
        "available": as_int(payload.get("available"), None),
        "updated_at": payload.get("updated_at"),
    }


def _gid(resource_type, value):
    return value if str(value).startswith("gid://") else to_gid(resource_type, value)


def drift_summary(differences: list[dict], top: int = 10) -> dict:
    """`differences`: (label, odoo quantity, shopify quantity or None) per pair that differed.

    Returns the count and the `top` largest absolute differences, largest first; a pair unknown on
    Shopify counts as the whole Odoo quantity.
    """
    ranked = sorted(
        differences,
        key=lambda item: (-abs(item[1] - (item[2] or 0)), item[0]),
    )
    return {
        "pairs_differed": len(ranked),
        "largest": [
            {"pair": label, "odoo": odoo, "shopify": shopify, "difference": odoo - (shopify or 0)}
            for label, odoo, shopify in ranked[:top]
        ],
    }


def quantity_index(field: Iterable | None) -> int | None:
    """Row index a userError points at: `["input", "quantities", "3", "quantity"]` → 3, else None."""
    parts = [str(part) for part in field or ()]
    if "quantities" in parts:
        position = parts.index("quantities") + 1
        if position < len(parts) and parts[position].isdigit():
            return int(parts[position])
    return None
