"""Cross-sectional momentum: each month, hold the N codes that rose most over the lookback.

On the first bar of each month (``on_bars``: every code's daily bar of that day in one
call) the codes are ranked by their return over ``lookback`` bars
(``ctx.history(code, lookback + 1, "close")``); ST names and codes with too short a
history are left out. Then ``ctx.rebalance`` brings the account to an equal weight in
each of the top ``top`` (``invest / top`` of total asset each): holdings outside the top
are sold that day, and the buys follow once the sells have filled and their cash is
booked (whole lots, fees reserved, codes at limit-up or without a bar today skipped with
the reason in the log). A holding still in the top is left alone unless it drifted by more
than ``tolerance`` of the account. Orders are limit orders ``slack`` through the price,
so they fill at the next bar's open unless the market gaps past them, and never on a
limit-locked day (the simulator's fill model).

Parameters: ``lookback`` (60), ``top`` (10), ``slack`` (0.03), ``invest`` (0.9: the share of
the account put to work), ``tolerance`` (0.03).
"""

from __future__ import annotations

from engine import hookimpl


class Momentum:
    def __init__(self) -> None:
        self.month: tuple[int, int] | None = None
        self.rebalances = 0
        self.last_run = None

    @hookimpl
    def on_start(self, ctx) -> None:
        self.lookback = int(ctx.params.get("lookback", 60))
        self.top = int(ctx.params.get("top", 10))
        self.slack = float(ctx.params.get("slack", 0.03))
        self.invest = float(ctx.params.get("invest", 0.9))
        self.tolerance = float(ctx.params.get("tolerance", 0.03))
        if self.lookback < 1 or self.top < 1:
            raise ValueError(f"momentum needs lookback >= 1 and top >= 1, got {self.lookback} and {self.top}")
        ctx.history("000000.SH", self.lookback + 1)  # keep enough bars per code from the first bar on

    @hookimpl
    def on_bars(self, ctx, bars) -> None:
        month = (bars[0].time.year, bars[0].time.month)
        if month == self.month:
            return
        self.month = month
        ranked = self._rank(ctx, bars)
        if ranked is None:
            return
        self.rebalances += 1
        weight = round(self.invest / self.top, 6)
        self.last_run = ctx.rebalance({code: weight for code in ranked[: self.top]}, slack=self.slack,
                                      tolerance=self.tolerance, prices={bar.code: bar.close for bar in bars})

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
