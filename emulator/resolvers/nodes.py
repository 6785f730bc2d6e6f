"""`node(id:)` and `nodes(ids:)`: any record of the shop by its GID."""

from .common import parse_gid
from .registry import query

# GID type → the ShopState store holding it; resource families add theirs (e.g. "Order": "orders").
NODE_STORES = {
    "Product": "products",
    "ProductVariant": "variants",
    "InventoryItem": "inventory_items",
    "Location": "locations",
    "MetafieldDefinition": "metafield_definitions",
    "InventoryAdjustmentGroup": "adjustment_groups",
    "Order": "orders",
    "LineItem": "line_items",
    "Customer": "customers",
    "FulfillmentOrder": "fulfillment_orders",
    "Fulfillment": "fulfillments",
    "OrderTransaction": "transactions",
    "Refund": "refunds",
    "WebhookSubscription": "webhook_subscriptions",
    "BulkOperation": "bulk_operations",
    "MediaImage": "media",
    "Collection": "collections",
    "Publication": "publications",
}


def find_node(shop, gid):
    for type_name, store in NODE_STORES.items():
        numeric = parse_gid(gid, type_name)
        if numeric is not None:
            return getattr(shop, store).get(numeric)
    return None


@query("node")
def resolve_node(_root, info, id):
    return find_node(info.context.shop, id)


@query("nodes")
def resolve_nodes(_root, info, ids):
    return [find_node(info.context.shop, gid) for gid in ids]
