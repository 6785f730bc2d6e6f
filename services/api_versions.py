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
