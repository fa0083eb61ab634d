"""The deterministic generator of the bundled SYNTHETIC sample data (``engine/data/sample/``).

    python -m engine.marketdata.sample [OUT_DIR]      # default: engine/data/sample

Writes ``instruments.csv``, one ``ticks-YYYY-MM-DD.csv.gz`` per trading day and
a ``README.md``. The quotes are invented: six instruments from different boards
(SH/SZ main board, ChiNext, STAR, an SH ETF, an ST stock), three trading days,
a snapshot every 10 s of both continuous sessions plus the 09:25 opening
auction and the 15:00 close. Prices follow a random walk on the tick grid with
trending regimes and reversals, stay inside each day's price limit (book
levels included), and each day's ``lastClose`` is the previous day's close.

Only ``random.Random`` (seeded per code from a fixed seed) and float
``+ - * /`` are used, no ``math`` functions whose last bit could differ between
platforms, and gzip is written with mtime 0, so every run writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..models.money import FUND_TICK, STOCK_TICK, round_to_tick
from . import SAMPLE_DIR
from .formats import (
    STOCK_STATUS_BREAK, STOCK_STATUS_CALL_AUCTION, STOCK_STATUS_CLOSED, STOCK_STATUS_CLOSING_AUCTION,
    STOCK_STATUS_CONTINUOUS,
)
from .sample_readme import render_readme
from .writers import TickFileWriter, write_instruments

SEED = 20260309
#: The sample's trading days (consecutive XSHG sessions; the tests check them).
SAMPLE_DAYS = (dt.date(2026, 3, 9), dt.date(2026, 3, 10), dt.date(2026, 3, 11))
SNAPSHOT_SECONDS = 10
_SQRT3 = 1.7320508075688772


@dataclass(frozen=True)
class InstrumentSpec:
    """One synthetic instrument: its instruments.csv row and the parameters of its price path."""

    code: str
    name: str
    kind: str
    listing_date: dt.date
    is_st: bool
    t0: bool
    tick: Decimal
    limit_pct: Decimal
    first_pre_close: Decimal
    sigma: float          # std of the relative move per 10 s snapshot
    lots_per_step: int    # typical traded lots per 10 s
    depth_lots: int       # typical lots per book level

    @property
    def row(self) -> dict:
        return {"code": self.code, "name": self.name, "kind": self.kind, "listing_date": self.listing_date,
                "is_st": self.is_st, "t0": self.t0}

    @property
    def closes_by_auction(self) -> bool:
        """Stocks have a 14:57-15:00 closing call auction; SSE funds only from 2026-07-06."""
        return self.kind == "stock"


SPECS: tuple[InstrumentSpec, ...] = (
    InstrumentSpec("000001.SZ", "SYN Shenzhen Bank", "stock", dt.date(1991, 4, 3), False, False,
                   STOCK_TICK, Decimal("0.10"), Decimal("11.20"), 0.00018, 900, 1500),
    InstrumentSpec("300750.SZ", "SYN ChiNext Battery", "stock", dt.date(2018, 6, 11), False, False,
                   STOCK_TICK, Decimal("0.20"), Decimal("182.50"), 0.0004, 120, 60),
    InstrumentSpec("510300.SH", "SYN CSI 300 ETF", "etf", dt.date(2012, 5, 28), False, False,
                   FUND_TICK, Decimal("0.10"), Decimal("3.912"), 0.0001, 2500, 4000),
    InstrumentSpec("600000.SH", "SYN Shanghai Bank", "stock", dt.date(1999, 11, 10), False, False,
                   STOCK_TICK, Decimal("0.10"), Decimal("10.05"), 0.00018, 800, 1200),
    InstrumentSpec("600666.SH", "ST SYN Holdings", "stock", dt.date(2001, 3, 8), True, False,
                   STOCK_TICK, Decimal("0.05"), Decimal("3.21"), 0.00015, 300, 400),
    InstrumentSpec("688981.SH", "SYN STAR Chip", "stock", dt.date(2020, 7, 16), False, False,
                   STOCK_TICK, Decimal("0.20"), Decimal("86.40"), 0.00045, 150, 80),
)


def daily_limits(pre_close: Decimal, pct: Decimal, tick: Decimal) -> tuple[Decimal, Decimal]:
    """(limit_down, limit_up): ``pre_close * (1 -/+ pct)`` rounded half-up to the tick."""
    return round_to_tick(pre_close * (1 - pct), tick), round_to_tick(pre_close * (1 + pct), tick)


def snapshot_schedule(day: dt.date) -> list[tuple[dt.datetime, str]]:
    """The day's snapshot times with their phase: auction, continuous, break, closing, closed."""
    at = lambda h, m, s=0: dt.datetime.combine(day, dt.time(h, m, s))  # noqa: E731
    step = dt.timedelta(seconds=SNAPSHOT_SECONDS)
    out = [(at(9, 25), "auction")]
    for begin, finish in ((at(9, 30), at(11, 30)), (at(13, 0), at(15, 0))):
        when = begin + step
        while when <= finish:
            phase = "continuous"
            if when == at(11, 30):
                phase = "break"
            elif when == at(15, 0):
                phase = "closed"
            elif when > at(14, 57):
                phase = "closing"
            out.append((when, phase))
            when += step
    return out


class _PricePath:
    """One instrument's state: a latent price in ticks with trending regimes, and the day's totals."""

    def __init__(self, spec: InstrumentSpec) -> None:
        self.spec = spec
        self.rng = random.Random(f"{SEED}:{spec.code}")
        self.tick = float(spec.tick)
        self.pre_close = int(spec.first_pre_close / spec.tick)
        self.max_gap = max(1, self.pre_close // 4000)

    def start_day(self) -> None:
        """Reset the day's totals; the opening auction sets the open near the previous close."""
        spec, rng = self.spec, self.rng
        down, up = daily_limits(self.pre_close * spec.tick, spec.limit_pct, spec.tick)
        reach = 3 + 4 * self.max_gap  # farthest book level from the last price, in ticks
        self.low_safe = int(down / spec.tick) + reach
        self.high_safe = int(up / spec.tick) - reach
        self.soft_band = float(spec.limit_pct) * 0.55
        gap = (rng.random() - 0.5) * float(spec.limit_pct) * 0.12
        self.latent = self._clamp(self.pre_close * (1.0 + gap))
        self.last = int(self.latent + 0.5)
        self.open = self.high = self.low = self.last
        self.volume = self.transactions = self.amount_mills = 0
        self.regime_left = 0
        self.drift = 0.0
        self._trade(self.spec.lots_per_step * (20 + rng.randrange(40)))

    def step(self) -> None:
        """Advance one 10-second snapshot of continuous trading."""
        rng, sigma = self.rng, self.spec.sigma
        if self.regime_left <= 0:
            self._new_regime()
        self.regime_left -= 1
        noise = (rng.random() + rng.random() + rng.random() + rng.random() - 2.0) * _SQRT3
        offset = self.latent / self.pre_close - 1.0
        pull = 0.0
        if offset > self.soft_band:
            pull = -(offset - self.soft_band) * 0.08
        elif offset < -self.soft_band:
            pull = (-self.soft_band - offset) * 0.08
        self.latent = self._clamp(self.latent * (1.0 + self.drift + pull + sigma * noise))
        price = int(self.latent + 0.5)
        moved = abs(price - self.last)
        lots = int(self.spec.lots_per_step * (0.2 + 1.6 * rng.random()) * (1.0 + 0.5 * min(moved, 4)))
        if lots <= 0 and moved:
            lots = 1
        self.last = price
        self.high, self.low = max(self.high, price), min(self.low, price)
        self._trade(lots)

    def close_auction(self) -> None:
        """The 15:00 closing auction: one last small move and its volume."""
        self.step()
        self._trade(self.spec.lots_per_step * (5 + self.rng.randrange(10)))

    def end_day(self) -> None:
        self.pre_close = self.last

    def _new_regime(self) -> None:
        rng, sigma = self.rng, self.spec.sigma
        self.regime_left = 90 + rng.randrange(240)
        sign = -1.0 if self.drift > 0 else 1.0
        if rng.random() < 0.25:
            sign = -sign
        self.drift = sign * sigma * (0.3 + 0.5 * rng.random())

    def _clamp(self, latent: float) -> float:
        return min(max(latent, float(self.low_safe)), float(self.high_safe))

    def _trade(self, lots: int) -> None:
        rng = self.rng
        self.volume += lots
        self.amount_mills += lots * 100 * self.last * int(self.spec.tick * 1000)
        if lots:
            self.transactions += 1 + lots // (3 + rng.randrange(12))

    def record(self, when: dt.datetime, status: int) -> dict:
        """The xtdata tick dict of the current state, with a fresh 5-level book around the last price."""
        rng = self.rng
        spread = 1 if rng.random() < 0.55 else (2 if rng.random() < 0.7 else 3)
        bid1 = self.last - rng.randrange(spread + 1)
        asks, bids = [bid1 + spread], [bid1]
        for _ in range(4):
            asks.append(asks[-1] + 1 + rng.randrange(self.max_gap))
            bids.append(bids[-1] - 1 - rng.randrange(self.max_gap))
        depth = self.spec.depth_lots
        return {
            "time": when, "lastPrice": self._price(self.last), "open": self._price(self.open),
            "high": self._price(self.high), "low": self._price(self.low),
            "lastClose": self._price(self.pre_close), "amount": self.amount_mills / 1000,
            "volume": self.volume, "pvolume": self.volume * 100, "transactionNum": self.transactions,
            "stockStatus": status,
            "askPrice": [self._price(p) for p in asks],
            "askVol": [1 + int(depth * (0.1 + 1.9 * rng.random())) for _ in asks],
            "bidPrice": [self._price(p) for p in bids],
            "bidVol": [1 + int(depth * (0.1 + 1.9 * rng.random())) for _ in bids],
        }

    def _price(self, ticks: int) -> float:
        return round(ticks * self.tick, 3)


_STATUS = {"auction": STOCK_STATUS_CALL_AUCTION, "continuous": STOCK_STATUS_CONTINUOUS,
           "break": STOCK_STATUS_BREAK, "closing": STOCK_STATUS_CLOSING_AUCTION, "closed": STOCK_STATUS_CLOSED}


def _advance(path: _PricePath, phase: str) -> int:
    """Move one instrument through one snapshot of the given phase; returns its stockStatus."""
    if phase == "auction":
        path.start_day()
    elif phase == "closed":
        if path.spec.closes_by_auction:
            path.close_auction()
        else:
            path.step()
    elif phase == "closing" and path.spec.closes_by_auction:
        return STOCK_STATUS_CLOSING_AUCTION  # call auction: no trades until 15:00
    else:
        path.step()
    return _STATUS[phase] if phase != "closing" else STOCK_STATUS_CONTINUOUS


def generate_sample(out_dir: str | Path = SAMPLE_DIR) -> list[Path]:
    """Write the sample into ``out_dir`` (created if needed); returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "instruments.csv"]
    write_instruments(written[0], (spec.row for spec in SPECS))
    paths = [_PricePath(spec) for spec in sorted(SPECS, key=lambda s: s.code)]
    for day in SAMPLE_DAYS:
        target = out / f"ticks-{day.isoformat()}.csv.gz"
        with TickFileWriter(target) as writer:
            for when, phase in snapshot_schedule(day):
                for path in paths:
                    status = _advance(path, phase)
                    writer.write(path.spec.code, path.record(when, status))
        for path in paths:
            path.end_day()
        written.append(target)
    readme = out / "README.md"
    readme.write_text(render_readme(SPECS, SAMPLE_DAYS, SEED), encoding="utf-8", newline="\n")
    written.append(readme)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m engine.marketdata.sample [OUT_DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m engine.marketdata.sample [OUT_DIR]", file=sys.stderr)
        return 2
    files = generate_sample(args[0] if args else SAMPLE_DIR)
    for file in files:
        print(f"{file}  {file.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
