"""Order completeness: which days a window covers, the bulk query over it, and one day's comparison.

Pure functions (no ORM). A day is a calendar day in the shop's timezone; an order belongs to the day of its
`processedAt` (the date Shopify reports sales by, and the `date_order` the importer gives the sale order).
A day is green when every Shopify order of that day is in Odoo with the same total.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import graphql

from .money import Amount, same_amount

DEFAULT_WINDOW_DAYS = 3


def shop_zone(name: str | None) -> ZoneInfo:
    """The shop's IANA timezone, UTC when unknown (a shop whose connection was never tested)."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window_days(now_utc: datetime, zone: tzinfo, days: int) -> list[date]:
    """The `days` calendar days ending with today (in `zone`), oldest first. `now_utc`: naive UTC."""
    today = now_utc.replace(tzinfo=timezone.utc).astimezone(zone).date()
    return [today - timedelta(days=offset) for offset in range(max(days, 1) - 1, -1, -1)]


def day_start_utc(day: date, zone: tzinfo) -> datetime:
    """Midnight of `day` in `zone`, as a naive UTC datetime (what Odoo stores)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def day_bounds_utc(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of `day` in `zone` as naive UTC datetimes (a DST day is 23 or 25 hours long)."""
    return day_start_utc(day, zone), day_start_utc(day + timedelta(days=1), zone)


def local_day(moment_utc: datetime, zone: tzinfo) -> date:
    """The calendar day in `zone` of a naive UTC datetime."""
    return moment_utc.replace(tzinfo=timezone.utc).astimezone(zone).date()


def search_query(since_utc: datetime) -> str:
    """The orders search of a window: processed at or after `since_utc` (naive UTC datetime)."""
    return f"processed_at:>='{since_utc.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def with_search_query(document_text: str, connection: str, query: str) -> str:
    """`document_text` with the `query:` argument of the `connection` field set to `query`.

    A bulk query takes no variables, so the filter is written into the document: through the syntax tree,
    which quotes and escapes the string, never by pasting text into the source.
    """
    document = graphql.parse(document_text)
    value = graphql.StringValueNode(value=query)
    replaced = []

    class SetQuery(graphql.Visitor):
        def enter_field(self, node, *_args):
            if node.name.value != connection:
                return None
            arguments = [arg for arg in node.arguments or () if arg.name.value != "query"]
            arguments.append(graphql.ArgumentNode(name=graphql.NameNode(value="query"), value=value))
            replaced.append(node.name.value)
            return graphql.FieldNode(
                alias=node.alias,
                name=node.name,
                arguments=tuple(arguments),
                directives=node.directives,
                selection_set=node.selection_set,
            )

    result = graphql.visit(document, SetQuery())
    if not replaced:
        raise ValueError(f"the document selects no `{connection}` field")
    return graphql.print_ast(result)


@dataclass
class DayComparison:
    """One day compared: counts and totals of both sides and the orders that keep it from being green."""

    shopify_count: int = 0
    shopify_total: Decimal = Decimal(0)
    odoo_count: int = 0
    odoo_total: Decimal = Decimal(0)
    # [{"gid", "name", "shopify_total", "odoo_total", "reason"}], sorted by name
    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    differing: list = field(default_factory=list)

    @property
    def green(self) -> bool:
        return not (self.missing or self.differing)


def compare_day(
    shopify_orders: dict[str, tuple[str | None, Amount]],
    odoo_orders: dict[str, tuple[str | None, Amount]],
    held: dict[str, str] | None = None,
    rounding: Amount = Decimal("0.01"),
) -> "DayComparison":
    """Compare one day.

    `shopify_orders`: {gid: (name, total)} read from Shopify; `odoo_orders`: {gid: (name, total)} of the
    bound sale orders of that day; `held`: {gid: reason} of bound orders without a sale order (they are
    missing, with the reason that holds them). Totals are Decimals or strings; equal when they round to
    the same amount at `rounding`, the currency's (services/money.py).
    """
    held = held or {}
    result = DayComparison()
    for gid, (name, total) in shopify_orders.items():
        total = Decimal(str(total))
        result.shopify_count += 1
        result.shopify_total += total
        if gid not in odoo_orders:
            result.missing.append(_entry(gid, name, total, None, held.get(gid) or "not in Odoo"))
            continue
        odoo_total = Decimal(str(odoo_orders[gid][1]))
        if not same_amount(odoo_total, total, rounding):
            result.differing.append(_entry(gid, name, total, odoo_total, "total differs"))
    for gid, (name, total) in odoo_orders.items():
        total = Decimal(str(total))
        result.odoo_count += 1
        result.odoo_total += total
        if gid not in shopify_orders:
            result.extra.append(_entry(gid, name, None, total, "not on Shopify for this day"))
    for entries in (result.missing, result.extra, result.differing):
        entries.sort(key=lambda entry: (entry["name"] or "", entry["gid"]))
    return result


def _entry(gid, name, shopify_total, odoo_total, reason):
    return {
        "gid": gid,
        "name": name,
        "shopify_total": None if shopify_total is None else f"{shopify_total}",
        "odoo_total": None if odoo_total is None else f"{odoo_total}",
        "reason": reason,
    }


def format_entries(entries: list[dict]) -> str:
    """Readable lines for the report form: `#1001 — Shopify 10.00, Odoo 9.00 (total differs)`."""
    lines = []
    for entry in entries:
        amounts = ", ".join(
            f"{side} {entry[key]}"
            for side, key in (("Shopify", "shopify_total"), ("Odoo", "odoo_total"))
            if entry.get(key) is not None
        )
        lines.append(f"{entry['name'] or entry['gid']} — {amounts} ({entry['reason']})")
    return "\n".join(lines)
