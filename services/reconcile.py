"""Pure helpers of the product reconciliation: bulk rows in the GraphQL node shape, and the set of
bindings a run has seen, kept as a bitmap so memory stays flat however large the catalog.
"""

from collections.abc import Iterable
from typing import NamedTuple

from .bulk import CHILDREN_KEY


class BindingState(NamedTuple):
    """What the fast path needs of a binding (one row of one query per batch)."""

    id: int
    active: bool
    export_pending: bool
    synced_values: dict | None
    odoo_written: bool  # the Odoo product was written since the last sync


def product_node(root: dict) -> dict:
    """A bulk result root (a product with `__children`) → the node shape `product_from_graphql` reads."""
    variants = (root.get(CHILDREN_KEY) or {}).get("ProductVariant") or []
    node = {key: value for key, value in root.items() if key != CHILDREN_KEY}
    node["variants"] = {"nodes": variants}
    return node


class SeenIds:
    """A set of positive integer ids as a bitmap: one bit per id up to the largest id added."""

    def __init__(self):
        self._bits = bytearray()

    def add(self, record_id: int) -> None:
        byte, bit = divmod(record_id, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits) + 1024))
        self._bits[byte] |= 1 << bit

    def __contains__(self, record_id: object) -> bool:
        byte, bit = divmod(record_id, 8)
        return byte < len(self._bits) and bool(self._bits[byte] & (1 << bit))


def describe_diffs(diffs: Iterable) -> str:
    """`(scope, field, odoo value, shopify value, target side)` tuples → one readable line per field,
    e.g. `title → Odoo`, `price [Blue / S] → Shopify`."""
    parts = []
    for scope, name, _odoo, _shopify, side in diffs:
        where = "" if scope == "product" else f" [{scope}]"
        parts.append(f"{name}{where} → {'Odoo' if side == 'odoo' else 'Shopify'}")
    return ", ".join(parts)
