"""The README written next to the generated sample data (kept apart from the generator's logic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sample import InstrumentSpec

_HEADER = """\
# Sample market data: SYNTHETIC, NOT REAL QUOTES

Every price, volume and order book in this folder is **invented** by a random
generator. The codes look like real A-share codes so that board rules (lot
sizes, tick sizes, price limits) apply to them, but the names are made up
(each contains "SYN") and nothing here says anything about the real
securities. Do not use this data for research or trading decisions.

The data exists so that `qmt-engine run` can replay a realistic-looking market
in paper mode without MiniQMT, and so that the tests have a fixed data set.

## How it was generated

Deterministically, by `engine/marketdata/sample.py` (stdlib `random.Random`
seeded per code from the fixed seed {seed}, no other randomness; gzip written
with mtime 0). From the repository root:

    python -m engine.marketdata.sample engine/data/sample

rewrites these files byte for byte (`tests/marketdata` checks that it does).

## Files

* `instruments.csv`: the instruments (format in `docs/data-format.md`).
* `ticks-YYYY-MM-DD.csv.gz`: one gzip-compressed tick file per trading day,
  xtdata's field names, volumes in lots of 100 shares, rows sorted by time then code.

## Contents

Trading days: {days} (consecutive XSHG sessions).

Snapshots: the 09:25:00 opening auction, then every 10 s from 09:30:10 to
11:30:00 and from 13:00:10 to 15:00:00. Stocks are in their closing call
auction from 14:57 (`stockStatus` 18: last price and volume frozen) and print
the closing auction at 15:00:00 (`stockStatus` 15); the SSE ETF trades
continuously to 15:00 as SSE funds did before 2026-07-06.

| code | name | kind | board | tick | daily limit | first previous close |
| --- | --- | --- | --- | --- | --- | --- |
"""

_FOOTER = """
Model: a latent price moves by a random step every 10 s, with trending regimes
of 15-55 minutes that usually reverse, a pull back once the move from the
previous close passes 55 % of the limit, and a hard band that keeps the last
price and all five book levels inside the day's limits
(`round_half_up(pre_close x (1 +/- limit), tick)`). Books have five levels per
side on the tick grid, spreads of 1-3 ticks (`bidPrice1 <= lastPrice <= askPrice1`)
and volumes in lots. Each day's `lastClose` is the previous day's last price.
"""


def _board(code: str, kind: str) -> str:
    if kind != "stock":
        return kind.upper()
    if code.startswith("688"):
        return "STAR"
    if code.startswith("300"):
        return "ChiNext"
    return "SH main" if code.endswith(".SH") else "SZ main"


def render_readme(specs: Sequence[InstrumentSpec], days: Sequence[dt.date], seed: int) -> str:
    """The README text for the given instruments, days and seed."""
    rows = []
    for spec in specs:
        board = _board(spec.code, spec.kind) + (" (ST)" if spec.is_st else "")
        rows.append(f"| {spec.code} | {spec.name} | {spec.kind} | {board} | {spec.tick} "
                    f"| +/-{int(spec.limit_pct * 100)} % | {spec.first_pre_close} |\n")
    head = _HEADER.format(seed=seed, days=", ".join(day.isoformat() for day in days))
    return head + "".join(rows) + _FOOTER
