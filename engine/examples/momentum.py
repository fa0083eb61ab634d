"""Cross-sectional momentum: each month, hold the N codes that rose most over the lookback.

On the first bar of each month (``on_bars``: every code's daily bar of that day in one
call) the codes are ranked by their return over ``lookback`` bars
(``ctx.history(code, lookback + 1, "close")``); ST names and codes with too short a
history are left out. Holdings outside the top ``top`` are sold that day; the buys follow
on the next bar, once the sells have filled and freed the cash, each for an equal share
of the account (whole lots; at most the cash left, spread over the buys). Orders are limit orders a few percent through the close
(``slack``), so they fill at the next bar's open unless the market gaps past them, and
never on a limit-locked day (the simulator's fill model).

Parameters: ``lookback`` (60), ``top`` (10), ``slack`` (0.03), ``invest`` (0.9: the share of
the account put to work).
"""

from __future__ import annotations

from engine import hookimpl


class Momentum:
    def __init__(self) -> None:
        self.month: tuple[int, int] | None = None
        self.to_buy: list[str] = []
        self.rebalances = 0

    @hookimpl
    def on_start(self, ctx) -> None:
        self.lookback = int(ctx.params.get("lookback", 60))
        self.top = int(ctx.params.get("top", 10))
        self.slack = float(ctx.params.get("slack", 0.03))
        self.invest = float(ctx.params.get("invest", 0.9))
        if self.lookback < 1 or self.top < 1:
            raise ValueError(f"momentum needs lookback >= 1 and top >= 1, got {self.lookback} and {self.top}")
        ctx.history("000000.SH", self.lookback + 1)  # keep enough bars per code from the first bar on

    @hookimpl
    def on_bars(self, ctx, bars) -> None:
        if self.to_buy:
            self._buy(ctx, bars)
        month = (bars[0].time.year, bars[0].time.month)
        if month == self.month:
            return
        self.month = month
        ranked = self._rank(ctx, bars)
        if ranked is None:
            return
        self.rebalances += 1
        keep = set(ranked[: self.top])
        for code, position in ctx.positions.items():
            if code not in keep and position.can_use_volume > 0:
                price = ctx.last_price(code) or position.last_price
                ctx.sell(code, position.can_use_volume, price=price * (1 - self.slack), note="out of the top")
        self.to_buy = [code for code in ranked[: self.top] if ctx.position(code).volume == 0]

    def _rank(self, ctx, bars) -> list[str] | None:
        scores = []
        for bar in bars:
            closes = ctx.history(bar.code, self.lookback + 1, "close")
            if len(closes) <= self.lookback:
                continue
            detail = ctx.instrument(bar.code) or {}
            if "ST" in str(detail.get("InstrumentName", "")).upper():
                continue
            scores.append((closes[-1] / closes[0] - 1.0, bar.code))
        if len(scores) < self.top:
            return None
        scores.sort(key=lambda item: (-item[0], item[1]))
        return [code for _, code in scores]

    def _buy(self, ctx, bars) -> None:
        prices = {bar.code: bar.close for bar in bars}
        # an equal share of the account, but never more than the cash left spread over the buys
        budget = min(float(ctx.account.total_asset) * self.invest / self.top,
                     float(ctx.account.cash) / (1 + self.slack) * 0.98 / max(1, len(self.to_buy)))
        for code in self.to_buy:
            price = prices.get(code)
            if price is None or ctx.position(code).volume or ctx.open_orders(code):
                continue  # suspended today, or already held
            limit = price * (1 + self.slack)
            lots = int(budget / (limit * 100))
            if lots > 0:
                ctx.buy(code, lots * 100, price=limit, note="into the top")
        self.to_buy = []
