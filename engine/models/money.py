"""Decimal-safe money: prices rounded to the tick, fees to 0.01 CNY, both half-up.

Floats come in from market data and the SDK; everything that is summed into cash
goes through these helpers first, so cash accounting never drifts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
STOCK_TICK = Decimal("0.01")
FUND_TICK = Decimal("0.001")
ZERO = Decimal("0")


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """Convert without binary noise: floats go through ``repr`` (shortest round-trip)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_to_tick(value: float | int | str | Decimal, tick: Decimal = STOCK_TICK) -> Decimal:
    """Round a price half-up to a multiple of ``tick`` (11.605 -> 11.61)."""
    d = to_decimal(value)
    return (d / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP) * tick


def round_cents(value: float | int | str | Decimal) -> Decimal:
    """Round an amount half-up to 0.01 CNY, as brokers do for each fee item."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def is_on_tick(price: Decimal, tick: Decimal) -> bool:
    """True when ``price`` is an integer multiple of ``tick`` (compared exactly)."""
    return (price % tick) == 0
