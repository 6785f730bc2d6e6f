"""The dashboard charts' buckets and the JSON the web client's dashboard_graph widget reads."""

import json
from datetime import date, datetime

from ...services import dashboard_charts
from ..pure import PureCase


class TestDashboardChartSeries(PureCase):
    def test_hour_starts_end_with_the_current_hour(self):
        hours = dashboard_charts.hour_starts(datetime(2026, 1, 1, 1, 59, 30), 3)
        self.assertEqual(
            hours, [datetime(2025, 12, 31, 23), datetime(2026, 1, 1, 0), datetime(2026, 1, 1, 1)]
        )

    def test_days_end_today(self):
        self.assertEqual(dashboard_charts.days(date(2026, 3, 1), 2), [date(2026, 2, 28), date(2026, 3, 1)])

    def test_fill_gives_every_bucket_a_value(self):
        self.assertEqual(dashboard_charts.fill([1, 2, 3], {2: 5, 9: 1}), [(1, 0), (2, 5), (3, 0)])

    def test_bar_and_line_shapes(self):
        self.assertEqual(
            json.loads(dashboard_charts.bar_chart("Orders", [("1 Jan", 2)])),
            [{"key": "Orders", "values": [{"label": "1 Jan", "value": 2, "type": "past"}]}],
        )
        self.assertEqual(
            json.loads(dashboard_charts.line_chart("Jobs", [("10:00", 3)])),
            [{"key": "Jobs", "values": [{"x": "10:00", "y": 3}]}],
        )
