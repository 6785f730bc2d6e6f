"""The Shopify Admin API versions this addon supports, with their support windows.

Shopify releases a version each quarter and supports it for at least twelve months; a request to a
version past its window silently falls forward to the oldest supported one. This table is the single
place that knows the dates.
"""

from datetime import date

# version -> (release date, end of support)
SUPPORTED_API_VERSIONS = {
    "2026-01": (date(2026, 1, 1), date(2027, 1, 1)),
    "2026-04": (date(2026, 4, 1), date(2027, 4, 1)),
    "2026-07": (date(2026, 7, 1), date(2027, 7, 1)),
    "2026-10": (date(2026, 10, 1), date(2027, 10, 1)),
}
DEFAULT_API_VERSION = "2026-10"

# The shop form and the health endpoint warn this many days before a version leaves support.
SUPPORT_WARNING_DAYS = 90


def end_of_support(version: str) -> date | None:
    """The date `version` leaves support, or None for a version this addon does not know."""
    window = SUPPORTED_API_VERSIONS.get(version)
    return window[1] if window else None


def support_warning(version: str, today: date, warning_days: int = SUPPORT_WARNING_DAYS) -> str | None:
    """A sentence telling an admin to upgrade, or None while `version` is comfortably supported."""
    end = end_of_support(version)
    if end is None:
        return f"API version {version} is not supported by this addon: choose {DEFAULT_API_VERSION}."
    days_left = (end - today).days
    if days_left > warning_days:
        return None
    if days_left <= 0:
        return (
            f"API version {version} left support on {end.isoformat()}: Shopify answers with the oldest "
            f"supported version instead. Switch the shop to {DEFAULT_API_VERSION}."
        )
    return (
        f"API version {version} leaves support on {end.isoformat()} ({days_left} days): switch the shop "
        f"to {DEFAULT_API_VERSION} before then."
    )
