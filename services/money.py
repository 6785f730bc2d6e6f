"""When two amounts are the same money: the one rule, in the currency's rounding.

Two amounts are equal when they round to the same value at the currency's rounding (half away from
zero), i.e. Odoo's `currency.compare_amounts(a, b) == 0`. Order import validation, the confirmation
guard and the completeness check all ask this, so a total that passes one passes the others.
"""

from decimal import ROUND_HALF_UP, Decimal

Amount = Decimal | float | int | str


def round_to(amount: Amount, rounding: Amount) -> Decimal:
    """`amount` rounded to a multiple of `rounding` (0.01, 0.05, 1 …), half away from zero."""
    step = Decimal(str(rounding))
    if step <= 0:
        raise ValueError(f"rounding must be positive, not {rounding!r}")
    # Through str(): a float's shortest repr is the amount it was meant to hold (Odoo rounds likewise).
    return (Decimal(str(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def same_amount(first: Amount, second: Amount, rounding: Amount) -> bool:
    """True when both amounts round to the same value at `rounding` (the currency's)."""
    return round_to(first, rounding) == round_to(second, rounding)
