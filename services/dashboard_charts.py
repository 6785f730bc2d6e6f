"""The series behind the dashboard's inline charts, in the shape of the web client's `dashboard_graph`
field widget (web/static/src/views/fields/journal_dashboard_graph): a JSON list holding one series.

The database answers sparse rows (only the hours or days that had something); the charts need every
bucket of the window, oldest first, zeros included, so that a quiet hour reads as a zero and not as a gap.
"""

import json
from datetime import date, datetime, timedelta


def hour_starts(now: datetime, hours: int) -> list[datetime]:
    """The start of each of the last `hours` whole hours, the current one included, oldest first."""
    current = now.replace(minute=0, second=0, microsecond=0)
    return [current - timedelta(hours=back) for back in range(hours - 1, -1, -1)]


def days(today: date, count: int) -> list[date]:
    """The last `count` days, today included, oldest first."""
    return [today - timedelta(days=back) for back in range(count - 1, -1, -1)]


def fill(buckets: list, values: dict) -> list[tuple]:
    """(bucket, value) for every bucket; a bucket missing from `values` is 0."""
    return [(bucket, values.get(bucket, 0)) for bucket in buckets]


def bar_chart(title: str, points: list[tuple[str, float]]) -> str:
    """A bar chart: one bar per (label, value)."""
    values = [{"label": label, "value": value, "type": "past"} for label, value in points]
    return json.dumps([{"key": title, "values": values}])


def line_chart(title: str, points: list[tuple[str, float]]) -> str:
    """A line chart (no axes: the tooltip tells each point's label and value)."""
    values = [{"x": label, "y": value} for label, value in points]
    return json.dumps([{"key": title, "values": values}])
