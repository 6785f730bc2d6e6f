"""Sales channels: `publications`, `publishablePublish` / `publishableUnpublish` of products, and what a
product says of them (`resourcePublications`, `publishedOnPublication`). Shops get publications from
`ShopState.add_publication`."""

from .common import Indexed, connection, parse_gid, user_error
from .registry import field, mutation, query, shape

shape("PublishablePublishPayload", "publishable", "shop", "userErrors")
shape("PublishableUnpublishPayload", "publishable", "shop", "userErrors")
shape("ResourcePublication", "publication", "isPublished", "publishDate")


@query("publications")
def resolve_publications(_root, info, catalogType=None, **page):
    return connection(list(info.context.shop.publications.values()), **page)


@field("Product", "resourcePublications")
def resolve_resource_publications(product, info, onlyPublished=True, **page):
    shop = info.context.shop
    rows = [
        Indexed(
            id=publication.id,
            publication=publication,
            isPublished=publication.id in product.publication_ids,
            publishDate=None,
        )
        for publication in shop.publications.values()
        if publication.id in product.publication_ids or not onlyPublished
    ]
    return connection(rows, **page)


@field("Product", "publishedOnPublication")
def resolve_published_on_publication(product, _info, publicationId):
    return parse_gid(publicationId, "Publication") in product.publication_ids


def _publish(info, id, input, publish):
    from .shop import resolve_shop

    shop = info.context.shop
    with shop.lock:
        product = shop.products.get(parse_gid(id, "Product"))
        errors = []
        if product is None:
            errors.append(user_error("Product does not exist.", ["id"], "NOT_FOUND"))
        wanted = []
        for index, entry in enumerate(input):
            publication_id = parse_gid(entry.get("publicationId"), "Publication")
            if publication_id not in shop.publications:
                errors.append(
                    user_error(
                        "Publication does not exist.", ["input", str(index), "publicationId"], "NOT_FOUND"
                    )
                )
            wanted.append(publication_id)
        if errors:
            return {"publishable": None, "shop": resolve_shop(None, info), "userErrors": errors}
        before = list(product.publication_ids)
        if publish:
            product.publication_ids += [p for p in wanted if p not in product.publication_ids]
        else:
            product.publication_ids = [p for p in product.publication_ids if p not in wanted]
        if product.publication_ids != before:
            product.updated_at = shop.now()
            shop.emit("products/update", product)
        return {"publishable": product, "shop": resolve_shop(None, info), "userErrors": []}


@mutation("publishablePublish")
def resolve_publishable_publish(_root, info, id, input):
    return _publish(info, id, input, publish=True)


@mutation("publishableUnpublish")
def resolve_publishable_unpublish(_root, info, id, input):
    return _publish(info, id, input, publish=False)
