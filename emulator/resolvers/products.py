"""Products, options, variants: queries and the `productSet` / `productDelete` mutations."""

import re
from decimal import Decimal, InvalidOperation

from ..records import InventoryItem, OptionValue, Product, ProductOption, Variant, gid
from ..shop_state import APP_NAMESPACE
from . import collections, media
from .common import Indexed, ResolverError, connection, parse_gid, parse_search, search_filter, user_error
from .registry import field, mutation, query, shape
from .shop import resolve_shop

MAX_OPTIONS = 3
MAX_VARIANTS = 2048
DEFAULT_OPTION = ("Title", "Default Title")

_PRODUCT_SEARCH = {
    "title": lambda p: p.title,
    "handle": lambda p: p.handle,
    "status": lambda p: p.status,
    "vendor": lambda p: p.vendor,
    "product_type": lambda p: p.product_type,
    "tag": lambda p: p.tags,
    "id": lambda p: p.id,
    "updated_at": lambda p: p.updated_at,
    "created_at": lambda p: p.created_at,
}
_PRODUCT_SORT = {
    "TITLE": lambda p: p.title,
    "UPDATED_AT": lambda p: p.updated_at,
    "CREATED_AT": lambda p: p.created_at,
    "VENDOR": lambda p: p.vendor,
    "PRODUCT_TYPE": lambda p: p.product_type,
}
_VARIANT_SEARCH = {
    "sku": lambda v: v.sku,
    "barcode": lambda v: v.barcode,
    "title": lambda v: v.title,
    "id": lambda v: v.id,
    "product_id": lambda v: v.product_id,
    "updated_at": lambda v: v.updated_at,
}


shape("Count", "count", "precision")
shape("ProductOption", "id", "name", "position", "values", "optionValues")
shape("ProductOptionValue", "id", "name", "hasVariants")
shape("Metafield", "id", "namespace", "key", "type", "value")
shape("SelectedOption", "name", "value", "optionValue")
shape("ProductSetPayload", "product", "productSetOperation", "userErrors")
shape("ProductDeletePayload", "deletedProductId", "productDeleteOperation", "shop", "userErrors")


def money(value):
    """Shopify's Money: a decimal string with two places, never cents."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    except InvalidOperation as error:
        raise ValueError(f"not a decimal amount: {value!r}") from error


# -- queries -------------------------------------------------------------------------------------------
@query("products")
def resolve_products(_root, info, query=None, sortKey=None, savedSearchId=None, **page):
    shop = info.context.shop
    products = search_filter(list(shop.products.values()), query, _PRODUCT_SEARCH, "title")
    if query and "sku:" in query:
        skus = {value.lower() for name, _op, value in parse_search(query) if name == "sku"}
        products = [p for p in products if any((v.sku or "").lower() in skus for v in variants_of(shop, p))]
    return connection(products, sort_key=_PRODUCT_SORT.get(sortKey), **page)


field("Shop", "products")(resolve_products)


@query("productsCount")
def resolve_products_count(_root, info, query=None, savedSearchId=None, limit=10000):
    shop = info.context.shop
    count = len(search_filter(list(shop.products.values()), query, _PRODUCT_SEARCH, "title"))
    if limit is not None and count > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": count, "precision": "EXACT"}


@query("product")
def resolve_product(_root, info, id):
    return info.context.shop.products.get(parse_gid(id, "Product"))


@query("productByIdentifier")
def resolve_product_by_identifier(_root, info, identifier):
    shop = info.context.shop
    if identifier.get("id"):
        return shop.products.get(parse_gid(identifier["id"], "Product"))
    if identifier.get("handle"):
        return next((p for p in shop.products.values() if p.handle == identifier["handle"]), None)
    custom = identifier.get("customId")
    if custom:
        return product_by_custom_id(shop, custom)
    raise ResolverError("Exactly one identifier (id, handle or customId) is required.")


@query("productVariant")
def resolve_product_variant(_root, info, id):
    return info.context.shop.variants.get(parse_gid(id, "ProductVariant"))


@query("productVariants")
def resolve_product_variants(_root, info, query=None, sortKey=None, savedSearchId=None, **page):
    variants = search_filter(list(info.context.shop.variants.values()), query, _VARIANT_SEARCH, "title")
    key = {"SKU": lambda v: v.sku or "", "TITLE": lambda v: v.title, "POSITION": lambda v: v.position}.get(
        sortKey
    )
    return connection(variants, sort_key=key, **page)


field("Shop", "productVariants")(resolve_product_variants)


def variants_of(shop, product):
    return [shop.variants[v] for v in product.variant_ids if v in shop.variants]


def product_by_custom_id(shop, custom):
    namespace = custom.get("namespace") or APP_NAMESPACE
    wanted = (namespace, custom["key"])
    for product in shop.products.values():
        stored = product.metafields.get(wanted)
        if stored and stored[1] == custom["value"]:
            return product
    return None


# -- Product fields ------------------------------------------------------------------------------------
@field("Product", "variants")
def resolve_product_variants_connection(product, info, sortKey=None, **page):
    key = (lambda v: v.position) if sortKey in (None, "POSITION") else None
    return connection(variants_of(info.context.shop, product), sort_key=key, **page)


@field("Product", "options")
def resolve_product_options(product, info, first=None):
    variants = variants_of(info.context.shop, product)
    used = {(name, value) for v in variants for name, value in v.selected}
    options = product.options[:first] if first is not None else product.options
    return [
        {
            "id": option.gid,
            "name": option.name,
            "position": option.position,
            "values": option.values,
            "optionValues": [
                {"id": value.gid, "name": value.name, "hasVariants": (option.name, value.name) in used}
                for value in option.option_values
            ],
        }
        for option in options
    ]


@field("Product", "totalVariants")
def resolve_total_variants(product, _info):
    return len(product.variant_ids)


@field("Product", "variantsCount")
def resolve_variants_count(product, _info):
    return {"count": len(product.variant_ids), "precision": "EXACT"}


@field("Product", "hasOnlyDefaultVariant")
def resolve_has_only_default_variant(product, info):
    variants = variants_of(info.context.shop, product)
    return len(variants) == 1 and variants[0].selected == [DEFAULT_OPTION]


@field("Product", "tracksInventory")
def resolve_tracks_inventory(product, info):
    shop = info.context.shop
    return any(shop.inventory_items[v.inventory_item_id].tracked for v in variants_of(shop, product))


def _metafield(product, namespace, key):
    stored = product.metafields[(namespace, key)]
    return {
        "id": gid("Metafield", abs(hash((product.id, namespace, key))) % 10**9),
        "namespace": namespace,
        "key": key,
        "type": stored[0],
        "value": stored[1],
    }


@field("Product", "metafield")
def resolve_product_metafield(product, _info, key, namespace=None):
    if (namespace or APP_NAMESPACE, key) not in product.metafields:
        return None
    return _metafield(product, namespace or APP_NAMESPACE, key)


@field("Product", "metafields")
def resolve_product_metafields(product, _info, namespace=None, keys=None, **page):
    wanted = set(keys or ())
    found = [
        Indexed(_metafield(product, ns, key))
        for ns, key in product.metafields
        if (namespace is None or ns == namespace) and (not wanted or f"{ns}.{key}" in wanted)
    ]
    return connection(found, sort_key=lambda m: f"{m['namespace']}.{m['key']}", **page)


@field("ProductVariant", "product")
def resolve_variant_product(variant, info):
    return info.context.shop.products.get(variant.product_id)


@field("ProductVariant", "inventoryItem")
def resolve_variant_inventory_item(variant, info):
    return info.context.shop.inventory_items.get(variant.inventory_item_id)


@field("ProductVariant", "selectedOptions")
def resolve_selected_options(variant, _info):
    return [
        {"name": name, "value": value, "optionValue": {"name": value}} for name, value in variant.selected
    ]


@field("ProductVariant", "displayName")
def resolve_variant_display_name(variant, info):
    product = info.context.shop.products.get(variant.product_id)
    return f"{product.title} - {variant.title}" if product else variant.title


# -- productSet ----------------------------------------------------------------------------------------
@mutation("productSet")
def resolve_product_set(_root, info, input, identifier=None, synchronous=True):
    if not synchronous:
        raise ResolverError("The emulator runs productSet synchronously only (synchronous: true).")
    shop = info.context.shop
    with shop.lock:
        product, errors = product_set(shop, input, identifier)
    return {"product": product, "productSetOperation": None, "userErrors": errors}


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-") or "product"


def _unique_handle(shop, wanted, product_id=None):
    taken = {p.handle for p in shop.products.values() if p.id != product_id}
    handle, n = wanted, 1
    while handle in taken:
        handle, n = f"{wanted}-{n}", n + 1
    return handle


def _find_target(shop, data, identifier):
    """(product or None, custom id tuple or None, errors) for the identifier of a productSet."""
    identifier = dict(identifier or {})
    if not identifier and data.get("id"):
        identifier = {"id": data["id"]}
    if len([k for k, v in identifier.items() if v]) > 1:
        return None, None, [user_error("Only one identifier can be given.", ["identifier"], "INVALID_INPUT")]
    if identifier.get("id"):
        product = shop.products.get(parse_gid(identifier["id"], "Product"))
        if not product:
            return (
                None,
                None,
                [user_error("Product does not exist", ["identifier", "id"], "PRODUCT_DOES_NOT_EXIST")],
            )
        return product, None, []
    custom = identifier.get("customId")
    if custom:
        namespace = custom.get("namespace") or APP_NAMESPACE
        definition = shop.find_definition("PRODUCT", namespace, custom["key"])
        if not definition or definition.type_name != "id":
            message = (
                f"No product metafield definition of type 'id' exists for {namespace}.{custom['key']}: "
                "create one with metafieldDefinitionCreate first."
            )
            return None, None, [user_error(message, ["identifier", "customId"], "METAFIELD_MISMATCH")]
        return product_by_custom_id(shop, custom), (namespace, custom["key"], custom["value"]), []
    if identifier.get("handle"):
        product = next((p for p in shop.products.values() if p.handle == identifier["handle"]), None)
        return product, None, []
    return None, None, []


def _option_plan(product, data, errors):
    """[(name, [values])] the product will have, or None to keep the current options."""
    options_input = data.get("productOptions")
    if options_input is None:
        return None
    if len(options_input) > MAX_OPTIONS:
        errors.append(
            user_error(
                f"A product can have at most {MAX_OPTIONS} options.",
                ["input", "productOptions"],
                "OPTIONS_OVER_LIMIT",
            )
        )
    plan, seen = [], set()
    for index, option in enumerate(options_input):
        name = option.get("name") or ""
        if name.lower() in seen:
            errors.append(
                user_error(
                    f"Duplicated option name '{name}'.",
                    ["input", "productOptions", str(index)],
                    "DUPLICATED_OPTION_NAME",
                )
            )
        seen.add(name.lower())
        plan.append((name, [value.get("name") for value in option.get("values") or []]))
    return plan


def _variant_plan(shop, product, data, option_names, errors):
    """[(input, existing variant or None, selected)] for the variants of the input, or None to keep them."""
    variants_input = data.get("variants")
    if variants_input is None:
        return None
    if len(variants_input) > MAX_VARIANTS:
        errors.append(user_error("Too many variants.", ["input", "variants"], "VARIANTS_OVER_LIMIT"))
    existing = variants_of(shop, product) if product else []
    by_id = {v.id: v for v in existing}
    by_selection = {tuple(v.selected): v for v in existing}
    plan, combos = [], set()
    for index, variant_input in enumerate(variants_input):
        path = ["input", "variants", str(index)]
        selected = []
        for value in variant_input.get("optionValues") or []:
            name = value.get("optionName")
            if name not in option_names:
                errors.append(
                    user_error(
                        f"Option '{name}' does not exist.", [*path, "optionValues"], "OPTION_DOES_NOT_EXIST"
                    )
                )
            selected.append((name, value.get("name")))
        order = {name: i for i, name in enumerate(option_names)}
        selected.sort(key=lambda pair: order.get(pair[0], 99))
        if not selected and option_names == [DEFAULT_OPTION[0]]:
            selected = [DEFAULT_OPTION]
        if tuple(selected) in combos:
            message = f"The variant '{' / '.join(v for _n, v in selected)}' already exists."
            errors.append(user_error(message, [*path, "optionValues"], "DUPLICATED_OPTION_VALUE"))
        combos.add(tuple(selected))
        match = None
        if variant_input.get("id"):
            match = by_id.get(parse_gid(variant_input["id"], "ProductVariant"))
            if match is None:
                errors.append(
                    user_error(
                        "Product variant does not exist", [*path, "id"], "PRODUCT_VARIANT_DOES_NOT_EXIST"
                    )
                )
        else:
            match = by_selection.get(tuple(selected))
        try:
            for money_field in ("price", "compareAtPrice"):
                if variant_input.get(money_field) is not None:
                    money(variant_input[money_field])
        except ValueError as error:
            errors.append(user_error(str(error), path, "INVALID_VARIANT"))
        plan.append((variant_input, match, selected))
    return plan


def _sku_of(variant_input):
    return variant_input.get("sku") or (variant_input.get("inventoryItem") or {}).get("sku")


def product_set(shop, data, identifier=None):
    """Create or update one product the way productSet does; returns (product or None, userErrors).

    All input is checked before anything changes, so a rejected call leaves the shop as it was."""
    product, custom_id, errors = _find_target(shop, data, identifier)
    if errors:
        return None, errors
    injected = shop.faults.user_error_for(
        custom_id=custom_id[2] if custom_id else None,
        handle=data.get("handle") or getattr(product, "handle", None),
    ) or next(
        (hit for v in data.get("variants") or [] if (hit := shop.faults.user_error_for(sku=_sku_of(v)))), None
    )
    if injected:
        return None, [user_error(f"Emulated failure for {injected}.", ["input"], "INVALID_INPUT")]
    if product is None and not data.get("title"):
        return None, [user_error("Title can't be blank", ["input", "title"], "INVALID_PRODUCT")]

    option_plan = _option_plan(product, data, errors)
    if option_plan is None:
        if product is not None:
            option_names = [o.name for o in product.options]
        elif data.get("variants"):
            errors.append(
                user_error(
                    "productOptions are required when variants are given for a new product.",
                    ["input", "productOptions"],
                    "PRODUCT_OPTIONS_INPUT_MISSING",
                )
            )
            option_names = []
        else:
            option_names = [DEFAULT_OPTION[0]]
    else:
        option_names = [name for name, _values in option_plan] or [DEFAULT_OPTION[0]]
    variant_plan = _variant_plan(shop, product, data, option_names, errors)
    media.check_files(data.get("files"), "contentType")
    media.check_files([v["file"] for v in data.get("variants") or () if v.get("file")], "contentType")
    media.check_files(data.get("media"), "mediaContentType")
    for key in ("collections", "collectionsToJoin", "collectionsToLeave"):
        errors.extend(collections.check_collections(shop, data.get(key), ["input", key]))
    if errors:
        return None, errors

    now = shop.now()
    creating = product is None
    if creating:
        product = Product(id=shop.next_id(), created_at=now, updated_at=now)
        product.handle = _unique_handle(shop, data.get("handle") or _slug(data.get("title")))
        shop.products[product.id] = product
    before = _fingerprint(shop, product)
    for input_name, attribute in (
        ("title", "title"),
        ("vendor", "vendor"),
        ("productType", "product_type"),
        ("status", "status"),
        ("descriptionHtml", "description_html"),
    ):
        if data.get(input_name) is not None:
            setattr(product, attribute, data[input_name])
    if data.get("tags") is not None:
        product.tags = list(data["tags"])
    if data.get("handle") and not creating:
        product.handle = _unique_handle(shop, data["handle"], product.id)
    if data.get("metafields") is not None:
        kept = {k: v for k, v in product.metafields.items() if custom_id and k == custom_id[:2]}
        for metafield in data["metafields"]:
            key = (metafield.get("namespace") or APP_NAMESPACE, metafield["key"])
            kept[key] = (metafield.get("type") or "single_line_text_field", metafield["value"])
        product.metafields = kept
    if custom_id:
        product.metafields[custom_id[:2]] = ("id", custom_id[2])

    if data.get("files") is not None:
        media.set_product_files(shop, product, data["files"], now)
    if data.get("media"):
        media.add_product_media(shop, product, data["media"], now)
    if data.get("collections") is not None:
        collections.set_collections(shop, product, data["collections"], now)
    collections.join(shop, product, data.get("collectionsToJoin") or (), now)
    collections.leave(shop, product, data.get("collectionsToLeave") or (), now)

    if option_plan is not None or creating:
        _apply_options(shop, product, option_plan or [(DEFAULT_OPTION[0], [DEFAULT_OPTION[1]])])
    if variant_plan is not None:
        _apply_variants(shop, product, variant_plan, now)
    elif creating:
        _apply_variants(shop, product, [({}, None, [DEFAULT_OPTION])], now)
    _add_missing_option_values(shop, product)

    if creating or _fingerprint(shop, product) != before:
        product.updated_at = now
    shop.emit("products/create" if creating else "products/update", product)
    return product, []


def _apply_options(shop, product, plan):
    current = {o.name: o for o in product.options}
    options = []
    for position, (name, values) in enumerate(plan, start=1):
        option = current.get(name) or ProductOption(id=shop.next_id(), name=name, position=position)
        option.position = position
        known = {v.name: v for v in option.option_values}
        option.option_values = [known.get(v) or OptionValue(id=shop.next_id(), name=v) for v in values]
        options.append(option)
    product.options = options


def _add_missing_option_values(shop, product):
    """Values a variant uses but productOptions did not list are added to the option."""
    for option in product.options:
        names = set(option.values)
        for variant in variants_of(shop, product):
            for name, value in variant.selected:
                if name == option.name and value not in names:
                    option.option_values.append(OptionValue(id=shop.next_id(), name=value))
                    names.add(value)


def _apply_variants(shop, product, plan, now):
    kept = []
    for position, (variant_input, variant, selected) in enumerate(plan, start=1):
        if variant is None:
            item = InventoryItem(id=shop.next_id(), created_at=now, updated_at=now)
            variant = Variant(
                id=shop.next_id(),
                created_at=now,
                updated_at=now,
                product_id=product.id,
                inventory_item_id=item.id,
            )
            item.variant_id = variant.id
            shop.inventory_items[item.id] = item
            shop.variants[variant.id] = variant
        item = shop.inventory_items[variant.inventory_item_id]
        before = (repr(variant), repr(item))
        variant.selected = list(selected)
        variant.position = position
        sku = _sku_of(variant_input)
        if sku is not None:
            variant.sku = item.sku = sku
        for input_name, attribute in (
            ("barcode", "barcode"),
            ("inventoryPolicy", "inventory_policy"),
            ("taxable", "taxable"),
        ):
            if variant_input.get(input_name) is not None:
                setattr(variant, attribute, variant_input[input_name])
        if variant_input.get("price") is not None:
            variant.price = money(variant_input["price"])
        if "compareAtPrice" in variant_input:
            value = variant_input["compareAtPrice"]
            variant.compare_at_price = money(value) if value is not None else None
        item_input = variant_input.get("inventoryItem") or {}
        for input_name, attribute in (("tracked", "tracked"), ("requiresShipping", "requires_shipping")):
            if item_input.get(input_name) is not None:
                setattr(item, attribute, item_input[input_name])
        if item_input.get("cost") is not None:
            item.cost = str(item_input["cost"])
        weight = (item_input.get("measurement") or {}).get("weight")
        if weight:
            item.weight_value = float(weight.get("value") or 0)
            item.weight_unit = weight.get("unit") or item.weight_unit
        if variant_input.get("file"):
            media.set_variant_file(shop, product, variant, variant_input["file"], now)
        for quantity in variant_input.get("inventoryQuantities") or []:
            location_id = parse_gid(quantity["locationId"], "Location")
            if location_id in shop.locations:
                level = shop.level(item.id, location_id, create=True)
                target = int(quantity["quantity"])
                if quantity["name"] == "on_hand":
                    level.quantities["available"] += target - level.quantity("on_hand")
                else:
                    level.quantities[quantity["name"]] = target
                level.updated_at = now
        if (repr(variant), repr(item)) != before:
            variant.updated_at = item.updated_at = now
        kept.append(variant.id)
    for variant_id in product.variant_ids:
        if variant_id not in kept and variant_id in shop.variants:
            shop.remove_variant(shop.variants[variant_id])
    product.variant_ids = kept


def _fingerprint(shop, product):
    variants = variants_of(shop, product)
    return repr(
        (
            product.title,
            product.handle,
            product.vendor,
            product.product_type,
            product.status,
            product.tags,
            product.description_html,
            sorted(product.metafields.items()),
            [(m, shop.media[m].alt) for m in product.media_ids if m in shop.media],
            [(o.name, o.values) for o in product.options],
            [(v.id, v.updated_at) for v in variants],
        )
    )


# -- productDelete -------------------------------------------------------------------------------------
@mutation("productDelete")
def resolve_product_delete(_root, info, input, synchronous=True):
    shop = info.context.shop
    with shop.lock:
        product = shop.products.get(parse_gid(input["id"], "Product"))
        if product is None:
            return {
                "deletedProductId": None,
                "productDeleteOperation": None,
                "shop": resolve_shop(None, info),
                "userErrors": [user_error("Product does not exist", ["id"])],
            }
        for variant in variants_of(shop, product):
            shop.remove_variant(variant)
        del shop.products[product.id]
        media.forget_product_media(shop, product)
        collections.forget_product(shop, product, shop.now())
        shop.emit("products/delete", product)
        return {
            "deletedProductId": product.gid,
            "productDeleteOperation": None,
            "shop": resolve_shop(None, info),
            "userErrors": [],
        }
