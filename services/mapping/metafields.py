"""Product metafields ⇄ Odoo field values, typed (no ORM).

A mapped metafield is a product field named `metafield:<namespace>.<key>` in the canonical product and in
the snapshots, so the three-way merge, its conflict policies and the previews treat it like any field. Its
canonical value is JSON-able and compares equal on both sides when the content is the same: text as text
(empty = absent), numbers as normalized decimal strings ("2.50" and 2.5 are "2.5"), booleans as booleans,
dates as "YYYY-MM-DD", JSON as its compact sorted dump.
"""

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..errors import PayloadError

PREFIX = "metafield:"

# Shopify metafield type → the kind of value it holds.
TYPES = {
    "single_line_text_field": "text",
    "multi_line_text_field": "text",
    "number_integer": "integer",
    "number_decimal": "decimal",
    "boolean": "boolean",
    "date": "date",
    "json": "json",
}

# Odoo field types each kind can live in.
ODOO_TYPES = {
    "text": ("char", "text", "html", "selection"),
    "integer": ("integer", "float", "monetary"),
    "decimal": ("float", "monetary", "integer"),
    "boolean": ("boolean",),
    "date": ("date", "datetime"),
    "json": ("json", "text", "char"),
}


def rule_key(namespace: str, key: str) -> str:
    return f"{PREFIX}{namespace}.{key}"


def split_key(name: str) -> tuple[str, str]:
    """`"metafield:custom.care"` (or `"custom.care"`) → `("custom", "care")`."""
    name = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    namespace, _dot, key = name.partition(".")
    if not namespace or not key:
        raise PayloadError(f"{name!r} is not <namespace>.<key>", path="metafield")
    return namespace, key


def _decimal(value, what):
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise PayloadError(f"{value!r} is not {what}", path="metafield") from error
    if not number.is_finite():
        raise PayloadError(f"{value!r} is not {what}", path="metafield")
    return number


def _plain_decimal(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _json_dump(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(type_name: str, value):
    """A value as Shopify stores it (a string) or as Odoo holds it → the canonical value (None = absent)."""
    kind = TYPES[type_name]
    if kind == "boolean":
        if isinstance(value, str):
            if value.strip().lower() not in ("true", "false"):
                raise PayloadError(f"{value!r} is not a boolean", path="metafield")
            return value.strip().lower() == "true"
        return bool(value)
    if value is None or value is False or value == "":
        return None
    if kind == "text":
        return str(value)
    if kind == "integer":
        number = _decimal(value, "an integer")
        if number != number.to_integral_value():
            raise PayloadError(f"{value!r} is not an integer", path="metafield")
        return str(int(number))
    if kind == "decimal":
        return _plain_decimal(_decimal(value, "a number"))
    if kind == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError as error:
            raise PayloadError(f"{value!r} is not a date", path="metafield") from error
    # json: Odoo's Json field holds the object, a text field its dump; Shopify sends the dump.
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise PayloadError(f"{value[:40]!r} is not JSON", path="metafield") from error
    return _json_dump(value)


def to_shopify(type_name: str, value) -> str:
    """The canonical value as the string `metafieldsSet` takes."""
    if TYPES[type_name] == "boolean":
        return "true" if value else "false"
    return str(value)


def to_odoo(type_name: str, value, odoo_type: str):
    """The canonical value as an Odoo field of type `odoo_type` takes it."""
    kind = TYPES[type_name]
    if kind == "boolean":
        return bool(value)
    if value is None:
        return False if odoo_type not in ("integer", "float", "monetary") else 0
    if kind in ("integer", "decimal"):
        number = Decimal(value)
        return int(number) if odoo_type == "integer" else float(number)
    if kind == "json" and odoo_type == "json":
        return json.loads(value)
    return value
