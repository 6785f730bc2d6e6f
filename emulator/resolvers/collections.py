"""Collections (manual ones: a list of products) and a product's membership: `collection`, `collections`,
Collection fields, `Product.collections`. Shops get collections from `ShopState.add_collection` and the
product mutations' `collections` (productSet) / `collectionsToJoin`/`collectionsToLeave` inputs."""

import re

from .common import ResolverError, connection, parse_gid, search_filter, user_error
from .registry import field, query

_SEARCH = {
    "title": lambda c: c.title,
    "handle": lambda c: c.handle,
    "id": lambda c: c.id,
    "updated_at": lambda c: c.updated_at,
    "collection_type": lambda c: "custom",
}
_SORT = {"TITLE": lambda c: c.title, "UPDATED_AT": lambda c: c.updated_at, "ID": lambda c: c.id}


@query("collection")
def resolve_collection(_root, info, id):
    return info.context.shop.collections.get(parse_gid(id, "Collection"))


@query("collections")
def resolve_collections(_root, info, query=None, sortKey=None, savedSearchId=None, **page):
    found = search_filter(list(info.context.shop.collections.values()), query, _SEARCH, "title")
    return connection(found, sort_key=_SORT.get(sortKey), **page)


@field("Product", "collections")
def resolve_product_collections(product, info, query=None, sortKey=None, **page):
    found = search_filter(info.context.shop.collections_of(product.id), query, _SEARCH, "title")
    return connection(found, sort_key=_SORT.get(sortKey), **page)


@field("Collection", "products")
def resolve_collection_products(collection, info, sortKey=None, **page):
    shop = info.context.shop
    position = {product_id: index for index, product_id in enumerate(collection.product_ids)}
    products = [shop.products[i] for i in collection.product_ids if i in shop.products]
    orders = {
        None: lambda p: position[p.id],
        "MANUAL": lambda p: position[p.id],
        "COLLECTION_DEFAULT": lambda p: position[p.id],
        "TITLE": lambda p: p.title,
        "CREATED": lambda p: p.created_at,
        "ID": lambda p: p.id,
    }
    if sortKey not in orders:
        raise ResolverError(f"The emulator does not sort collection products by {sortKey}.", "NOT_EMULATED")
    return connection(products, sort_key=orders[sortKey], **page)


@field("Collection", "productsCount")
def resolve_collection_products_count(collection, info):
    count = sum(1 for i in collection.product_ids if i in info.context.shop.products)
    return {"count": count, "precision": "EXACT"}


@field("Collection", "hasProduct")
def resolve_collection_has_product(collection, _info, id):
    return parse_gid(id, "Product") in collection.product_ids


@field("Collection", "description")
def resolve_collection_description(collection, _info, truncateAt=None):
    text = re.sub(r"<[^>]+>", "", collection.description_html or "").strip()
    return text[:truncateAt] if truncateAt else text


# -- product mutation inputs ---------------------------------------------------------------------------
def check_collections(shop, ids, path):
    """userErrors for collection ids that do not exist (checked before anything changes)."""
    return [
        user_error("Collection does not exist", [*path, str(index)], "INVALID_INPUT")
        for index, value in enumerate(ids or ())
        if parse_gid(value, "Collection") not in shop.collections
    ]


def join(shop, product, ids, now):
    for value in ids:
        collection = shop.collections[parse_gid(value, "Collection")]
        if product.id not in collection.product_ids:
            collection.product_ids.append(product.id)
            collection.updated_at = now


def leave(shop, product, ids, now):
    for value in ids:
        collection = shop.collections[parse_gid(value, "Collection")]
        if product.id in collection.product_ids:
            collection.product_ids.remove(product.id)
            collection.updated_at = now


def set_collections(shop, product, ids, now):
    """productSet `collections`: the product is in exactly these (it leaves the others)."""
    wanted = {parse_gid(value, "Collection") for value in ids}
    leave(shop, product, [c.gid for c in shop.collections_of(product.id) if c.id not in wanted], now)
    join(shop, product, ids, now)


def forget_product(shop, product, now):
    leave(shop, product, [c.gid for c in shop.collections_of(product.id)], now)
