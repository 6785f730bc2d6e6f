"""Which Shopify resource a REST-shaped webhook body is about, and its version (updated_at)."""

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


def resource_gid(topic: str | None, payload: dict) -> str | None:
    """The GID the body is about (`admin_graphql_api_id`, else built from topic + `id`), or None."""
    gid = payload.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid.startswith("gid://shopify/"):
        return gid
    resource_type = _TYPE_BY_TOPIC_RESOURCE.get((topic or "").split("/", 1)[0])
    numeric = payload.get("id")
    if resource_type and isinstance(numeric, int | str) and str(numeric).isdigit():
        return gids.to_gid(resource_type, numeric)
    return None


def parse_timestamp(value: object) -> datetime | None:
    """A webhook's ISO 8601 timestamp → naive UTC, or None (see services/timestamps.py)."""
    return timestamps.parse(value) if isinstance(value, str) else None


def resource_updated_at(payload: dict) -> datetime | None:
    return parse_timestamp(payload.get("updated_at"))
