"""Collections (manual ones: a list of products) and a product's membership: `collection`, `collections`,
Collection fields, `Product.collections`. Shops get collections from `ShopState.add_collection` and the
product mutations' `collections` (productSet) / `collectionsToJoin`/`collectionsToLeave` inputs."""

import re

from .common import ResolverError, connection, parse_gid, search_filter, user_error
from .registry import field, mutation, query, shape

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


# -- collection mutations ------------------------------------------------------------------------------
shape("CollectionCreatePayload", "collection", "userErrors")
shape("CollectionAddProductsPayload", "collection", "userErrors")
shape("CollectionRemoveProductsPayload", "job", "userErrors")
shape("Job", "id", "done")
MAX_PRODUCTS_PER_CALL = 250


@mutation("collectionCreate")
def resolve_collection_create(_root, info, input):
    """A manual collection (the emulator has no smart ones: a ruleSet is refused)."""
    shop = info.context.shop
    if input.get("ruleSet"):
        raise ResolverError("The emulator has no smart collections (ruleSet).", "NOT_EMULATED")
    if not (input.get("title") or "").strip():
        return {"collection": None, "userErrors": [user_error("Title can't be blank", ["title"], "BLANK")]}
    products = input.get("products") or ()
    errors = [
        user_error("Product does not exist", ["products", str(index)], "INVALID")
        for index, value in enumerate(products)
        if parse_gid(value, "Product") not in shop.products
    ]
    if errors:
        return {"collection": None, "userErrors": errors}
    collection = shop.add_collection(
        input["title"].strip(),
        handle=input.get("handle"),
        products=[parse_gid(value, "Product") for value in products],
        description_html=input.get("descriptionHtml") or "",
    )
    return {"collection": collection, "userErrors": []}


def _membership_errors(shop, id, productIds):
    errors = []
    if parse_gid(id, "Collection") not in shop.collections:
        errors.append(user_error("Collection does not exist", ["id"], "INVALID"))
    if len(productIds) > MAX_PRODUCTS_PER_CALL:
        errors.append(user_error("Too many products (250 at most).", ["productIds"], "INVALID"))
    errors += [
        user_error("Product does not exist", ["productIds", str(index)], "INVALID")
        for index, value in enumerate(productIds)
        if parse_gid(value, "Product") not in shop.products
    ]
    return errors


@mutation("collectionAddProducts")
def resolve_collection_add_products(_root, info, id, productIds):
    shop = info.context.shop
    with shop.lock:
        errors = _membership_errors(shop, id, productIds)
        if errors:
            return {"collection": None, "userErrors": errors}
        for value in productIds:
            join(shop, shop.products[parse_gid(value, "Product")], [id], shop.now())
        return {"collection": shop.collections[parse_gid(id, "Collection")], "userErrors": []}


@mutation("collectionRemoveProducts")
def resolve_collection_remove_products(_root, info, id, productIds):
    """Shopify removes asynchronously and answers a Job; the emulator removes at once (the job is done)."""
    shop = info.context.shop
    with shop.lock:
        errors = _membership_errors(shop, id, productIds)
        if errors:
            return {"job": None, "userErrors": errors}
        for value in productIds:
            leave(shop, shop.products[parse_gid(value, "Product")], [id], shop.now())
        return {"job": {"id": f"gid://shopify/Job/{shop.next_id()}", "done": True}, "userErrors": []}
