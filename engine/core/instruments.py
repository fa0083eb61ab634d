"""Instrument facts the engine core needs before the counter sees an order: tick size and lot.

Funds (ETF/LOF) and convertible bonds trade in 0.001 CNY; stocks in 0.01.
"""

from __future__ import annotations

from decimal import Decimal

from ..models.money import FUND_TICK, STOCK_TICK

_FUND_OR_BOND_PREFIXES = {
    "SH": ("5", "11"),            # 50x-58x funds, 110/111/113/118 convertible bonds
    "SZ": ("15", "16", "12"),     # 159 ETFs, 16x LOFs, 123/127/128 convertible bonds
}


def price_tick(code: str) -> Decimal:
    """The minimum price step for ``code`` (e.g. ``600000.SH`` -> 0.01, ``510300.SH`` -> 0.001)."""
    symbol, _, market = code.partition(".")
    prefixes = _FUND_OR_BOND_PREFIXES.get(market.upper(), ())
    return FUND_TICK if symbol.startswith(prefixes) else STOCK_TICK
