"""The one money-equality rule (services/money.py) and its three users agree with Odoo's currency rule."""

import itertools
from decimal import Decimal

from odoo.tools import float_compare

from ...services import completeness, money
from ..pure import PureCase


class TestSameAmount(PureCase):
    def test_equal_when_rounded_to_the_same_cent(self):
        self.assertTrue(money.same_amount(Decimal("10.00"), 10.004, "0.01"))
        self.assertTrue(money.same_amount(0.1 + 0.2, Decimal("0.30"), 0.01))
        self.assertFalse(money.same_amount(Decimal("10.00"), Decimal("10.01"), "0.01"))
        # Half a cent apart can still round to different cents: 10.004 → 10.00, 10.005 → 10.01.
        self.assertFalse(money.same_amount("10.004", "10.005", "0.01"))
        self.assertTrue(money.same_amount("-10.005", "-10.01", "0.01"), "half away from zero, as Odoo")

    def test_other_roundings(self):
        self.assertTrue(money.same_amount("100", "100.4", 1))  # JPY-like
        self.assertFalse(money.same_amount("100", "100.5", 1))
        self.assertTrue(money.same_amount("1.02", "1.00", "0.05"))  # CHF cash rounding
        self.assertFalse(money.same_amount("1.03", "1.00", "0.05"))
        self.assertEqual(money.round_to("1.025", "0.05"), Decimal("1.05"))
        with self.assertRaises(ValueError):
            money.round_to("1", 0)

    def test_matches_odoo_compare_amounts(self):
        """currency.compare_amounts(a, b) is float_compare(a, b, precision_rounding=currency.rounding)."""
        amounts = [
            "0",
            "0.004",
            "0.005",
            "0.0049999",
            "0.015",
            "0.025",
            "1.005",
            "2.675",
            "-0.005",
            "99.995",
            "100.49",
            "100.5",
            "1234.565",
            "0.1",
            "0.30000000000000004",
        ]
        for rounding in (0.01, 0.05, 1.0, 0.001):
            for first, second in itertools.product(amounts, repeat=2):
                with self.subTest(first=first, second=second, rounding=rounding):
                    odoo_equal = float_compare(float(first), float(second), precision_rounding=rounding) == 0
                    self.assertEqual(money.same_amount(first, second, rounding), odoo_equal)

    def test_completeness_uses_the_rule(self):
        """A difference below half a cent is no difference; a cent is one (was `abs(diff) >= rounding`)."""
        shopify = {"gid://shopify/Order/1": ("#1", "10.00"), "gid://shopify/Order/2": ("#2", "20.00")}
        odoo = {
            "gid://shopify/Order/1": ("#1", Decimal("10.004")),
            "gid://shopify/Order/2": ("#2", Decimal("20.01")),
        }
        result = completeness.compare_day(shopify, odoo, rounding=Decimal("0.01"))
        self.assertEqual([entry["name"] for entry in result.differing], ["#2"])
        # With a 0.05 cash rounding, 20.01 is 20.00.
        self.assertFalse(completeness.compare_day(shopify, odoo, rounding=Decimal("0.05")).differing)
