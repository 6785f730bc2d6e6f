"""Shopify global ids (GIDs) ⇄ the numeric ids of REST-shaped webhook bodies.

We store GIDs everywhere; webhook bodies and admin URLs carry the numeric id.
"""

import re

_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(?:\?.*)?$")


def to_gid(resource_type: str, numeric: int | str) -> str:
    """`to_gid("Order", 450789469)` → `"gid://shopify/Order/450789469"`; accepts ints or digit strings."""
    text = str(numeric).strip()
    if not text.isdigit():
        raise ValueError(f"not a numeric Shopify id: {numeric!r}")
    return f"gid://shopify/{resource_type}/{int(text)}"


def parse_gid(gid: str | None) -> tuple[str, int]:
    """`"gid://shopify/Order/1"` → `("Order", 1)`; raises ValueError on anything else."""
    match = _GID.match(gid or "")
    if not match:
        raise ValueError(f"not a Shopify GID: {gid!r}")
    return match["type"], int(match["id"])


def numeric_id(gid: str | None) -> int:
    return parse_gid(gid)[1]
