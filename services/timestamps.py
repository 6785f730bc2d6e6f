"""Shopify's ISO 8601 timestamps → the naive UTC datetimes Odoo stores: the one parser.

Shopify writes `2026-11-25T10:00:00Z`, `2026-11-25T10:00:00-05:00` or with fractional seconds; a
timestamp without a zone is taken as UTC. The offset is applied before it is dropped, so a local
time never lands in Odoo as if it were UTC.
"""

from datetime import datetime, timezone


def parse(value: object) -> datetime | None:
    """`value` (ISO 8601 text or a datetime) as a naive UTC datetime; None when absent, malformed or
    out of datetime's range (a year-9999 time with a negative offset is past the last UTC second)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:
        return None


def to_text(moment: datetime | None) -> str | None:
    """A naive UTC datetime as ISO 8601 with `Z` (the health JSON's form); None stays None."""
    return moment.isoformat() + "Z" if moment else None


def parse_aware(value: object) -> datetime | None:
    """Like `parse`, but as an aware UTC datetime (for comparing with other aware datetimes)."""
    moment = parse(value)
    return moment.replace(tzinfo=timezone.utc) if moment else None
