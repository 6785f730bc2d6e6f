"""Sanity checks on what Shopify sends, before anything is built from it. Pure: no Odoo, no I/O.

A valid signature proves who sent a body, not that its values make sense: a quantity of -999999999 or a
discount of 9.2e18 is signed as well as any other. A schema is a tree of small rules::

    LINE = Obj({"quantity": Quantity(), "price": Money()})
    ORDER = Obj({"id": Id(required=True), "line_items": ListOf(LINE)})
    warnings = check(body, ORDER)

`check` raises one `PayloadError` naming the first bad value by its path in the payload
(`line_items[2].quantity: -999999999 is not a quantity (a whole number from 1 to 1,000,000)`), so the
mapping that follows only meets the types it expects. The rules:

* Tolerant reader: keys a schema does not name are not looked at. A named key that is absent, null or
  `""` passes unless the rule is `required`: the mapping gives it its default.
* Amounts are decimals (strings as Shopify sends them, or JSON numbers) within sane bounds: never
  negative where Shopify cannot mean a negative, never above `MAX_AMOUNT`.
* An e-mail of the wrong shape does not fail the body: an order with a typo in its e-mail is still a real
  order. `Email` is the one soft rule: it adds `(path, message)` to the warnings `check` returns and the
  mapping drops the value (`email_or_none`), so a junk address never reaches a contact.
"""

import re
from decimal import Decimal, InvalidOperation

from . import timestamps
from .errors import PayloadError

# One trillion in the shop currency: above any real order, and its cents (1e14) stay exact in the
# floats Odoo stores amounts in (integers are exact up to 2**53, about 9e15).
MAX_AMOUNT = Decimal("1e12")
# Units of one line item (or one fulfillment): orders of a million units are not made through a shop.
MAX_QUANTITY = 1_000_000
# Units at one stock location; Shopify allows negative available stock (oversold).
MAX_STOCK = 1_000_000_000
# Tax rates are fractions (0.19 = 19 %); above 10 (1000 %) a rate is taken as broken, not as a tax.
MAX_RATE = Decimal("10")
# Weights in any Shopify unit; positions of options and variants.
MAX_WEIGHT = Decimal("1e6")
MAX_POSITION = 100_000
# Shopify ids are 64-bit signed integers.
MAX_ID = 2**63 - 1
# Names, titles, codes and address lines; free text (notes, descriptions, tag lists) is bounded only by
# the webhook body size limit.
SHORT_TEXT = 1_000
EMAIL_LENGTH = 254
# Timestamps outside these years are broken values, not history (and some overflow in UTC conversion).
YEARS = (1900, 2200)

_GID = re.compile(r"gid://shopify/(?P<type>[A-Za-z]+)/(?P<id>[0-9]{1,19})(?:\?[^\s]*)?")
# local@domain.tld: one @, no spaces, a dot in the domain. Enough to refuse 'ÜSD' and '12abc' without
# refusing the international addresses Shopify accepts.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


def check(value, schema, path=""):
    """Validate `value` against `schema`; returns the soft rules' warnings [(path, message)].

    Raises PayloadError on the first value that breaks a rule.
    """
    warnings = []
    schema.validate(value, path, warnings)
    return warnings


def is_email(value):
    return (
        isinstance(value, str)
        and len(value.strip()) <= EMAIL_LENGTH
        and bool(_EMAIL.fullmatch(value.strip()))
    )


def email_or_none(value):
    """A well-formed e-mail, lower-cased; None for anything else (the check warned about it)."""
    return value.strip().lower() if is_email(value) else None


def as_int(value, default=0):
    """A value a whole-number rule accepted (an int, its digits, 2.0) as an int; absent → `default`."""
    return default if value is None or value == "" else int(Decimal(str(value).strip()))


def show(value):
    """A value as a message quotes it: short, and never a whole object."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _number_text(number):
    number = Decimal(number)
    return f"{int(number):,}" if number == number.to_integral_value() else f"{number:,}"


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


class Rule:
    """One rule for one value. None (and "") means absent: refused only when `required`."""

    # "" is absent for scalars; where an object or a list belongs, a string is the error to report.
    empty_is_absent = True

    def __init__(self, required=False):
        self.required = required

    def validate(self, value, path, warnings):
        if value is None or (self.empty_is_absent and value == ""):
            if self.required:
                raise PayloadError("missing", path=path)
            return
        self.check(value, path, warnings)

    def check(self, value, path, warnings):
        raise NotImplementedError


class Obj(Rule):
    """A JSON object; `fields` maps the keys we read to their rules (other keys are not looked at)."""

    empty_is_absent = False

    def __init__(self, fields, required=False):
        super().__init__(required)
        self.fields = fields

    def check(self, value, path, warnings):
        if not isinstance(value, dict):
            raise PayloadError(f"{show(value)} is not an object", path=path)
        for key, rule in self.fields.items():
            rule.validate(value.get(key), _join(path, key), warnings)


class ListOf(Rule):
    """A JSON array whose every item follows `item`."""

    empty_is_absent = False

    def __init__(self, item, max_items=None, required=False):
        super().__init__(required)
        self.item = item
        self.max_items = max_items

    def check(self, value, path, warnings):
        if not isinstance(value, list):
            raise PayloadError(f"{show(value)} is not a list", path=path)
        if self.max_items is not None and len(value) > self.max_items:
            raise PayloadError(f"{len(value):,} items, more than {self.max_items:,}", path=path)
        for index, item in enumerate(value):
            if item is None:  # a null item is never meant: the mapping would trip over it
                raise PayloadError("null is not a list item", path=f"{path}[{index}]")
            self.item.validate(item, f"{path}[{index}]", warnings)


class Connection(Obj):
    """A GraphQL connection: `{"nodes": [...]}` or `{"edges": [{"node": ...}]}`."""

    def __init__(self, node, max_items=None, required=False):
        edges = ListOf(Obj({"node": node}), max_items)
        super().__init__({"nodes": ListOf(node, max_items), "edges": edges}, required=required)


class Number(Rule):
    """A decimal (a string as Shopify sends money, or a JSON number) from `minimum` to `maximum`."""

    def __init__(self, minimum, maximum, what, integral=False, required=False):
        super().__init__(required)
        self.minimum = Decimal(minimum)
        self.maximum = Decimal(maximum)
        self.what = what
        self.integral = integral

    def check(self, value, path, warnings):
        number = None
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite():
            raise PayloadError(f"{show(value)} is not {self.what}", path=path)
        whole = number == number.to_integral_value()
        if not (self.minimum <= number <= self.maximum) or (self.integral and not whole):
            kind = "a whole number from" if self.integral else "from"
            bounds = f"{kind} {_number_text(self.minimum)} to {_number_text(self.maximum)}"
            raise PayloadError(f"{show(value)} is not {self.what} ({bounds})", path=path)


class Money(Number):
    """An amount of money: ≥ 0 unless told otherwise, never above MAX_AMOUNT."""

    def __init__(self, minimum=0, required=False):
        super().__init__(minimum, MAX_AMOUNT, "an amount", required=required)


class Quantity(Number):
    """Units: a whole number, ≥ 1 unless told otherwise (0 is a removed line's current quantity)."""

    def __init__(self, minimum=1, maximum=MAX_QUANTITY, required=False):
        super().__init__(minimum, maximum, "a quantity", integral=True, required=required)


class Rate(Number):
    """A tax rate as a fraction (0.19)."""

    def __init__(self, required=False):
        super().__init__(0, MAX_RATE, "a tax rate", required=required)


class Integer(Number):
    def __init__(self, minimum, maximum, what="a whole number", required=False):
        super().__init__(minimum, maximum, what, integral=True, required=required)


class Text(Rule):
    """A string PostgreSQL can store (no NUL, valid Unicode), at most `max_length` characters;
    `pattern` (a regular expression the whole string must match) for codes."""

    def __init__(self, max_length=SHORT_TEXT, pattern=None, what="text", required=False):
        super().__init__(required)
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None
        self.what = what

    def check(self, value, path, warnings):
        if not isinstance(value, str):
            raise PayloadError(f"{show(value)} is not {self.what}", path=path)
        if self.max_length is not None and len(value) > self.max_length:
            raise PayloadError(f"{len(value):,} characters, more than {self.max_length:,}", path=path)
        if "\x00" in value:
            raise PayloadError("contains a NUL character", path=path)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise PayloadError("is not valid Unicode (an unpaired surrogate)", path=path) from error
        if self.pattern and not self.pattern.fullmatch(value):
            raise PayloadError(f"{show(value)} is not {self.what}", path=path)


class Currency(Text):
    def __init__(self, required=False):
        super().__init__(SHORT_TEXT, r"[A-Za-z]{3}", "a currency code", required=required)


class CountryCode(Text):
    def __init__(self, required=False):
        super().__init__(SHORT_TEXT, r"[A-Za-z]{2}", "a country code", required=required)


class Flag(Rule):
    """A JSON boolean: the string "false" must not become True."""

    def check(self, value, path, warnings):
        if not isinstance(value, bool):
            raise PayloadError(f"{show(value)} is not true or false", path=path)


class Id(Rule):
    """A Shopify id: a positive 64-bit integer, its decimal digits, or a GID."""

    def check(self, value, path, warnings):
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise PayloadError(f"{show(value)} is not a Shopify id", path=path)
        if isinstance(value, str) and _GID.fullmatch(value):
            return
        text = str(value)
        if not (text.isascii() and text.isdigit() and len(text) <= 19 and 0 < int(text) <= MAX_ID):
            raise PayloadError(f"{show(value)} is not a Shopify id", path=path)


class Gid(Rule):
    """A Shopify global id (`gid://shopify/Order/1`), of `resource_type` when given."""

    def __init__(self, resource_type=None, required=False):
        super().__init__(required)
        self.resource_type = resource_type

    def check(self, value, path, warnings):
        match = _GID.fullmatch(value) if isinstance(value, str) else None
        if not match or (self.resource_type and match["type"] != self.resource_type):
            what = f"a Shopify {self.resource_type} id" if self.resource_type else "a Shopify id"
            raise PayloadError(f"{show(value)} is not {what}", path=path)


class Timestamp(Rule):
    """ISO 8601 (`2026-11-25T10:00:00-05:00`, `…Z`) between the years of YEARS, in UTC too."""

    def check(self, value, path, warnings):
        moment = timestamps.parse(value) if isinstance(value, str) else None
        if moment is None or not YEARS[0] <= moment.year <= YEARS[1]:
            raise PayloadError(f"{show(value)} is not a timestamp", path=path)


class Email(Rule):
    """Soft: an e-mail of the wrong shape is a warning (the mapping drops it), never an error."""

    def check(self, value, path, warnings):
        if not is_email(value):
            warnings.append((path, f"{show(value)} is not an e-mail address: not stored"))
