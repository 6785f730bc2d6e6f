"""Which Shopify resource a REST-shaped webhook body is about, and its version (updated_at).

The body is signed but otherwise anything: a value of the wrong shape gives None, never an error.
"""

import re
from datetime import datetime, timezone

from . import gid as gids

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


def resource_gid(topic, payload):
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


def parse_timestamp(value):
    """Shopify's ISO 8601 timestamps (`2026-11-25T10:00:00-05:00`, `…Z`) → naive UTC, or None.

    None too for what is not such a timestamp, or one that leaves datetime's range once in UTC.
    """
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return moment


def resource_updated_at(payload):
    return parse_timestamp(payload.get("updated_at"))
