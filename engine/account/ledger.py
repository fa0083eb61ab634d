"""The account's one owner: cash, positions, each strategy's book, the day's fills and loss baseline.

Every fill enters through :meth:`AccountLedger.apply_fill`, which updates the
portfolio (cash and positions), the per-strategy book (holdings, cost, today's
P&L) and the fill log (the daily statement's fills) together, so they can never
disagree. The broker's pushes and query answers (``XtAsset``, ``XtPosition``)
replace cash and positions through :meth:`apply_asset` / :meth:`apply_position`;
ticks and bars mark prices through :meth:`mark`.

Everyone else reads: ``account``, ``positions`` and ``last_prices`` are read-only
views, the other readers return values. Only the engine's order path, the
day roll and start-up restore write, and only through the methods below.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import MappingProxyType
from typing import Iterable, Mapping

from ..models import Account, Fill, Position
from ..models.money import ZERO
from .fill_log import FillLog
from .portfolio import Portfolio
from .strategy_book import StrategyBook, StrategyHolding

__all__ = ["AccountLedger"]


class AccountLedger:
    """Portfolio, strategy book, fill log and the day's loss baseline of one account.

    :param account_id: the broker account id (kept on :attr:`account`).
    """

    def __init__(self, account_id: str) -> None:
        self._portfolio = Portfolio(account_id)
        self._book = StrategyBook()
        self._fills = FillLog()  # today's and the previous trading day's fills (the audit keeps all)
        self._day_start_equity = ZERO

    # -- writers: the order path ------------------------------------------------

    def apply_fill(self, fill: Fill) -> None:
        """A new fill: position and cash at once (the broker's next pushes replace them), the
        strategy's holding and P&L, and today's fill log."""
        self._portfolio.apply_fill(fill)
        self._book.apply_fill(fill)
        self._fills.append(fill)

    def apply_asset(self, record) -> None:
        """Cash and frozen cash from an ``XtAsset`` (push or query answer)."""
        self._portfolio.apply_asset(record)

    def apply_position(self, record) -> None:
        """Replace one position with an ``XtPosition`` (push or query answer)."""
        self._portfolio.apply_position(record)

    def drop_position(self, code: str) -> None:
        """Forget a position the broker no longer reports."""
        self._portfolio.drop(code)

    def load_snapshot(self, asset, positions: Iterable) -> None:
        """Take the broker's asset and every position of a snapshot."""
        self._portfolio.apply_asset(asset)
        for record in positions:
            self._portfolio.apply_position(record)

    def sell_sent(self, code: str, client_order_id: str, volume: int) -> None:
        """A sell left the engine; until the broker acknowledges it its volume is not sellable again."""
        self._portfolio.sell_sent(code, client_order_id, volume)

    def sell_acknowledged(self, code: str, client_order_id: str) -> None:
        """The broker reported the sell (it froze the shares itself) or it ended."""
        self._portfolio.sell_acknowledged(code, client_order_id)

    def mark(self, code: str, price: float) -> None:
        """A new last price for ``code`` (a tick or a bar close)."""
        self._portfolio.mark(code, price)

    # -- writers: the day -------------------------------------------------------

    def roll_day(self, keep_fills_from: dt.date) -> None:
        """A new trading day: holdings one day older, strategy P&L measured from the last prices,
        fills before ``keep_fills_from`` forgotten (the audit has them)."""
        self._portfolio.roll_day()
        self._book.roll_day(self._portfolio.last_prices)
        self._fills.retire_before(keep_fills_from)

    def set_day_baseline(self, equity: Decimal | None = None) -> None:
        """The daily-loss baseline: ``equity`` (an earlier run's first mark of the day), or the total
        asset now."""
        self._day_start_equity = self.account.total_asset if equity is None else equity

    # -- writers: start-up restore (engine/account/restore.py) --------------------

    def replay_recorded_fill(self, fill: Fill, *, today: bool) -> None:
        """Fold an earlier run's fill into the strategy book (cash and positions are the broker's);
        today's fills also go to the fill log, so today's statement counts them."""
        self._book.apply_fill(fill)
        if today:
            self._fills.append(fill)

    def roll_recorded_day(self, closes: Mapping[str, float]) -> None:
        """A day boundary among recorded fills: the strategy book's references move to ``closes``."""
        self._book.roll_day(dict(closes))

    def set_holding_days(self, code: str, days: int) -> None:
        """How long the position in ``code`` has been held (restored from the audit)."""
        position = self._portfolio.positions.get(code)
        if position is not None:
            position.holding_days = days

    # -- readers ----------------------------------------------------------------

    @property
    def account(self) -> Account:
        """Cash, frozen cash, market value, floating P&L (treat as read-only)."""
        return self._portfolio.account

    @property
    def positions(self) -> Mapping[str, Position]:
        """Every position by code, including ones sold out today (volume 0); a read-only mapping."""
        return MappingProxyType(self._portfolio.positions)

    def position(self, code: str) -> Position | None:
        return self._portfolio.positions.get(code)

    @property
    def last_prices(self) -> Mapping[str, float]:
        """The last price seen per code (ticks, bars, fills); a read-only mapping."""
        return MappingProxyType(self._portfolio.last_prices)

    @property
    def day_start_equity(self) -> Decimal:
        """The daily-loss baseline: the account's first equity of the trading day."""
        return self._day_start_equity

    @property
    def pnl_today(self) -> Decimal:
        """Total asset now minus the day's baseline."""
        return self.account.total_asset - self._day_start_equity

    def sellable(self, code: str) -> int:
        """The T+1 sellable volume of ``code`` net of sells the broker has not acknowledged."""
        position = self._portfolio.positions.get(code)
        return position.can_use_volume if position is not None else 0

    def holding(self, strategy: str, code: str) -> StrategyHolding:
        """One strategy's own holding of ``code`` (volume, cost, today's reference price)."""
        return self._book.holding(strategy, code)

    def held_codes(self) -> set[str]:
        """Every code some strategy holds, by the strategy book."""
        return {code for holdings in self._book.holdings.values() for code in holdings}

    def position_value(self, strategy: str, code: str | None = None) -> Decimal:
        """Market value of one strategy's holdings (of one code, or all) at the last prices."""
        return self._book.position_value(strategy, self._portfolio.last_prices, code)

    def strategy_pnl(self, strategy: str) -> Decimal:
        """One strategy's P&L today: realised plus the move of what it holds."""
        return self._book.daily_pnl(strategy, self._portfolio.last_prices)

    def strategies(self) -> list[str]:
        """Strategies with a holding or a realised P&L today."""
        return self._book.strategies()

    def fills_of_day(self, day: dt.date) -> list[Fill]:
        """This run's fills of ``day`` (today or the previous trading day; restored ones included)."""
        return self._fills.of_day(day)

    def fills_in_memory(self) -> int:
        """How many fills the log holds (memory stays flat: two trading days at most)."""
        return len(self._fills)

    def open_positions(self) -> dict[str, int]:
        """Volume per held code (positions with a volume only)."""
        return {code: p.volume for code, p in sorted(self._portfolio.positions.items()) if p.volume}
