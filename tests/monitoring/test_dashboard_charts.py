"""The dashboard's inline charts: orders per day, queue backlog and API cost per hour, from the records."""

import json
from datetime import datetime

from odoo.tests import TransactionCase, freeze_time, tagged

NOW = datetime(2026, 11, 25, 12, 20, 0)


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute)


@tagged("post_install", "-at_install")
class TestDashboardCharts(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.shop = cls.env["shopify.shop"].create(
            {"name": "charts", "shop_domain": "charts-store.myshopify.com", "client_secret": "s"}
        )

    def set_create_date(self, record, moment):
        self.env.flush_all()
        self.env.cr.execute(f"UPDATE {record._table} SET create_date = %s WHERE id = %s", [moment, record.id])

    def order(self, number, created):
        binding = self.env["shopify.order.binding"].create(
            {
                "shop_id": self.shop.id,
                "name": f"#{number}",
                "shopify_gid": f"gid://shopify/Order/{number}",
            }
        )
        self.set_create_date(binding, created)

    def job(self, created, finished=None):
        job = self.env["shopify.queue.job"]._enqueue(self.shop, "order_fetch", dedupe_key=str(created))
        job.write({"state": "done" if finished else "pending", "finished_at": finished})
        self.set_create_date(job, created)

    def chart(self, field):
        self.shop.invalidate_recordset()
        [series] = json.loads(self.shop[field])
        return series

    @freeze_time(NOW)
    def test_orders_per_day_counts_each_of_the_last_14_days(self):
        self.order(1, at(25, 9))
        self.order(2, at(25, 11))
        self.order(3, at(23, 23, 59))
        self.order(4, at(11, 10))  # the 15th day back: outside the chart
        series = self.chart("dash_chart_orders")
        values = series["values"]
        self.assertEqual(len(values), 14)
        self.assertEqual(values[0]["label"], "12 Nov")
        self.assertEqual(
            [(v["label"], v["value"]) for v in values[-3:]], [("23 Nov", 1), ("24 Nov", 0), ("25 Nov", 2)]
        )
        self.assertEqual(sum(v["value"] for v in values), 3)

    @freeze_time(NOW)
    def test_orders_per_day_are_the_viewers_days(self):
        self.env.user.tz = "Europe/Paris"  # UTC+1 in November: 23:30 UTC is the next day in Paris
        self.order(1, at(24, 23, 30))
        values = self.chart("dash_chart_orders")["values"]
        self.assertEqual([(v["label"], v["value"]) for v in values[-2:]], [("24 Nov", 0), ("25 Nov", 1)])

    @freeze_time(NOW)
    def test_queue_backlog_counts_the_jobs_not_finished_at_each_hour(self):
        self.job(created=at(25, 9, 30), finished=at(25, 11, 10))  # waiting at 10:00 and 11:00
        self.job(created=at(25, 10, 45))  # still pending: 11:00, 12:00 and now
        self.job(created=at(24, 1), finished=at(24, 2))  # before the window
        values = self.chart("dash_chart_queue")["values"]
        self.assertEqual(len(values), 24)
        self.assertEqual(
            [(v["x"], v["y"]) for v in values[-4:]],
            [("10:00", 1), ("11:00", 2), ("12:00", 1), ("12:20", 1)],
        )
        self.assertEqual(values[0]["x"], "14:00", "23 whole hours back, then now")
        self.assertEqual(sum(v["y"] for v in values[:-4]), 0)

    @freeze_time(NOW)
    def test_api_cost_per_hour_sums_what_shopify_charged(self):
        Call = self.env["shopify.api.call"]
        for moment, cost in (
            (at(25, 12, 5), 10),
            (at(25, 12, 15), 2.5),
            (at(25, 9, 59), 40),
            (at(24, 11), 99),
        ):
            Call.create(
                {
                    "shop_id": self.shop.id,
                    "operation": "q",
                    "outcome": "ok",
                    "called_at": moment,
                    "actual_cost": cost,
                }
            )
        values = self.chart("dash_chart_api_cost")["values"]
        self.assertEqual(len(values), 24)
        self.assertEqual(values[0]["label"], "13:00", "the hour of yesterday 11:00 is outside the window")
        by_hour = {v["label"]: v["value"] for v in values}
        self.assertEqual((by_hour["12:00"], by_hour["09:00"], by_hour["10:00"]), (12.5, 40, 0))
        self.assertEqual(sum(by_hour.values()), 52.5)

    def test_the_dashboard_form_draws_the_charts_with_the_web_clients_widget(self):
        arch = self.env["shopify.shop"].get_view(
            self.env.ref("shopify_sync.shopify_shop_view_form_dashboard").id, "form"
        )["arch"]
        for field in ("dash_chart_orders", "dash_chart_queue", "dash_chart_api_cost"):
            self.assertIn(f'name="{field}" widget="dashboard_graph"', arch)
