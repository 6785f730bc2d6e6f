"""Product metafields written on their own: `metafieldsSet` (upsert, at most 25, all checked before any is
written) and `metafieldsDelete`. Values are checked against their type as Shopify does, and against the
type of the metafield's definition when there is one."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation

from ..shop_state import APP_NAMESPACE
from .common import parse_gid, user_error
from .registry import mutation, shape

shape("MetafieldsSetPayload", "metafields", "userErrors")
shape("MetafieldsDeletePayload", "deletedMetafields", "userErrors")
shape("MetafieldIdentifier", "ownerId", "namespace", "key")
shape("MetafieldsSetUserError", "field", "message", "code")
MAX_METAFIELDS = 25


def _valid(type_name, value):
    """Why `value` cannot be a metafield of `type_name`, or None."""
    try:
        if type_name == "number_integer":
            int(value)
        elif type_name == "number_decimal":
            if not Decimal(value).is_finite():
                return "is not a number"
        elif type_name == "boolean":
            if value not in ("true", "false"):
                return "must be true or false"
        elif type_name == "date":
            date.fromisoformat(value)
        elif type_name == "json":
            json.loads(value)
        elif type_name not in ("single_line_text_field", "multi_line_text_field"):
            return f"type {type_name} is not emulated"
    except (ValueError, InvalidOperation):
        return f"is not a valid {type_name}"
    return None


def _owner(shop, owner_id):
    product_id = parse_gid(owner_id, "Product")
    return shop.products.get(product_id) if product_id else None


@mutation("metafieldsSet")
def resolve_metafields_set(_root, info, metafields):
    from .products import _metafield

    shop = info.context.shop
    with shop.lock:
        errors = []
        if len(metafields) > MAX_METAFIELDS:
            message = "Exceeded the maximum metafields input limit of 25."
            errors.append(user_error(message, ["metafields"], "LESS_THAN_OR_EQUAL_TO"))
        for index, entry in enumerate(metafields):
            path = ["metafields", str(index)]
            product = _owner(shop, entry["ownerId"])
            definition = shop.find_definition("PRODUCT", entry.get("namespace"), entry["key"])
            type_name = entry.get("type") or (definition.type_name if definition else None)
            if product is None:
                errors.append(user_error("Owner does not exist.", [*path, "ownerId"], "INVALID"))
            elif type_name is None:
                errors.append(user_error("Type can't be blank.", [*path, "type"], "BLANK"))
            elif definition is not None and definition.type_name != type_name:
                message = f"Type must be {definition.type_name} (the metafield's definition)."
                errors.append(user_error(message, [*path, "type"], "INVALID_TYPE"))
            else:
                problem = _valid(type_name, entry["value"])
                if problem:
                    errors.append(user_error(f"Value {problem}.", [*path, "value"], "INVALID_VALUE"))
        if errors:
            return {"metafields": [], "userErrors": errors}
        written = []
        now = shop.now()
        for entry in metafields:
            product = _owner(shop, entry["ownerId"])
            definition = shop.find_definition("PRODUCT", entry.get("namespace"), entry["key"])
            type_name = entry.get("type") or definition.type_name
            key = (entry.get("namespace") or APP_NAMESPACE, entry["key"])
            if product.metafields.get(key) != (type_name, entry["value"]):
                product.metafields[key] = (type_name, entry["value"])
                product.updated_at = now
                shop.emit("products/update", product)
            written.append(_metafield(product, *key))
        return {"metafields": written, "userErrors": []}


@mutation("metafieldsDelete")
def resolve_metafields_delete(_root, info, metafields):
    shop = info.context.shop
    with shop.lock:
        deleted = []
        now = shop.now()
        for entry in metafields:
            product = _owner(shop, entry["ownerId"])
            key = (entry["namespace"], entry["key"])
            if product is not None and key in product.metafields:
                del product.metafields[key]
                product.updated_at = now
                deleted.append({"ownerId": entry["ownerId"], "namespace": key[0], "key": key[1]})
            else:
                deleted.append(None)  # Shopify answers null for a metafield that did not exist
        return {"deletedMetafields": deleted, "userErrors": []}
