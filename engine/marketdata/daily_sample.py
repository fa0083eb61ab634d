"""The deterministic generator of the bundled SYNTHETIC daily sample (``engine/data/daily_sample/``).

    python -m engine.marketdata.daily_sample [OUT_DIR]      # default: engine/data/daily_sample

A data store (:mod:`engine.datastore`) of 40 invented instruments over the XSHG
sessions of 2023-2025: SH and SZ main board, ChiNext and STAR codes, four ST
stocks (5% limits), trending regimes (so cross-sectional momentum has something to
find), one-price limit-up and limit-down days (一字板), a week-long suspension,
yearly cash dividends for every fifth code and one bonus issue (10转10 plus cash).
On an ex-date the bar's ``pre_close`` is the ex-right reference price and the
raw prices continue from it, as real raw prices do. Every price and volume is
invented. Only ``random.Random`` and float ``+ - * /`` are used (no ``math``), so
the numbers are the same on every platform.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from ..calendar import TradingCalendar
from ..instruments import instrument_from_row, price_limits
from ..models.money import round_to_tick

__all__ = ["SAMPLE_CODES", "SAMPLE_FIRST_DAY", "SAMPLE_LAST_DAY", "generate", "write_daily_sample"]

SEED = 20230103
SAMPLE_FIRST_DAY, SAMPLE_LAST_DAY = dt.date(2023, 1, 3), dt.date(2025, 12, 31)
_PREFIXES = ("600", "601", "603", "000", "002", "300", "688")
SAMPLE_CODES = tuple(
    f"{_PREFIXES[i % len(_PREFIXES)]}{100 + i * 7:03d}.{'SH' if _PREFIXES[i % len(_PREFIXES)].startswith('6') else 'SZ'}"
    for i in range(40))
ST_INDEXES = frozenset({11, 23, 31, 38})
SUSPENDED = (3, dt.date(2024, 9, 2), 5)        # code index, first day, trading days
BONUS = (7, dt.date(2024, 6, 17), 1.0, 0.10)    # code index, ex-date, shares per share, cash per share
_TICK = Decimal("0.01")


def _normalish(rng: random.Random) -> float:
    """About N(0, 1) from three uniforms (Irwin-Hall), without math functions."""
    return (rng.random() + rng.random() + rng.random() - 1.5) * 2.0


def _instrument_row(i: int, code: str) -> dict:
    st = i in ST_INDEXES
    return {"code": code, "name": f"{'ST ' if st else ''}SYN {i + 1:02d}", "kind": "stock",
            "listing_date": dt.date(2010 + i % 10, 1 + i % 12, 4), "is_st": st, "t0": False}


def _dividend_days(days: list[dt.date]) -> list[dt.date]:
    """The first session on or after June 15 of each year."""
    out = []
    for year in sorted({d.year for d in days}):
        out.append(next(d for d in days if d >= dt.date(year, 6, 15)))
    return out


def generate(days: list[dt.date]):
    """``(instruments, {code: bar rows}, {code: dividend rows})`` for the trading ``days``."""
    instruments, bars, dividends = [], {}, {}
    dividend_days = set(_dividend_days(days))
    suspended_from = days.index(next(d for d in days if d >= SUSPENDED[1]))
    suspended = set(days[suspended_from: suspended_from + SUSPENDED[2]])
    for i, code in enumerate(SAMPLE_CODES):
        row = _instrument_row(i, code)
        instruments.append(row)
        inst = instrument_from_row(row, code)
        rng = random.Random(SEED + i * 7919)
        close = 5.0 + rng.random() * 55.0
        drift, vol, regime_left = 0.0, 0.02, 0
        rows, events = [], []
        for number, day in enumerate(days):
            if regime_left <= 0:
                drift = (rng.random() - 0.45) * 0.008
                vol = 0.012 + rng.random() * 0.02
                regime_left = 40 + int(rng.random() * 80)
            regime_left -= 1
            pre_close = close
            cash = shares = 0.0
            if i == BONUS[0] and day == BONUS[1]:
                shares, cash = BONUS[2], BONUS[3]
            elif i % 5 == 0 and day in dividend_days:
                cash = float(round_to_tick(Decimal(repr(close * 0.02)), _TICK))
            if cash or shares:
                pre_close = float(round_to_tick(Decimal(repr((close - cash) / (1.0 + shares))), _TICK))
                events.append({"ex_date": day, "cash": cash, "bonus_shares": 0.0, "transfer_shares": shares,
                               "allot_shares": 0.0, "allot_price": 0.0, "factor": close / pre_close})
            limits = price_limits(inst, Decimal(repr(pre_close)), day, None)
            up, down = float(limits.up), float(limits.down)
            when = dt.datetime.combine(day, dt.time(15, 0))
            if i == SUSPENDED[0] and day in suspended:
                rows.append({"time": when, "open": pre_close, "high": pre_close, "low": pre_close, "close": pre_close,
                             "volume": 0, "amount": 0.0, "pre_close": pre_close, "suspended": True})
                close = pre_close
                continue
            draw = rng.random()
            if number and draw < 0.004:
                o = h = lo = c = up  # one-price limit-up day
                volume = int(2_000 + rng.random() * 3_000) * 100
            elif number and draw < 0.006:
                o = h = lo = c = down  # one-price limit-down day
                volume = int(2_000 + rng.random() * 3_000) * 100
            else:
                def tick(x: float) -> float:
                    return min(up, max(down, float(round_to_tick(Decimal(repr(x)), _TICK))))

                o = tick(pre_close * (1.0 + _normalish(rng) * vol * 0.3))
                c = tick(pre_close * (1.0 + drift + _normalish(rng) * vol))
                h = tick(max(o, c) * (1.0 + rng.random() * vol * 0.5))
                lo = tick(min(o, c) * (1.0 - rng.random() * vol * 0.5))
                h, lo = max(h, o, c), min(lo, o, c)
                volume = int((20_000 + rng.random() * 80_000) * (1.0 + abs(c - pre_close) / pre_close * 20)) * 100
            rows.append({"time": when, "open": o, "high": h, "low": lo, "close": c, "volume": volume,
                         "amount": volume * (o + c) / 2.0, "pre_close": pre_close, "suspended": False})
            close = c
        bars[code] = rows
        if events:
            dividends[code] = events
    return instruments, bars, dividends


def write_daily_sample(out: Path | str) -> Path:
    """Generate the sample and write it as a store at ``out`` (replacing what is there)."""
    from ..datastore import DIVIDEND_SCHEMA, INSTRUMENT_SCHEMA, bar_table, write_bars, write_dividends, write_instruments
    from ..instruments import board_of

    out = Path(out)
    days = TradingCalendar().trading_days(SAMPLE_FIRST_DAY, SAMPLE_LAST_DAY)
    instruments, bars, dividends = generate(days)
    for path in out.glob("**/*.parquet"):
        path.unlink()
    for code, rows in bars.items():
        write_bars(out, "1d", code, bar_table(rows))
    for code, rows in dividends.items():
        write_dividends(out, code, pa.Table.from_pylist(rows, schema=DIVIDEND_SCHEMA))
    write_instruments(out, pa.Table.from_pylist([{**r, "board": board_of(r["code"], r["kind"])} for r in instruments],
                                                schema=INSTRUMENT_SCHEMA))
    (out / "README.md").write_text(_README.format(codes=len(bars), days=len(days), first=days[0], last=days[-1]),
                                   encoding="utf-8")
    return out


_README = """# Daily sample (SYNTHETIC)

Every price, volume and dividend here is invented by `engine/marketdata/daily_sample.py`
(`python -m engine.marketdata.daily_sample` writes it again). {codes} instruments, {days}
XSHG sessions {first} .. {last}, in the data-store layout of docs/data-format.md:
`bars/1d/<code>.parquet`, `dividends/<code>.parquet`, `instruments.parquet`.

It holds mixed boards (SH/SZ main, ChiNext, STAR), four ST stocks, one-price limit-up
and limit-down days, a week-long suspension, yearly cash dividends for every fifth code
and one bonus issue (10转10 plus cash). `examples/momentum.yaml` backtests a monthly
top-10 momentum rotation on it.
"""


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    from ..datastore import DAILY_SAMPLE_DIR

    print(write_daily_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else DAILY_SAMPLE_DIR))
