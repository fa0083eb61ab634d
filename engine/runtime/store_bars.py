"""A backtest's bars from the data store (``backtest.store``): the universe, streamed batches, adjusted prices.

Each code's Parquet file is streamed record batch by record batch and the codes are
merged by time (:func:`iter_store_batches`), so memory stays flat in the number of
bars. Suspended rows are left out (the code simply has no bar that day).

Prices are raw by default; the dividends and bonus shares of the store are then
applied to the account on their ex-dates (:mod:`engine.sim.corporate_actions`).
``adjust: front`` multiplies every price before an ex-date by ``1 / dr`` of each
later ex-date (the latest prices stay raw), ``adjust: back`` multiplies every price
from an ex-date on by ``dr`` of each ex-date up to it (the first prices stay raw);
``dr`` is ``previous close / ex-right price``. Adjusted prices already contain the
events, so none is applied to the account then.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..config import ConfigError
from ..datastore import StoreLayout, iter_bars, read_dividends
from ..instruments import InstrumentError, parse_code
from ..models import Bar
from ..sim.corporate_actions import CorporateAction, actions_from_rows, ex_right_price

__all__ = ["adjustment", "iter_store_batches", "read_codes_file", "store_actions", "store_codes"]


def read_codes_file(path: Path, where: str) -> list[str]:
    """Codes one per line (blank lines and ``#`` comments ignored); ConfigError naming the bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ConfigError(where, [f"backtest.codes_file: {exc}"]) from None
    codes = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            parse_code(text)
        except InstrumentError as exc:
            raise ConfigError(where, [f"backtest.codes_file: {path}, line {number}: {exc}"]) from None
        codes.append(text)
    return codes


def store_codes(settings, where: str) -> list[str]:
    """The universe: ``codes``, a ``codes_file``, a ``sector`` list of the store, or every code held."""
    layout = StoreLayout(settings.store)
    if not layout.root.is_dir():
        raise ConfigError(where, [f"backtest.store: {layout.root} is not a folder"])
    held = layout.bar_codes(settings.period)
    if not held:
        raise ConfigError(where, [f"backtest.store: {layout.root} holds no {settings.period} bars "
                                  f"(qmt-engine data download / import)"])
    if settings.codes:
        codes = list(settings.codes)
    elif settings.codes_file:
        codes = read_codes_file(settings.codes_file, where)
    elif settings.sector:
        path = layout.root / "sectors" / f"{settings.sector}.txt"
        if not path.exists():
            raise ConfigError(where, [f"backtest.sector: the store has no list {path.name} "
                                      f"(qmt-engine data download --sector {settings.sector} saves it)"])
        codes = read_codes_file(path, where)
    else:
        return held
    missing = sorted(set(codes) - set(held))
    if missing:
        raise ConfigError(where, [f"backtest: no {settings.period} bars in the store for {', '.join(missing[:10])}"
                                  + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")])
    return list(dict.fromkeys(codes))


def store_actions(root: Path, codes: list[str]) -> dict[str, list[CorporateAction]]:
    return {code: actions for code in codes if (actions := actions_from_rows(code, read_dividends(root, code)))}


def paper_corporate_actions(root: Path | None, codes: list[str], where: str) -> list[CorporateAction]:
    """``codes``' ex-dates from the store at ``root`` (``paper.corporate_actions_store``), for the paper
    simulator; [] without a store. The counter applies each on the day roll that passes its ex-date."""
    if root is None:
        return []
    if not Path(root).is_dir():
        raise ConfigError(where, [f"paper.corporate_actions_store: {root} is not a folder"])
    try:
        actions = store_actions(Path(root), codes)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ConfigError(where, [f"paper.corporate_actions_store: {exc}"]) from None
    return [a for rows in actions.values() for a in rows]


def _closes_before(root: Path, period: str, code: str, days: list[dt.date]) -> dict[dt.date, float]:
    """The last close before each of ``days`` (for ex-right ratios without a stored factor)."""
    table = pq.read_table(StoreLayout(root).bars(period, code), columns=["time", "close"])
    times, closes = table["time"].to_pylist(), table["close"].to_pylist()
    out = {}
    for day in days:
        i = bisect.bisect_left(times, dt.datetime.combine(day, dt.time()))
        if i > 0:
            out[day] = closes[i - 1]
    return out


def adjustment(root: Path, period: str, code: str, mode: str) -> Callable[[dt.datetime], float] | None:
    """``time -> price factor`` of ``code`` for ``mode`` (``front`` / ``back``); None when nothing changes."""
    rows = [r for r in read_dividends(root, code)
            if r.get("cash") or r.get("bonus_shares") or r.get("transfer_shares")]
    if mode == "none" or not rows:
        return None
    need = [r["ex_date"] for r in rows if not r.get("factor") or r["factor"] == 1.0]
    closes = _closes_before(root, period, code, need) if need else {}
    ratios = []
    for row, action in zip(rows, actions_from_rows(code, rows)):
        dr = row.get("factor") or 0.0
        if not dr or dr == 1.0:
            close = closes.get(row["ex_date"])
            if close is None:
                continue
            dr = close / ex_right_price(close, action)
        ratios.append((row["ex_date"], dr))
    if not ratios:
        return None
    ratios.sort()
    days = [day for day, _ in ratios]
    if mode == "front":
        # factor for a time before the k-th ex-date: product of 1/dr of ex-dates k..end
        suffix = [1.0] * (len(ratios) + 1)
        for k in range(len(ratios) - 1, -1, -1):
            suffix[k] = suffix[k + 1] / ratios[k][1]
        return lambda when: suffix[bisect.bisect_right(days, when.date())]
    prefix = [1.0]
    for _, dr in ratios:
        prefix.append(prefix[-1] * dr)
    return lambda when: prefix[bisect.bisect_right(days, when.date())]


def iter_store_batches(root: Path, period: str, codes: list[str], *, start: dt.date | None = None,
                       end: dt.date | None = None, adjust: str = "none") -> Iterator[tuple[dt.datetime, list[Bar]]]:
    """Every code's bars merged by time, as ``(time, [bars of that time in code order])``."""
    lo = dt.datetime.combine(start, dt.time()) if start else None
    hi = dt.datetime.combine(end, dt.time(23, 59, 59)) if end else None

    def keyed(code: str) -> Iterator[tuple[dt.datetime, str, Bar]]:
        factor = adjustment(root, period, code, adjust)
        for bar in iter_bars(root, period, code, start=lo, end=hi, price_factor=factor):
            yield bar.time, code, bar

    merged = heapq.merge(*(keyed(code) for code in codes))
    for moment, group in itertools.groupby(merged, key=lambda item: item[0]):
        yield moment, [bar for _, _, bar in group]
