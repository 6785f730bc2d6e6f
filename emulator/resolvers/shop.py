"""The shop itself, the app installation, locations and metafield definitions."""

from ..records import gid
from .common import ResolverError, connection, parse_gid, search_filter, user_error
from .registry import field, mutation, query, shape

_LOCATION_SEARCH = {
    "name": lambda loc: loc.name,
    "id": lambda loc: loc.id,
    "active": lambda loc: loc.is_active,
}


shape(
    "Shop",
    "id",
    "name",
    "email",
    "contactEmail",
    "currencyCode",
    "enabledPresentmentCurrencies",
    "ianaTimezone",
    "myshopifyDomain",
    "url",
    "plan",
    "weightUnit",
    "taxesIncluded",
    "createdAt",
    "updatedAt",
)
shape("ShopPlan", "displayName", "publicDisplayName", "partnerDevelopment", "shopifyPlus")
shape("AppInstallation", "id", "accessScopes")
shape("AccessScope", "handle", "description")
shape("MetafieldDefinitionCreatePayload", "createdDefinition", "userErrors")
shape("MetafieldDefinitionType", "name", "category")
shape(
    "LocationAddress",
    "address1",
    "address2",
    "city",
    "province",
    "provinceCode",
    "zip",
    "country",
    "countryCode",
    "phone",
    "latitude",
    "longitude",
    "formatted",
)


@query("shop")
def resolve_shop(_root, info):
    shop = info.context.shop
    return {
        "id": shop.gid,
        "name": shop.name,
        "email": f"owner@{shop.domain}",
        "contactEmail": f"owner@{shop.domain}",
        "currencyCode": shop.currency,
        "enabledPresentmentCurrencies": [shop.currency],
        "ianaTimezone": shop.timezone,
        "myshopifyDomain": shop.domain,
        "url": f"https://{shop.domain}",
        "plan": {
            "displayName": shop.plan_display_name,
            "publicDisplayName": shop.plan_display_name,
            "partnerDevelopment": False,
            "shopifyPlus": shop.plan in ("plus", "enterprise"),
        },
        "weightUnit": "KILOGRAMS",
        "taxesIncluded": bool(shop.taxes_included),
        "createdAt": shop.created_at,
        "updatedAt": shop.created_at,
    }


@query("currentAppInstallation")
def resolve_app_installation(_root, info):
    shop = info.context.shop
    return {
        "id": gid("AppInstallation", 1),
        "accessScopes": [{"handle": scope, "description": scope.replace("_", " ")} for scope in shop.scopes],
    }


def _locations(shop, include_inactive=False, query=None):
    locations = [loc for loc in shop.locations.values() if include_inactive or loc.is_active]
    return search_filter(locations, query, _LOCATION_SEARCH, "name")


@query("locations")
def resolve_locations(
    _root, info, includeInactive=False, query=None, sortKey=None, includeLegacy=False, **page
):
    key = (lambda loc: loc.name) if sortKey == "NAME" else None
    return connection(_locations(info.context.shop, includeInactive, query), sort_key=key, **page)


field("Shop", "locations")(resolve_locations)


@query("location")
def resolve_location(_root, info, id=None):
    shop = info.context.shop
    if id is None:
        return next((loc for loc in shop.locations.values() if loc.is_primary), None)
    return shop.locations.get(parse_gid(id, "Location"))


@field("Location", "address")
def resolve_location_address(location, _info):
    stored = location.address
    city_line = " ".join(part for part in (stored.get("zip"), stored.get("city")) if part)
    return {
        "address1": stored.get("address1"),
        "address2": stored.get("address2"),
        "city": stored.get("city"),
        "province": stored.get("province"),
        "provinceCode": stored.get("province_code"),
        "zip": stored.get("zip"),
        "country": stored.get("country"),
        "countryCode": stored.get("country_code"),
        "phone": stored.get("phone"),
        "latitude": stored.get("latitude"),
        "longitude": stored.get("longitude"),
        "formatted": [
            part
            for part in (stored.get("address1"), stored.get("address2"), city_line, stored.get("country"))
            if part
        ],
    }


@query("metafieldDefinition")
def resolve_metafield_definition(_root, info, id=None, identifier=None):
    shop = info.context.shop
    if id is not None:
        return shop.metafield_definitions.get(parse_gid(id, "MetafieldDefinition"))
    if identifier is not None:
        return shop.find_definition(identifier["ownerType"], identifier.get("namespace"), identifier["key"])
    raise ResolverError("Provide either an id or an identifier.")


@mutation("metafieldDefinitionCreate")
def resolve_metafield_definition_create(_root, info, definition):
    shop = info.context.shop
    with shop.lock:
        existing = shop.find_definition(
            definition["ownerType"], definition.get("namespace"), definition["key"]
        )
        if existing:
            return {
                "createdDefinition": None,
                "userErrors": [
                    user_error(
                        f"Key is in use for {definition['ownerType'].lower()} metafields on the "
                        f"'{existing.namespace}' namespace.",
                        ["definition", "key"],
                        "TAKEN",
                    )
                ],
            }
        if not 2 <= len(definition["key"]) <= 64:
            return {
                "createdDefinition": None,
                "userErrors": [user_error("Key must be 2–64 characters.", ["definition", "key"], "INVALID")],
            }
        created = shop.add_metafield_definition(
            definition.get("namespace"),
            definition["key"],
            type_name=definition["type"],
            owner_type=definition["ownerType"],
            name=definition["name"],
        )
        created.description = definition.get("description")
        return {"createdDefinition": created, "userErrors": []}


@field("MetafieldDefinition", "type")
def resolve_definition_type(definition, _info):
    return {"name": definition.type_name, "category": "REFERENCE" if definition.type_name == "id" else "TEXT"}
