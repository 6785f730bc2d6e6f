"""The one Shopify timestamp parser (services/timestamps.py): offsets kept, naive UTC out."""

from datetime import datetime, timedelta, timezone

from ...services import timestamps, webhook_resource
from ...services.mapping import orders as order_mapping
from ...services.mapping import products as product_mapping
from ..pure import PureCase


class TestTimestamps(PureCase):
    def test_offsets_are_applied_before_they_are_dropped(self):
        cases = {
            "2026-11-25T10:00:00Z": datetime(2026, 11, 25, 10, 0, 0),
            "2026-11-25T10:00:00+02:00": datetime(2026, 11, 25, 8, 0, 0),
            "2026-11-25T10:00:00-05:00": datetime(2026, 11, 25, 15, 0, 0),
            "2026-11-25T23:30:00-05:00": datetime(2026, 11, 26, 4, 30, 0),  # the day changes in UTC
            "2026-11-25T10:00:00.123456+02:00": datetime(2026, 11, 25, 8, 0, 0, 123456),
            "2026-11-25T10:00:00.5Z": datetime(2026, 11, 25, 10, 0, 0, 500000),
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                parsed = timestamps.parse(text)
                self.assertEqual(parsed, expected)
                self.assertIsNone(parsed.tzinfo, "Odoo stores naive UTC")

    def test_no_zone_is_utc(self):
        self.assertEqual(timestamps.parse("2026-11-25T10:00:00"), datetime(2026, 11, 25, 10, 0, 0))
        self.assertEqual(timestamps.parse("2026-11-25 10:00:00"), datetime(2026, 11, 25, 10, 0, 0))

    def test_datetimes_are_accepted(self):
        aware = datetime(2026, 11, 25, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
        self.assertEqual(timestamps.parse(aware), datetime(2026, 11, 25, 15, 0))
        self.assertEqual(timestamps.parse(datetime(2026, 11, 25, 10, 0)), datetime(2026, 11, 25, 10, 0))

    def test_absent_garbage_and_out_of_range_give_none(self):
        for value in (
            None,
            "",
            "  ",
            0,
            12,
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-25T10:00:00+25:00",
        ):
            with self.subTest(value=value):
                self.assertIsNone(timestamps.parse(value))
        # Valid text whose UTC instant is outside datetime's range: OverflowError inside, None out.
        self.assertIsNone(timestamps.parse("9999-12-31T23:00:00-05:00"))
        self.assertIsNone(timestamps.parse("0001-01-01T00:30:00+01:00"))

    def test_parse_aware_is_the_same_instant(self):
        aware = timestamps.parse_aware("2026-11-25T10:00:00-05:00")
        self.assertEqual(aware, datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))
        self.assertIsNone(timestamps.parse_aware("garbage"))

    def test_every_reader_uses_the_parser(self):
        """Webhook headers, order and product payloads read the same instant from the same text."""
        text = "2026-11-25T10:00:00-05:00"
        expected = datetime(2026, 11, 25, 15, 0)
        self.assertEqual(webhook_resource.parse_timestamp(text), expected)
        self.assertEqual(webhook_resource.resource_updated_at({"updated_at": text}), expected)
        self.assertEqual(order_mapping.timestamp(text), expected)
        product = product_mapping.product_from_graphql({"id": "gid://shopify/Product/1", "updatedAt": text})
        self.assertEqual(product["updated_at"], expected.replace(tzinfo=timezone.utc))

    def test_orders_refuse_a_malformed_timestamp(self):
        with self.assertRaises(order_mapping.OrderPayloadError):
            order_mapping.timestamp("2026-11-25 at noon")
        self.assertIsNone(order_mapping.timestamp(None))
