"""Which Shopify resource a REST-shaped webhook body is about, and its version (updated_at).

The body is signed but otherwise anything: a value of the wrong shape gives None, never an error.
"""

import re
from datetime import datetime

from . import gid as gids
from . import timestamps

# Topics whose body has no admin_graphql_api_id: the resource type of their numeric `id`.
_TYPE_BY_TOPIC_RESOURCE = {
    "orders": "Order",
    "products": "Product",
    "customers": "Customer",
    "collections": "Collection",
    "locations": "Location",
    "inventory_items": "InventoryItem",
    "fulfillments": "Fulfillment",
    "refunds": "Refund",
}
# ASCII only (`\d` would take "²" or "٣"), and the lengths Shopify's 64-bit ids and GIDs can have.
_GID_RE = re.compile(r"gid://shopify/[A-Za-z]{1,64}/[0-9]{1,20}(?:\?[\x21-\x7e]{0,150})?")
_NUMERIC_ID_RE = re.compile(r"[0-9]{1,20}")


def resource_gid(topic: str | None, payload: dict) -> str | None:
    """The GID the body is about (`admin_graphql_api_id`, else built from topic + `id`), or None."""
    gid = payload.get("admin_graphql_api_id")
    if isinstance(gid, str) and _GID_RE.fullmatch(gid):
        return gid
    resource_type = _TYPE_BY_TOPIC_RESOURCE.get((topic or "").split("/", 1)[0])
    numeric = payload.get("id")
    if isinstance(numeric, int) and not isinstance(numeric, bool):
        # Range first: str() of an int of thousands of digits raises.
        numeric = str(numeric) if 0 <= numeric < 10**20 else None
    if resource_type and isinstance(numeric, str) and _NUMERIC_ID_RE.fullmatch(numeric):
        return gids.to_gid(resource_type, numeric)
    return None


def parse_timestamp(value: object) -> datetime | None:
    """A webhook's ISO 8601 timestamp → naive UTC, or None (see services/timestamps.py).

    None too for what is not such a timestamp, or one that leaves datetime's range once in UTC.
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    return timestamps.parse(value)


def resource_updated_at(payload: dict) -> datetime | None:
    return parse_timestamp(payload.get("updated_at"))
