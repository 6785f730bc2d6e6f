"""Helpers every resource family uses: errors, GID parsing, connections (pagination), search queries."""

import base64
import json
import re
from datetime import datetime, timezone

from graphql import GraphQLError

from .registry import shape


class ResolverError(GraphQLError):
    """A top-level GraphQL error raised from a resolver, with Shopify's `extensions.code`."""

    def __init__(self, message, code="BAD_REQUEST"):
        super().__init__(message, extensions={"code": code})


_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>\d+)(?:\?.*)?$")


def parse_gid(value, expected_type=None):
    """`gid://shopify/Product/12` → 12; None when it is not a GID (of the expected type)."""
    match = _GID.match(value or "")
    if not match or (expected_type and match["type"] != expected_type):
        return None
    return int(match["id"])


def user_error(message, field=None, code=None):
    return {"message": message, "field": field, "code": code}


# The userErrors of every payload the emulator answers: `UserError` has no code, the typed ones do.
shape("UserError", "message", "field")
for _typed in (
    "BulkMutationUserError",
    "BulkOperationUserError",
    "InventoryAdjustQuantitiesUserError",
    "InventorySetQuantitiesUserError",
    "MetafieldDefinitionCreateUserError",
    "ProductSetUserError",
    "ProductVariantsBulkCreateUserError",
    "ProductVariantsBulkDeleteUserError",
    "ProductVariantsBulkUpdateUserError",
):
    shape(_typed, "message", "field", "code")


class Indexed(dict):
    """A dict with an `id` attribute (its "id" key), so `connection` can order and page plain dicts."""

    @property
    def id(self):
        return self["id"]


# -- connections ---------------------------------------------------------------------------------------
def _encode_cursor(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor):
    try:
        return tuple(json.loads(base64.urlsafe_b64decode(cursor.encode())))
    except (ValueError, TypeError) as error:
        raise ResolverError(f"Invalid cursor for current pagination sort: {cursor}") from error


def sort_key_value(value):
    """A JSON-friendly, ordered form of a sort key (datetimes as ISO strings)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, str):
        return value.lower()
    return value


shape("PageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor")


def connection(items, first=None, last=None, after=None, before=None, reverse=False, sort_key=None):
    """A Relay connection dict over `items`, ordered by `sort_key(item)` then id; cursors survive edits."""
    if first is None and last is None:
        raise ResolverError("you must provide one of first or last")
    key_of = sort_key or (lambda item: item.id)
    keyed = sorted(((sort_key_value(key_of(item)), item.id), item) for item in items)
    if reverse:
        keyed.reverse()

    def beyond(key, cursor):
        return key < cursor if reverse else key > cursor

    if after:
        cursor = _decode_cursor(after)
        keyed = [(k, item) for k, item in keyed if beyond(tuple(k), cursor)]
    if before:
        cursor = _decode_cursor(before)
        keyed = [(k, item) for k, item in keyed if beyond(cursor, tuple(k))]
    has_next = has_previous = False
    if first is not None:
        has_next = len(keyed) > first
        keyed = keyed[:first]
    if last is not None:
        has_previous = len(keyed) > last
        keyed = keyed[-last:] if last else []
    edges = [{"cursor": _encode_cursor(list(k)), "node": item} for k, item in keyed]
    return {
        "edges": edges,
        "nodes": [edge["node"] for edge in edges],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous or bool(after),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


# -- search syntax ("updated_at:>'2026-01-01T00:00:00Z' status:active sku:ABC") ---------------------------
_TERM = re.compile(r"""(?:(?P<field>[a-z_]+):(?P<op><=|>=|<|>|=)?)?(?P<value>'[^']*'|"[^"]*"|\S+)""")


def parse_search(query):
    """[(field or None, operator, value)]; AND/OR words are dropped (terms are ANDed)."""
    terms = []
    for match in _TERM.finditer(query or ""):
        value = match["value"]
        if match["field"] is None and value.upper() in ("AND", "OR"):
            continue
        if value[:1] in "'\"" and value[-1:] == value[:1]:
            value = value[1:-1]
        terms.append((match["field"], match["op"] or "=", value))
    return terms


def _as_datetime(text):
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise ResolverError(f"Invalid date in search query: {text}") from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def _compare(actual, op, expected):
    if actual is None:
        return False
    if isinstance(actual, datetime):
        actual = actual.replace(tzinfo=None)
        expected = _as_datetime(expected)
    elif isinstance(actual, (int, float)):
        expected = float(expected)
    elif isinstance(actual, (list, tuple)):
        return any(str(a).lower() == expected.lower() for a in actual)
    else:
        actual, expected = str(actual).lower(), expected.lower()
        if op == "=":
            return actual == expected or (expected.endswith("*") and actual.startswith(expected[:-1]))
    return {
        "=": actual == expected,
        ">": actual > expected,
        ">=": actual >= expected,
        "<": actual < expected,
        "<=": actual <= expected,
    }[op]


def search_filter(items, query, getters, default_field):
    """Keep the items matching every term; `getters` maps a search field to item → value. Unknown fields
    are ignored, as Shopify ignores search terms it does not index."""
    terms = parse_search(query)
    for name, op, value in terms:
        getter = getters.get(name or default_field)
        if getter is None:
            continue
        items = [item for item in items if _compare(getter(item), op, value)]
    return items
