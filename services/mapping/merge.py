"""The one three-way merge and conflict rule of every two-way sync (products, customers). Pure.

Values are compared flat: `{(scope, field): value}` with JSON-able values. `base` is what both sides last
agreed on, `odoo` / `shopify` what each holds now, and `rules` `{field: (direction, policy)}` the mapping
table's lines (a field without a rule does not sync).
"""

from datetime import datetime

from .. import timestamps

ODOO_WINS, SHOPIFY_WINS, NEWEST_WINS = "odoo", "shopify", "newest"
BOTH, TO_SHOPIFY, TO_ODOO = "both", "odoo_to_shopify", "shopify_to_odoo"

FlatValues = dict[tuple[str, str], object]


def merge_flat(
    base: FlatValues,
    odoo: FlatValues,
    shopify: FlatValues,
    rules: dict[str, tuple[str, str]],
    odoo_changed_at: datetime | str | None = None,
    shopify_updated_at: datetime | str | None = None,
    skew_seconds: float = 120,
    order=None,
) -> tuple[FlatValues, FlatValues, list[dict], FlatValues]:
    """(to_odoo, to_shopify, conflicts, result): the values each side must take, the conflicts decided
    and the flat values both agree on afterwards (values still to be exported keep Shopify's value there,
    so the export notices them). `order` sorts the keys (default: as they sort).

    A field is in conflict only when both sides moved away from `base` to different values. Newest wins
    compares Shopify's `updatedAt` with when the Odoo change was recorded; within `skew_seconds` the two
    clocks cannot be told apart and Odoo, the system of record, wins. A key present on one side only is
    left to the caller (e.g. a variant that exists on one side).
    """
    to_odoo, to_shopify, conflicts = {}, {}, []
    result = dict(base)
    for key in sorted(set(odoo) | set(shopify), key=order):
        name = key[1]
        if name not in rules:
            continue
        direction, policy = rules[name]
        odoo_value, shop_value = odoo.get(key), shopify.get(key)
        known = key in base
        base_value = base.get(key)
        odoo_moved = (not known and key in odoo) or (known and odoo_value != base_value)
        shop_moved = (not known and key in shopify) or (known and shop_value != base_value)
        if key not in odoo or key not in shopify:
            continue
        if odoo_value == shop_value:
            result[key] = odoo_value
            continue
        can_import = direction in (BOTH, TO_ODOO)
        can_export = direction in (BOTH, TO_SHOPIFY)
        if odoo_moved and shop_moved and known:
            winner = winner_of(policy, odoo_changed_at, shopify_updated_at, skew_seconds)
            if not can_export:
                winner = "shopify"
            elif not can_import:
                winner = "odoo"
            conflicts.append(
                {
                    "scope": key[0],
                    "field": name,
                    "odoo_value": odoo_value,
                    "shopify_value": shop_value,
                    "base_value": base_value,
                    "policy": policy,
                    "winner": winner,
                }
            )
        elif shop_moved and not odoo_moved:
            winner = "shopify"
        elif odoo_moved and not shop_moved:
            winner = "odoo"
        else:
            # First sync (no base): the values differ and neither is older; the policy decides.
            winner = winner_of(policy, odoo_changed_at, shopify_updated_at, skew_seconds)
        # A one-way field always ends with its master's value.
        if winner == "shopify" and not can_import:
            winner = "odoo"
        elif winner == "odoo" and not can_export:
            winner = "shopify"
        if winner == "shopify":
            to_odoo[key] = shop_value
        else:
            to_shopify[key] = odoo_value
        # The snapshot records what Shopify holds now; a value still to export differs from it in
        # Odoo, so change tracking and the next merge keep seeing it as an Odoo change.
        result[key] = shop_value
    return to_odoo, to_shopify, conflicts, result


def winner_of(policy, odoo_changed_at, shopify_updated_at, skew_seconds):
    if policy == SHOPIFY_WINS:
        return "shopify"
    shopify_at, odoo_at = timestamps.parse_aware(shopify_updated_at), timestamps.parse_aware(odoo_changed_at)
    if (
        policy == NEWEST_WINS
        and odoo_at
        and shopify_at
        and (shopify_at - odoo_at).total_seconds() > skew_seconds
    ):
        return "shopify"
    return "odoo"
