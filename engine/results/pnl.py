"""The one definition of daily P&L, used by the reports and by both daily statements.

**A day's P&L is mark-to-market, fees included**::

    P&L = closing value - opening value + sold - bought - fees

for whatever is measured: the *opening value* is what it held at the previous
close (the first day of a run: at the run's start) valued at those prices, the
*closing value* what it holds at this close at this close's prices, and
``bought``, ``sold`` and ``fees`` are the day's fills. For the whole account the
values are the total asset (cash included), so the fills cancel out and the P&L
is ``total asset at the close - total asset at the previous close``. For one
strategy the values are its own holdings. This is the broker's 当日盈亏: what
was realised and what moved, in one figure, so the days add up to the run.

:func:`day_pnl` is the formula; :class:`StrategyLedger` replays fills and
close prices into each strategy's daily P&L (what the audit statement and the
report use); ``engine.account.statement`` (from engine state) computes the same
quantity incrementally in ``StrategyBook`` and the account's with :func:`day_pnl`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["DayFlows", "StrategyLedger", "daily_strategy_pnl", "day_pnl"]

ZERO = Decimal("0")


def day_pnl(opening_value: Decimal, closing_value: Decimal, *, bought: Decimal = ZERO, sold: Decimal = ZERO,
            fees: Decimal = ZERO) -> Decimal:
    """The day's P&L: ``closing_value - opening_value + sold - bought - fees`` (see the module docstring)."""
    return closing_value - opening_value + sold - bought - fees


@dataclass
class DayFlows:
    """One strategy's fills of one day, summed."""

    bought: Decimal = ZERO
    sold: Decimal = ZERO
    fees: Decimal = ZERO
    buy_volume: int = 0
    sell_volume: int = 0
    fills: int = 0
    unmatched_sell_volume: int = 0  # sold beyond the strategy's holding: no opening value, proceeds left out


@dataclass
class StrategyLedger:
    """Holdings per (strategy, code) from fills, valued at close prices: each strategy's daily P&L.

    Feed it in time order: :meth:`apply` for each fill, :meth:`close_day` at each close
    with that close's prices. A sell beyond what the strategy holds (a position older
    than the data) leaves its holding at zero; its proceeds still count as ``sold``.
    """

    holdings: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    last_fill_price: dict[str, Decimal] = field(default_factory=dict)
    _opening: dict[str, Decimal] = field(default_factory=dict)
    _flows: dict[str, DayFlows] = field(default_factory=dict)

    def apply(self, strategy: str, code: str, side: str, volume: int, price: Decimal, amount: Decimal,
              fees: Decimal, *, count: bool = True) -> None:
        """One fill. ``count=False`` only builds holdings (fills before the measured period)."""
        held = self.holdings[strategy]
        matched = volume
        if side == "sell":
            matched = min(volume, held.get(code, 0))
            held[code] = held.get(code, 0) - matched
        else:
            held[code] = held.get(code, 0) + volume
        if not held[code]:
            del held[code]
        self.last_fill_price[code] = price
        if not count:
            return
        flows = self._flows.setdefault(strategy, DayFlows())
        flows.fills += 1
        flows.fees += fees
        if side == "sell":
            flows.sold += amount * matched / volume if volume else ZERO
            flows.sell_volume += matched
            flows.unmatched_sell_volume += volume - matched
        else:
            flows.bought += amount
            flows.buy_volume += volume

    def value(self, strategy: str, prices: Mapping[str, Decimal | None]) -> Decimal:
        """Market value of a strategy's holdings at ``prices`` (the last fill price where a code has none)."""
        total = ZERO
        for code, volume in self.holdings.get(strategy, {}).items():
            price = prices.get(code) or self.last_fill_price.get(code) or ZERO
            total += price * volume
        return total

    def open_period(self, prices: Mapping[str, Decimal | None]) -> None:
        """Start measuring: the opening values are the holdings now at ``prices``."""
        self._opening = {name: self.value(name, prices) for name in self.strategies()}
        self._flows = {}

    def close_day(self, prices: Mapping[str, Decimal | None]) -> dict[str, tuple[Decimal, DayFlows]]:
        """The day ends at ``prices``: ``{strategy: (P&L, flows)}``; the closing values open the next day."""
        result = {}
        closing = {}
        for name in sorted(set(self.strategies()) | set(self._opening) | set(self._flows)):
            closing[name] = self.value(name, prices)
            flows = self._flows.get(name, DayFlows())
            result[name] = (day_pnl(self._opening.get(name, ZERO), closing[name], bought=flows.bought,
                                    sold=flows.sold, fees=flows.fees), flows)
        self._opening, self._flows = closing, {}
        return result

    def strategies(self) -> list[str]:
        return sorted({name for name, held in self.holdings.items() if held} | set(self._flows))


def daily_strategy_pnl(fills: Iterable, closes: Iterable[tuple[dt.date, Mapping[str, Decimal | None]]],
                       start_prices: Mapping[str, Decimal | None]) -> dict[dt.date, dict[str, tuple[Decimal, DayFlows]]]:
    """Each strategy's P&L per day: ``fills`` (objects with strategy, code, side, volume, price, amount,
    commission, day and ``earlier``) in time order, ``closes`` the (day, close prices) in order."""
    ledger = StrategyLedger()
    pending = list(fills)
    index = 0
    while index < len(pending) and pending[index].earlier:
        f = pending[index]
        ledger.apply(f.strategy, f.code, f.side, f.volume, f.price, f.amount, f.commission, count=False)
        index += 1
    ledger.open_period(start_prices)
    days: dict[dt.date, dict[str, tuple[Decimal, DayFlows]]] = {}
    for day, prices in closes:
        while index < len(pending) and pending[index].day <= day:
            f = pending[index]
            ledger.apply(f.strategy, f.code, f.side, f.volume, f.price, f.amount, f.commission)
            index += 1
        days[day] = ledger.close_day(prices)
    return days
