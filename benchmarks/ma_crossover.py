"""The replay benchmark's strategy, twice: as an engine plugin, and as a bare Python loop.

Rules (both sides):

* on each bar's close, a 10-bar and a 30-bar moving average of the close (in
  integer cents, so both sides compare exactly);
* golden cross (fast crosses above slow): the target becomes long; when flat (no
  shares, no open order) buy 1,000,000 CNY worth in 100-share lots, limit at the close;
* death cross: the target becomes flat;
* while the target is flat: cancel open buys; once no order is open, sell the
  sellable shares (T+1), limit at the close.

The bare loop reproduces what the simulated counter does with those orders
(ashare_rules.md): a limit order placed on a bar is matched from the next bar on,
at that bar's open (plus slippage, never beyond the limit or the daily limits)
when marketable, else at the limit when the bar's range reaches it, for at most
the bar's volume (``participation: 1``); the bar clock of backtests: orders and cancels are
accepted at any bar's time, an order placed on the day's last bar (15:00) waits for the next
day's first bar, and an order that has met a bar expires at the end of its day;
shares bought today are sellable tomorrow; fees per ``FeeProfile()`` on each order's cumulative
turnover, half-up to the cent. Both sides must end with the same fills and cash.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import deque

from engine import hookimpl

FAST, SLOW = 10, 30
NOTIONAL_CENTS = 1_000_000 * 100


def order_volume(close_cents: int) -> int:
    """Shares worth at most 1,000,000 CNY at ``close_cents``, in whole lots of 100."""
    return NOTIONAL_CENTS // close_cents // 100 * 100


class MaCrossover:
    """The engine side: an ``on_bar`` strategy plugin for one code."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.window: deque[int] = deque()
        self.fast_sum = self.slow_sum = 0
        self.above: bool | None = None
        self.long = False
        self.signals = 0

    @hookimpl
    def on_bar(self, ctx, bar) -> None:
        if bar.code != self.code:
            return
        cents = round(bar.close * 100)
        window = self.window
        window.append(cents)
        self.fast_sum += cents
        self.slow_sum += cents
        if len(window) > FAST:
            self.fast_sum -= window[-FAST - 1]
        if len(window) > SLOW:
            self.slow_sum -= window.popleft()
        if len(window) >= SLOW:
            above = self.fast_sum * SLOW > self.slow_sum * FAST
            was_above, self.above = self.above, above
            if was_above is not None and above != was_above:
                self.signals += 1
                self.long = above
                if above and ctx.position(self.code).volume == 0 and not ctx.open_orders(self.code):
                    ctx.buy(self.code, order_volume(cents), price=cents / 100)
        if not self.long:
            self._go_flat(ctx, cents)

    def _go_flat(self, ctx, cents: int) -> None:
        open_orders = ctx.open_orders(self.code)
        if open_orders:
            for order in open_orders:
                if order.side.value == "buy":
                    ctx.cancel(order)
            return
        sellable = ctx.position(self.code).can_use_volume
        if sellable > 0:
            ctx.sell(self.code, sellable, price=cents / 100)


def load_rows(path) -> list[tuple]:
    """The bar file as ``(datetime, open, high, low, close, volume)`` tuples (prices in cents)."""
    rows = []
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for t, o, h, lo, c, v in reader:
            rows.append((dt.datetime.fromisoformat(t), round(float(o) * 100), round(float(h) * 100),
                         round(float(lo) * 100), round(float(c) * 100), int(v)))
    return rows


def _half_up(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (2 * remainder >= denominator)


def fees_cents(amount: int, is_sell: bool) -> int:
    """FeeProfile() on a turnover in cents: commission 0.025% min 5, stamp 0.05% (sells), transfer 0.001%."""
    if amount <= 0:
        return 0
    commission = max(_half_up(amount * 25, 100_000), 500)
    stamp = _half_up(amount * 5, 10_000) if is_sell else 0
    return commission + stamp + _half_up(amount, 100_000)


def bare_replay(rows: list[tuple], *, initial_cash_cents: int, slippage_bps: int = 0) -> dict:
    """The whole strategy and the counter's bar fills in one plain loop; returns fills, cash and counts."""
    window: deque[int] = deque()
    fast_sum = slow_sum = 0
    above = None
    long = False
    orders: list[list] = []  # [id, is_buy, limit, remaining, volume, turnover, fees_paid, met_a_bar]
    next_id = 1
    volume = can_use = 0
    cash = initial_cash_cents
    fills: list[tuple] = []
    day = None
    last_close = pre_close = up = down = 0
    placed = signals = 0
    for when, o, h, lo, c, v in rows:
        today = when.date()
        if today != day:
            if day is None:
                pre_close = o
            else:
                pre_close = last_close
                orders = [order for order in orders if not order[7]]  # the rest expired at the end of the day
                can_use = volume - sum(order[3] for order in orders if not order[1])  # carried sells stay frozen
            day = today
            up, down = _half_up(pre_close * 110, 100), _half_up(pre_close * 90, 100)
        last_close = c
        if orders:
            used = 0
            for order in orders:
                order[7] = True
                is_buy, limit = order[1], order[2]
                if is_buy:
                    price = _half_up(o * (10_000 + slippage_bps), 10_000) if o <= limit else (limit if lo <= limit else 0)
                    price = min(price, limit)
                else:
                    price = _half_up(o * (10_000 - slippage_bps), 10_000) if o >= limit else (limit if h >= limit else 0)
                    price = max(price, limit) if price else 0
                if not price:
                    continue
                price = max(min(price, up), down)
                qty = min(order[3], v - used)
                if qty <= 0:
                    continue
                used += qty
                amount = price * qty
                order[5] += amount
                fee = fees_cents(order[5], not is_buy) - order[6]
                order[6] += fee
                order[3] -= qty
                if is_buy:
                    volume += qty
                    cash -= amount + fee
                else:
                    volume -= qty
                    cash += amount - fee
                fills.append((when, "buy" if is_buy else "sell", price, qty))
            orders = [order for order in orders if order[3] > 0]
            if cash < 2 * NOTIONAL_CENTS:
                raise RuntimeError("the bare loop ran low on cash: raise initial_cash so no order is refused for funds")
        window.append(c)
        fast_sum += c
        slow_sum += c
        if len(window) > FAST:
            fast_sum -= window[-FAST - 1]
        if len(window) > SLOW:
            slow_sum -= window.popleft()
        if len(window) >= SLOW:
            is_above = fast_sum * SLOW > slow_sum * FAST
            was_above, above = above, is_above
            if was_above is not None and is_above != was_above:
                signals += 1
                long = is_above
                if is_above and volume == 0 and not orders:
                    placed += 1
                    if down <= c <= up:
                        orders.append([next_id, True, c, order_volume(c), order_volume(c), 0, 0, False])
                    next_id += 1
        if not long:
            if orders:
                orders = [order for order in orders if not order[1]]
            elif can_use > 0:
                placed += 1
                if down <= c <= up:
                    orders.append([next_id, False, c, can_use, can_use, 0, 0, False])
                    can_use = 0
                next_id += 1
    return {"fills": fills, "cash": cash, "volume": volume, "signals": signals, "orders": placed}
