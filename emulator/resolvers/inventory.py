"""Inventory items, levels and quantities: queries and the set/adjust mutations (CAS + idempotency)."""

import json

from graphql import get_directive_values

from ..records import ON_HAND_PARTS, QUANTITY_NAMES, AdjustmentGroup
from .common import ResolverError, connection, parse_gid, search_filter, user_error
from .registry import field, mutation, query, shape

# Reasons Shopify accepts for quantity changes (shopify-api-facts §5).
REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
}
QUANTITY_LIMIT = 1_000_000_000
# From this version on, changeFromQuantity must be sent and @idempotent is required (facts §5, §8).
STRICT_FROM_VERSION = "2026-04"

_ITEM_SEARCH = {
    "sku": lambda item: item.sku,
    "id": lambda item: item.id,
    "updated_at": lambda item: item.updated_at,
    "created_at": lambda item: item.created_at,
}


shape("InventoryItemMeasurement", "id", "weight")
shape("Weight", "value", "unit")
shape("MoneyV2", "amount", "currencyCode")
shape("InventoryQuantity", "id", "name", "quantity", "updatedAt")
shape("InventoryChange", "name", "delta", "quantityAfterChange", "ledgerDocumentUri", "item", "location")
shape("InventorySetQuantitiesPayload", "inventoryAdjustmentGroup", "userErrors")
shape("InventoryAdjustQuantitiesPayload", "inventoryAdjustmentGroup", "userErrors")
shape("InventoryActivatePayload", "inventoryLevel", "userErrors")


# -- queries -------------------------------------------------------------------------------------------
@query("inventoryItem")
def resolve_inventory_item(_root, info, id):
    return info.context.shop.inventory_items.get(parse_gid(id, "InventoryItem"))


@query("inventoryItems")
def resolve_inventory_items(_root, info, query=None, **page):
    items = search_filter(list(info.context.shop.inventory_items.values()), query, _ITEM_SEARCH, "sku")
    return connection(items, **page)


field("Shop", "inventoryItems")(resolve_inventory_items)


@query("inventoryLevel")
def resolve_inventory_level(_root, info, id):
    level_id = parse_gid(id, "InventoryLevel")
    return next((level for level in info.context.shop.levels.values() if level.id == level_id), None)


# -- InventoryItem / Location / InventoryLevel fields ----------------------------------------------------
@field("InventoryItem", "inventoryLevel")
def resolve_item_level(item, info, locationId, includeInactive=False):
    level = info.context.shop.level(item.id, parse_gid(locationId, "Location"))
    return level if level and (level.is_active or includeInactive) else None


@field("InventoryItem", "inventoryLevels")
def resolve_item_levels(item, info, includeInactive=False, query=None, **page):
    levels = [lv for lv in info.context.shop.levels_of_item(item.id) if lv.is_active or includeInactive]
    return connection(levels, **page)


@field("InventoryItem", "variant")
def resolve_item_variant(item, info):
    return info.context.shop.variants.get(item.variant_id)


@field("InventoryItem", "variants")
def resolve_item_variants(item, info, **page):
    variant = info.context.shop.variants.get(item.variant_id)
    return connection([variant] if variant else [], **page)


@field("InventoryItem", "measurement")
def resolve_item_measurement(item, _info):
    return {
        "id": f"gid://shopify/InventoryItemMeasurement/{item.id}",
        "weight": {"value": item.weight_value, "unit": item.weight_unit},
    }


@field("InventoryItem", "unitCost")
def resolve_item_unit_cost(item, info):
    return (
        {"amount": item.cost, "currencyCode": info.context.shop.currency} if item.cost is not None else None
    )


@field("InventoryItem", "duplicateSkuCount")
def resolve_duplicate_sku_count(item, info):
    if not item.sku:
        return 0
    return sum(1 for other in info.context.shop.inventory_items.values() if other.sku == item.sku) - 1


@field("InventoryItem", "locationsCount")
def resolve_item_locations_count(item, info):
    return {"count": len(info.context.shop.levels_of_item(item.id)), "precision": "EXACT"}


@field("Location", "inventoryLevel")
def resolve_location_level(location, info, inventoryItemId, includeInactive=False):
    level = info.context.shop.level(parse_gid(inventoryItemId, "InventoryItem"), location.id)
    return level if level and (level.is_active or includeInactive) else None


@field("Location", "inventoryLevels")
def resolve_location_levels(location, info, includeInactive=False, query=None, **page):
    levels = [
        level
        for (_item, loc), level in info.context.shop.levels.items()
        if loc == location.id and (level.is_active or includeInactive)
    ]
    return connection(levels, **page)


@field("InventoryLevel", "item")
def resolve_level_item(level, info):
    return info.context.shop.inventory_items.get(level.item_id)


@field("InventoryLevel", "location")
def resolve_level_location(level, info):
    return info.context.shop.locations.get(level.location_id)


@field("InventoryLevel", "quantities")
def resolve_level_quantities(level, _info, names):
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level.id}?inventory_item_id={level.item_id}&name={name}",
            "name": name,
            "quantity": level.quantity(name),
            "updatedAt": level.updated_at,
        }
        for name in names
    ]


@field("InventoryLevel", "canDeactivate")
def resolve_level_can_deactivate(level, _info):
    return level.quantity("committed") == 0


@field("ProductVariant", "inventoryQuantity")
def resolve_variant_inventory_quantity(variant, info):
    return sum(
        level.quantity("available") for level in info.context.shop.levels_of_item(variant.inventory_item_id)
    )


@field("InventoryAdjustmentGroup", "changes")
def resolve_group_changes(group, info, inventoryItemIds=None, locationIds=None, quantityNames=None):
    items = {parse_gid(i, "InventoryItem") for i in inventoryItemIds or ()}
    locations = {parse_gid(i, "Location") for i in locationIds or ()}
    shop = info.context.shop
    return [
        {
            "name": change["name"],
            "delta": change["delta"],
            "quantityAfterChange": change["quantity_after"],
            "ledgerDocumentUri": change.get("ledger"),
            "item": shop.inventory_items.get(change["item_id"]),
            "location": shop.locations.get(change["location_id"]),
        }
        for change in group.changes
        if (not items or change["item_id"] in items)
        and (not locations or change["location_id"] in locations)
        and (not quantityNames or change["name"] in quantityNames)
    ]


# -- idempotency ---------------------------------------------------------------------------------------
def _idempotency_key(info):
    directive = info.schema.get_directive("idempotent")
    if directive is None:
        return None
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values) or {}
    return values.get("key")


def idempotent(info, arguments, run, error_payload):
    """Run `run()` once per `@idempotent(key:)`: a replay with the same key and arguments gets the first
    result and changes nothing; the same key with other arguments is refused."""
    shop = info.context.shop
    key = _idempotency_key(info)
    if key is None:
        if info.context.version >= STRICT_FROM_VERSION:
            raise ResolverError(
                f"The @idempotent directive is required for {info.field_name} from API version "
                f'{STRICT_FROM_VERSION}: add @idempotent(key: "<uuid>") to the mutation field.',
                code="IDEMPOTENCY_KEY_REQUIRED",
            )
        with shop.lock:
            return run()
    fingerprint = json.dumps([info.field_name, arguments], sort_keys=True, default=str)
    with shop.lock:
        if key in shop.idempotency:
            stored_fingerprint, payload = shop.idempotency[key]
            if stored_fingerprint != fingerprint:
                return error_payload(
                    user_error(
                        "The same idempotency key was used with different parameters.",
                        ["idempotent", "key"],
                        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                    )
                )
            shop.count("idempotent_replays")
            return payload
        payload = run()
        shop.idempotency[key] = (fingerprint, payload)
        return payload


def _no_group(error):
    return {"inventoryAdjustmentGroup": None, "userErrors": [error]}


# -- inventorySetQuantities ----------------------------------------------------------------------------
@mutation("inventorySetQuantities")
def resolve_inventory_set_quantities(_root, info, input):
    return idempotent(info, input, lambda: set_quantities(info, input), _no_group)


def _check_common(shop, data, errors):
    if data["reason"] not in REASONS:
        errors.append(
            user_error(f"The reason '{data['reason']}' is not valid.", ["input", "reason"], "INVALID_REASON")
        )
    uri = data.get("referenceDocumentUri")
    if uri is not None and "://" not in uri:
        errors.append(
            user_error(
                "The reference document URI is not a valid URI.",
                ["input", "referenceDocumentUri"],
                "INVALID_REFERENCE_DOCUMENT",
            )
        )


def _check_row(shop, info, row, path, errors, seen):
    item_id = parse_gid(row["inventoryItemId"], "InventoryItem")
    location_id = parse_gid(row["locationId"], "Location")
    if item_id not in shop.inventory_items:
        errors.append(
            user_error(
                "The specified inventory item could not be found.",
                [*path, "inventoryItemId"],
                "INVALID_INVENTORY_ITEM",
            )
        )
        return None
    if location_id not in shop.locations:
        errors.append(
            user_error(
                "The specified location could not be found.", [*path, "locationId"], "INVALID_LOCATION"
            )
        )
        return None
    if (item_id, location_id) in seen:
        errors.append(
            user_error(
                "The combination of inventoryItemId and locationId must be unique.",
                path,
                "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
            )
        )
    seen.add((item_id, location_id))
    if "changeFromQuantity" not in row and info.context.version >= STRICT_FROM_VERSION:
        errors.append(
            user_error(
                "changeFromQuantity is required: send the quantity you expect, or null to skip the check.",
                [*path, "changeFromQuantity"],
                "COMPARE_QUANTITY_REQUIRED",
            )
        )
    injected = shop.faults.user_error_for(sku=shop.inventory_items[item_id].sku)
    if injected:
        errors.append(user_error(f"Emulated failure for {injected}.", path, "INVALID_INVENTORY_ITEM"))
    return item_id, location_id


def _stale(level, name, row, path):
    expected = row.get("changeFromQuantity")
    current = level.quantity(name) if level else 0
    if expected is not None and expected != current:
        return user_error(
            f"The quantity couldn't be updated because changeFromQuantity ({expected}) doesn't match the "
            f"current quantity ({current}).",
            [*path, "changeFromQuantity"],
            "CHANGE_FROM_QUANTITY_STALE",
        )
    return None


def _record(shop, data, changes):
    now = shop.now()
    group = AdjustmentGroup(
        id=shop.next_id(),
        created_at=now,
        updated_at=now,
        reason=data["reason"],
        reference_document_uri=data.get("referenceDocumentUri"),
        changes=changes,
    )
    shop.adjustment_groups[group.id] = group
    return group


def _change(level, name, delta, ledger=None):
    return {
        "name": name,
        "delta": delta,
        "quantity_after": level.quantity(name),
        "item_id": level.item_id,
        "location_id": level.location_id,
        "ledger": ledger,
    }


def set_quantities(info, data):
    shop = info.context.shop
    errors, rows, seen = [], [], set()
    if data["name"] not in ("available", "on_hand"):
        errors.append(
            user_error(
                "The quantity name must be 'available' or 'on_hand'.", ["input", "name"], "INVALID_NAME"
            )
        )
    _check_common(shop, data, errors)
    for index, row in enumerate(data["quantities"]):
        path = ["input", "quantities", str(index)]
        ids = _check_row(shop, info, row, path, errors, seen)
        if row["quantity"] > QUANTITY_LIMIT:
            errors.append(
                user_error("The quantity is too high.", [*path, "quantity"], "INVALID_QUANTITY_TOO_HIGH")
            )
        elif row["quantity"] < -QUANTITY_LIMIT:
            errors.append(
                user_error("The quantity is too low.", [*path, "quantity"], "INVALID_QUANTITY_TOO_LOW")
            )
        if ids and not errors:
            stale = _stale(shop.level(*ids), data["name"], row, path)
            if stale:
                errors.append(stale)
        rows.append((ids, row))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    now = shop.now()
    changes = []
    for (item_id, location_id), row in rows:
        level = shop.level(item_id, location_id, create=True)
        delta = row["quantity"] - level.quantity(data["name"])
        level.quantities["available"] += delta  # on_hand moves with available; other states stay
        level.updated_at = now
        shop.inventory_items[item_id].updated_at = now
        changes.append(_change(level, "available", delta))
        changes.append(_change(level, "on_hand", delta))
        shop.emit("inventory_levels/update", level)
    return {"inventoryAdjustmentGroup": _record(shop, data, changes), "userErrors": []}


# -- inventoryAdjustQuantities -------------------------------------------------------------------------
@mutation("inventoryAdjustQuantities")
def resolve_inventory_adjust_quantities(_root, info, input):
    return idempotent(info, input, lambda: adjust_quantities(info, input), _no_group)


def adjust_quantities(info, data):
    shop = info.context.shop
    name = data["name"]
    errors, rows, seen = [], [], set()
    if name not in QUANTITY_NAMES or name == "committed":
        errors.append(
            user_error(
                f"The quantity name '{name}' can't be adjusted.", ["input", "name"], "INVALID_QUANTITY_NAME"
            )
        )
    _check_common(shop, data, errors)
    for index, row in enumerate(data["changes"]):
        path = ["input", "changes", str(index)]
        ids = _check_row(shop, info, row, path, errors, seen)
        ledger = row.get("ledgerDocumentUri")
        if name != "available" and not ledger:
            errors.append(
                user_error(
                    "A ledger document URI is required for this quantity name.",
                    [*path, "ledgerDocumentUri"],
                    "INVALID_LEDGER_DOCUMENT",
                )
            )
        if ids and not errors:
            stale = _stale(shop.level(*ids), name, row, path)
            if stale:
                errors.append(stale)
        rows.append((ids, row))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    now = shop.now()
    changes = []
    for (item_id, location_id), row in rows:
        level = shop.level(item_id, location_id, create=True)
        level.quantities[name] += row["delta"]
        level.updated_at = now
        shop.inventory_items[item_id].updated_at = now
        changes.append(_change(level, name, row["delta"], row.get("ledgerDocumentUri")))
        if name in ON_HAND_PARTS:
            changes.append(_change(level, "on_hand", row["delta"]))
        shop.emit("inventory_levels/update", level)
    return {"inventoryAdjustmentGroup": _record(shop, data, changes), "userErrors": []}


# -- inventoryActivate ---------------------------------------------------------------------------------
@mutation("inventoryActivate")
def resolve_inventory_activate(
    _root, info, inventoryItemId, locationId, available=None, onHand=None, stockAtLegacyLocation=False
):
    arguments = {
        "inventoryItemId": inventoryItemId,
        "locationId": locationId,
        "available": available,
        "onHand": onHand,
        "stockAtLegacyLocation": stockAtLegacyLocation,
    }
    if stockAtLegacyLocation:
        raise ResolverError(
            "stockAtLegacyLocation (fulfillment service locations) is not emulated.", code="NOT_EMULATED"
        )
    if available is not None and onHand is not None and available != onHand:
        # The difference would sit in an unavailable state Shopify picks; the emulator does not guess it.
        raise ResolverError(
            "inventoryActivate with both available and onHand, different, is not emulated.",
            code="NOT_EMULATED",
        )
    return idempotent(
        info,
        arguments,
        lambda: activate(info.context.shop, inventoryItemId, locationId, available, onHand),
        lambda error: {"inventoryLevel": None, "userErrors": [error]},
    )


def activate(shop, item_gid, location_gid, available=None, on_hand=None):
    """Stock an inventory item at a location: a new (or the deactivated) level, active, with its initial
    quantity. An item already active there keeps its quantities (setting them again is refused)."""
    item_id, location_id = parse_gid(item_gid, "InventoryItem"), parse_gid(location_gid, "Location")

    def refused(message, field):
        return {"inventoryLevel": None, "userErrors": [user_error(message, [field])]}

    if item_id not in shop.inventory_items:
        return refused("The specified inventory item could not be found.", "inventoryItemId")
    location = shop.locations.get(location_id)
    if location is None:
        return refused("The specified location could not be found.", "locationId")
    if not location.is_active:
        return refused("The location is not active.", "locationId")
    initial = available if available is not None else on_hand
    level = shop.level(item_id, location_id)
    if level is not None and level.is_active:
        if initial is not None:
            return refused(
                "Not allowed to set available quantity when the item is already active at the location.",
                "available" if available is not None else "onHand",
            )
        return {"inventoryLevel": level, "userErrors": []}
    if initial is not None and not -QUANTITY_LIMIT <= initial <= QUANTITY_LIMIT:
        return refused("The quantity is out of range.", "available" if available is not None else "onHand")
    now = shop.now()
    level = shop.level(item_id, location_id, create=True)
    level.is_active = True
    if initial is not None:
        level.quantities["available"] = initial
    level.updated_at = shop.inventory_items[item_id].updated_at = now
    shop.emit("inventory_levels/connect", level)
    if initial:
        shop.emit("inventory_levels/update", level)
    return {"inventoryLevel": level, "userErrors": []}
