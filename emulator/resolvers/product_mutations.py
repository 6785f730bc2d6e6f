"""productCreate / productUpdate / productVariantsBulk{Create,Update,Delete}: the older, per-step product
mutations. They are expressed through `product_set`, so every rule (validation, atomicity, option values,
inventory items, `updatedAt`) is the same as for productSet."""

from .common import ResolverError, parse_gid, user_error
from .products import DEFAULT_OPTION, product_set, variants_of
from .registry import mutation, shape
from .shop import resolve_shop

_PRODUCT_FIELDS = (
    "title",
    "handle",
    "descriptionHtml",
    "vendor",
    "productType",
    "tags",
    "status",
    "metafields",
    "collectionsToJoin",
    "collectionsToLeave",
)


shape("ProductCreatePayload", "product", "shop", "userErrors")
shape("ProductUpdatePayload", "product", "userErrors")
shape("ProductVariantsBulkCreatePayload", "product", "productVariants", "userErrors")
shape("ProductVariantsBulkUpdatePayload", "product", "productVariants", "userErrors")
shape("ProductVariantsBulkDeletePayload", "product", "userErrors")

# productSet's codes → the equivalent in the variant mutations' enums.
_CODE_SYNONYMS = {"DUPLICATED_OPTION_VALUE": "VARIANT_ALREADY_EXISTS"}


def fit_codes(info, errors, enum_name):
    """Translate productSet's userError codes into the payload's enum (the families' enums differ); a code
    the enum lacks becomes null."""
    enum = info.schema.get_type(enum_name)
    known = set(enum.values) if enum is not None else set()
    fitted = []
    for error in errors:
        code = error.get("code")
        code = code if code in known else _CODE_SYNONYMS.get(code)
        fitted.append({**error, "code": code if code in known else None})
    return fitted


def _existing_variant_inputs(shop, product):
    return [
        {"id": v.gid, "optionValues": [{"optionName": n, "name": value} for n, value in v.selected]}
        for v in variants_of(shop, product)
    ]


def _bulk_variant_input(variant_input):
    """ProductVariantsBulkInput → the ProductVariantSetInput shape product_set reads."""
    data = {k: v for k, v in variant_input.items() if k != "inventoryQuantities"}
    data["inventoryQuantities"] = [
        {"locationId": q["locationId"], "name": "available", "quantity": q["availableQuantity"]}
        for q in variant_input.get("inventoryQuantities") or []
    ]
    return data


def _product_of(shop, product_id):
    product = shop.products.get(parse_gid(product_id, "Product"))
    if product is None:
        return None, [user_error("Product does not exist", ["productId"], "PRODUCT_DOES_NOT_EXIST")]
    return product, []


@mutation("productCreate")
def resolve_product_create(_root, info, product=None, input=None, media=None):
    data = product or input
    if data is None:
        raise ResolverError("The product argument is required.")
    shop = info.context.shop
    payload = {k: data[k] for k in _PRODUCT_FIELDS if k in data}
    if media:
        payload["media"] = media
    options = data.get("productOptions") or []
    if options:
        payload["productOptions"] = [{"name": o["name"], "values": o.get("values") or []} for o in options]
        # Only the initial variant: the first value of every option.
        first_values = [
            {"optionName": o["name"], "name": (o.get("values") or [{}])[0].get("name")} for o in options
        ]
        payload["variants"] = [{"optionValues": first_values}]
    with shop.lock:
        created, errors = product_set(shop, payload)
    return {"product": created, "shop": resolve_shop(None, info), "userErrors": errors}


@mutation("productUpdate")
def resolve_product_update(_root, info, product=None, input=None, identifier=None, media=None):
    data = product or input or {}
    shop = info.context.shop
    target = dict(identifier or {})
    if not target and data.get("id"):
        target = {"id": data["id"]}
    if not target:
        return {"product": None, "userErrors": [user_error("Product id is required", ["product", "id"])]}
    payload = {k: data[k] for k in _PRODUCT_FIELDS if k in data}
    if media:
        payload["media"] = media
    with shop.lock:
        if target.get("id") and parse_gid(target["id"], "Product") not in shop.products:
            return {"product": None, "userErrors": [user_error("Product does not exist", ["id"])]}
        updated, errors = product_set(shop, payload, target)
    return {"product": updated, "userErrors": errors}


@mutation("productVariantsBulkCreate")
def resolve_variants_bulk_create(_root, info, productId, variants, strategy=None, media=None):
    shop = info.context.shop
    with shop.lock:
        product, errors = _product_of(shop, productId)
        if errors:
            return _variants_refused(info, errors, "ProductVariantsBulkCreateUserErrorCode")
        existing = variants_of(shop, product)
        standalone = existing[0] if len(existing) == 1 else None
        remove_standalone = standalone is not None and (
            strategy == "REMOVE_STANDALONE_VARIANT"
            or (strategy in (None, "DEFAULT") and standalone.selected == [DEFAULT_OPTION])
        )
        kept = [] if remove_standalone else _existing_variant_inputs(shop, product)
        new_inputs = [_bulk_variant_input(v) for v in variants]
        data = {"variants": kept + new_inputs}
        if remove_standalone and standalone.selected == [DEFAULT_OPTION]:
            names = []
            for v in new_inputs:
                for value in v.get("optionValues") or []:
                    if value.get("optionName") not in names:
                        names.append(value.get("optionName"))
            data["productOptions"] = [{"name": n, "values": []} for n in names]
        before = set(product.variant_ids)
        updated, errors = product_set(shop, data, {"id": product.gid})
        if errors:
            errors = [_shift_variant_path(e, len(kept)) for e in errors]
            return _variants_refused(info, errors, "ProductVariantsBulkCreateUserErrorCode")
        created = [shop.variants[v] for v in updated.variant_ids if v not in before]
        return {"product": updated, "productVariants": created, "userErrors": []}


def _variants_refused(info, errors, code_enum):
    """The payload of a refused productVariantsBulk* mutation: nothing changed, the userErrors."""
    return {"product": None, "productVariants": None, "userErrors": fit_codes(info, errors, code_enum)}


def _shift_variant_path(error, offset):
    """product_set numbers all variants; the caller numbers only the ones it sent."""
    field = list(error.get("field") or [])
    if len(field) >= 3 and field[:2] == ["input", "variants"] and field[2].isdigit():
        field = ["variants", str(int(field[2]) - offset), *field[3:]]
    return {**error, "field": field}


@mutation("productVariantsBulkUpdate")
def resolve_variants_bulk_update(_root, info, productId, variants, allowPartialUpdates=False, media=None):
    shop = info.context.shop
    with shop.lock:
        product, errors = _product_of(shop, productId)
        if errors:
            return _variants_refused(info, errors, "ProductVariantsBulkUpdateUserErrorCode")
        inputs = {v["id"]: v for v in _existing_variant_inputs(shop, product)}
        for index, variant_input in enumerate(variants):
            if variant_input.get("id") not in inputs:
                error = user_error(
                    "Product variant does not exist",
                    ["variants", str(index), "id"],
                    "PRODUCT_VARIANT_DOES_NOT_EXIST",
                )
                return _variants_refused(info, [error], "ProductVariantsBulkUpdateUserErrorCode")
            merged = _bulk_variant_input(variant_input)
            if not merged.get("optionValues"):
                merged["optionValues"] = inputs[variant_input["id"]]["optionValues"]
            inputs[variant_input["id"]] = merged
        updated, errors = product_set(shop, {"variants": list(inputs.values())}, {"id": product.gid})
        if errors:
            return _variants_refused(info, errors, "ProductVariantsBulkUpdateUserErrorCode")
        touched = [shop.variants[parse_gid(v["id"], "ProductVariant")] for v in variants]
        return {"product": updated, "productVariants": touched, "userErrors": []}


@mutation("productVariantsBulkDelete")
def resolve_variants_bulk_delete(_root, info, productId, variantsIds):
    shop = info.context.shop
    with shop.lock:
        product, errors = _product_of(shop, productId)
        if errors:
            return {
                "product": None,
                "userErrors": fit_codes(info, errors, "ProductVariantsBulkDeleteUserErrorCode"),
            }
        doomed = {parse_gid(v, "ProductVariant") for v in variantsIds}
        remaining = [
            v
            for v in _existing_variant_inputs(shop, product)
            if parse_gid(v["id"], "ProductVariant") not in doomed
        ]
        if not remaining:
            error = user_error(
                "A product must keep at least one variant.", ["variantsIds"], "CANNOT_DELETE_LAST_VARIANT"
            )
            return {
                "product": None,
                "userErrors": fit_codes(info, [error], "ProductVariantsBulkDeleteUserErrorCode"),
            }
        updated, errors = product_set(shop, {"variants": remaining}, {"id": product.gid})
        return {
            "product": updated,
            "userErrors": fit_codes(info, errors, "ProductVariantsBulkDeleteUserErrorCode"),
        }
