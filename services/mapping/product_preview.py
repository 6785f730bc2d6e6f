"""What publishing a bound product would do, against the values Shopify holds now (pure, no ORM).

The Publish wizard's dry run reads each bound product's current Shopify values (the same read the
export makes before its three-way merge) and runs the same merge without writing anything. Each
difference says which side moved since the last sync and which value the export leaves on both sides.
"""

from datetime import datetime

from . import products as mapping
from .products import Snapshot

# Kinds of difference, by which side changed since the last synced snapshot.
ODOO_CHANGED = "odoo"  # Odoo's value is sent over Shopify's
SHOPIFY_CHANGED = "shopify"  # Shopify's value comes to Odoo (and is sent back unchanged)
BOTH_CHANGED = "conflict"  # both moved: the field's policy picks the winner


def export_differences(
    base: Snapshot | None,
    odoo: Snapshot,
    shopify: Snapshot,
    rules: dict[str, tuple[str, str]],
    odoo_changed_at: datetime | str | None = None,
    shopify_updated_at: datetime | str | None = None,
    skew: float = 120,
) -> list[dict]:
    """Field differences between Odoo's and Shopify's current snapshots, as the export would settle them.

    `base` is the binding's last synced snapshot (variants it does not know start from Odoo's values,
    as in the export's merge). Returns a list of dicts `{scope, field, kind, odoo, shopify, base,
    winner, policy}`, product fields first.
    """
    base_flat = mapping.flat_base(base, odoo)
    merged = mapping.merge(
        mapping.unflatten(base_flat) if base_flat else None,
        odoo,
        shopify,
        rules,
        odoo_changed_at=odoo_changed_at,
        shopify_updated_at=shopify_updated_at,
        skew_seconds=skew,
    )
    conflicts = {(item["scope"], item["field"]): item for item in merged["conflicts"]}
    odoo_flat, shop_flat = mapping.flatten(odoo), mapping.flatten(shopify)
    entries = []
    for winner, settled in (("odoo", merged["to_shopify"]), ("shopify", merged["to_odoo"])):
        for key in settled:
            conflict = conflicts.get(key)
            if conflict:
                kind = BOTH_CHANGED
            elif base is None or key not in base_flat:
                kind = winner  # no snapshot to tell who moved: the side that wins
            else:
                kind = SHOPIFY_CHANGED if shop_flat.get(key) != base_flat.get(key) else ODOO_CHANGED
            entries.append(
                {
                    "scope": key[0],
                    "field": key[1],
                    "kind": kind,
                    "odoo": odoo_flat.get(key),
                    "shopify": shop_flat.get(key),
                    "base": base_flat.get(key),
                    "winner": winner,
                    "policy": conflict["policy"] if conflict else None,
                }
            )
    entries.sort(key=lambda entry: (entry["scope"] != "product", entry["scope"], entry["field"]))
    return entries


def variant_differences(odoo: Snapshot, shopify: Snapshot) -> tuple[list[str], list[str]]:
    """`(keys only in Odoo, keys only on Shopify)` of the two snapshots' variant lists, sorted."""
    odoo_keys, shop_keys = set(odoo["variants"]), set(shopify["variants"])
    return sorted(odoo_keys - shop_keys), sorted(shop_keys - odoo_keys)


def image_changes(before, after) -> list[str]:
    """What differs between two values of the `images` field (a product's list of image hashes, or a
    variant's one hash), position by position: `["image 2 changed", "image 3 added"]`."""
    if not isinstance(before, list) and not isinstance(after, list):
        if before == after:
            return []
        return ["image added" if not before else "image removed" if not after else "image changed"]
    before, after = list(before or ()), list(after or ())
    changes = []
    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else None
        new = after[index] if index < len(after) else None
        if old == new:
            continue
        if old is None:
            changes.append(f"image {index + 1} added")
        elif new is None:
            changes.append(f"image {index + 1} removed")
        elif new in before:
            changes.append(f"image {index + 1} moved")
        else:
            changes.append(f"image {index + 1} changed")
    return changes


def describe_images(scope: str, source, target, winner: str) -> str:
    """One line for an images difference: what the sync does to each image (`source` is the value that
    wins, `target` the side's value it replaces)."""
    where = "" if scope == "product" else f" [{scope}]"
    outcome = "uploaded" if winner == "odoo" else "downloaded"
    changes = []
    for change in image_changes(target, source):
        moved_or_gone = change.endswith(("removed", "moved"))
        changes.append(change if moved_or_gone else f"{change}, {outcome}")
    side = "on Shopify" if winner == "odoo" else "in Odoo"
    return f"images{where} {side}: " + "; ".join(changes or ["reordered"])


def describe(entry: dict, policy_labels: dict[str, str]) -> str:
    """One readable line for an `export_differences` entry."""
    where = "" if entry["scope"] == "product" else f" [{entry['scope']}]"
    name = f"{entry['field']}{where}"
    if entry["field"] == mapping.IMAGES:
        if entry["winner"] == "odoo":
            return describe_images(entry["scope"], entry["odoo"], entry["shopify"], "odoo")
        return describe_images(entry["scope"], entry["shopify"], entry["odoo"], "shopify")
    odoo, shopify = entry["odoo"], entry["shopify"]
    if entry["winner"] == "odoo":
        settled = f"Odoo {odoo!r} → Shopify {shopify!r}"
    else:
        settled = f"Odoo {odoo!r} ← Shopify {shopify!r}"
    if entry["kind"] == BOTH_CHANGED:
        policy = policy_labels.get(entry["policy"], entry["policy"])
        outcome = "win" if entry["winner"] == "odoo" else "lose"
        return (
            f"{name}: Shopify changed it since the last sync ({entry['base']!r} → {shopify!r}) and so did "
            f"Odoo ({odoo!r}); Odoo's value will {outcome} by policy “{policy}”: {settled}"
        )
    if entry["kind"] == SHOPIFY_CHANGED:
        outcome = "Odoo takes it" if entry["winner"] == "shopify" else "Odoo's value wins (one-way field)"
        changed = f"Shopify changed it since the last sync ({entry['base']!r} → {shopify!r})"
        return f"{name}: {changed}; {outcome}: {settled}"
    if entry["winner"] == "shopify":
        return f"{name}: {settled} (one-way field)"
    return f"{name}: {settled}"
