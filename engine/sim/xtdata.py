"""``SimXtData``: the part of ``xtquant.xtdata`` the gateway uses, fed by the replay.

``publish(ticks)`` first lets the counter match resting orders against every new
tick, then hands the ticks to subscribers: ``subscribe_quote`` callbacks get
``{code: [tick]}``, ``subscribe_whole_quote`` callbacks get ``{code: tick}``.
A ``subscribe_quote`` of a bar period (``1m`` ... ``1h``) gets the bar in progress
built from the ticks (:mod:`engine.sim.tick_bars`), pushed again with every tick, as
MiniQMT does.
Callbacks run on this object's own market-data thread (``delivery='thread'``;
``wait_idle()`` waits for it) or inline inside ``publish`` (``delivery='sync'``).
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterable

from loguru import logger

from .book import ms_from_local
from .counter import SimCounter
from .errors import SimDataError
from .tick_bars import BAR_MINUTES, TickBars
from ..instruments import InstrumentError, parse_code

__all__ = ["SimXtData"]


def _f(value) -> float:
    return float(value) if value is not None else 0.0


class SimXtData:
    """Market side of the simulator with the shape of ``xtquant.xtdata``."""

    def __init__(self, counter: SimCounter) -> None:
        self.counter = counter
        self.sync = counter.config.delivery == "sync"
        self._subs: dict[int, tuple[str, frozenset[str], str, Callable | None]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._ticks: dict[str, dict] = {}
        self._tick_bars: dict[str, TickBars] = {}  # period -> bars in progress, for bar subscriptions
        self._queue: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self.callback_errors: collections.deque = collections.deque(maxlen=50)

    # -- subscriptions -----------------------------------------------------------------

    def subscribe_quote(self, stock_code, period='tick', start_time='', end_time='', count=0,
                        callback=None) -> int:
        """Subscribe one code; the callback gets ``{code: [record]}`` per published tick/bar."""
        parse_code(stock_code)
        if period in BAR_MINUTES:
            with self._lock:
                self._tick_bars.setdefault(period, TickBars(period))
        return self._add("quote", frozenset({stock_code}), period, callback)

    def subscribe_whole_quote(self, code_list, callback=None) -> int:
        """Subscribe markets (``['SH', 'SZ']``) or codes; the callback gets ``{code: record}``."""
        items = frozenset(code_list)
        for item in items:
            if item not in ("SH", "SZ", "BJ"):
                parse_code(item)
        return self._add("whole", items, "tick", callback)

    def unsubscribe_quote(self, seq) -> None:
        with self._lock:
            self._subs.pop(seq, None)

    def _add(self, kind, items, period, callback) -> int:
        with self._lock:
            seq = next(self._ids)
            self._subs[seq] = (kind, items, period, callback)
            return seq

    # -- snapshots and instruments -----------------------------------------------------

    def get_full_tick(self, code_list) -> dict:
        """The latest tick of each code (codes or markets), as xtdata returns it."""
        with self._lock:
            ticks = dict(self._ticks)
        want = set(code_list)
        return {c: dict(t) for c, t in ticks.items() if c in want or c[-2:] in want}

    def load_instruments(self, rows: Iterable[dict]) -> int:
        """Instrument metadata rows: code, name, listing_date, is_st, t0, kind (see SimCounter)."""
        return self.counter.load_instruments(rows)

    def get_instrument_detail(self, stock_code, iscomplete=False) -> dict | None:
        """Name, limit prices, previous close, tick size, status of ``stock_code`` (None if unknown)."""
        try:
            parse_code(stock_code)
        except InstrumentError:
            return None
        known = stock_code in self.counter.instruments or self.counter.book(stock_code) is not None
        inst = self.counter.instrument(stock_code)
        if not known and not inst.tradable:
            return None
        limits = self.counter.limits(stock_code)
        pc = self.counter.prev_close(stock_code)
        return {
            "ExchangeID": inst.exchange, "InstrumentID": stock_code[:6], "InstrumentName": inst.name,
            "ProductType": inst.kind, "PreClose": _f(pc),
            "UpStopPrice": _f(limits.up) if limits and limits.up is not None else 0.0,
            "DownStopPrice": _f(limits.down) if limits and limits.down is not None else 0.0,
            "PriceTick": float(inst.tick), "VolumeMultiple": 1,
            "OpenDate": inst.listing_date.strftime("%Y%m%d") if inst.listing_date else "",
            "InstrumentStatus": 1 if inst.suspended else 0,
            "IsTrading": inst.tradable and not inst.suspended,
        }

    def set_suspended(self, code: str, suspended: bool = True) -> None:
        self.counter.set_suspended(code, suspended)

    def set_trading_day(self, day: dt.date) -> None:
        """The counter's start-of-day roll (T+1 release, day orders expire, statement)."""
        self.counter.set_trading_day(day)

    # -- feeding -----------------------------------------------------------------------

    def publish(self, ticks: dict[str, dict]) -> None:
        """Feed ticks ``{code: tick}``: match resting orders first, then notify subscribers."""
        if not isinstance(ticks, dict):
            raise SimDataError(f"publish: expected {{code: tick}}, got {type(ticks).__name__}")
        self.counter.on_ticks(ticks)
        with self._lock:
            self._ticks.update(ticks)
            builders = list(self._tick_bars.values())
        self._notify(ticks)
        for builder in builders:
            grown = {code: bar for code, tick in ticks.items() if (bar := builder.update(code, tick)) is not None}
            if grown:
                self._notify(grown, builder.period)

    def publish_bars(self, bars: dict[str, dict], period: str = "1m") -> None:
        """Feed bars ``{code: bar}`` (backtests): fill by the fill rule, then notify subscribers."""
        if not isinstance(bars, dict):
            raise SimDataError(f"publish_bars: expected {{code: bar}}, got {type(bars).__name__}")
        self.counter.on_bars(bars)
        self._notify(bars, period)

    def _notify(self, records: dict[str, dict], period: str = "tick") -> None:
        with self._lock:
            subs = list(self._subs.values())
        calls = []
        for kind, items, sub_period, cb in subs:
            if cb is None or sub_period != period and kind == "quote":
                continue
            if kind == "quote":  # one code: look it up rather than scan the batch
                chosen = {c: records[c] for c in items if c in records}
            else:
                chosen = {c: r for c, r in records.items() if c in items or c[-2:] in items}
            if not chosen:
                continue
            calls.append((cb, {c: [r] for c, r in chosen.items()} if kind == "quote" else chosen))
        for cb, data in calls:
            self._enqueue(cb, data)

    def _enqueue(self, cb, data) -> None:
        if self.sync:
            self._call(cb, data)
            return
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="SimXtData", daemon=True)
                self._thread.start()
            self._queue.append((cb, data))
            self._cond.notify_all()

    def _call(self, cb, data) -> None:
        try:
            cb(data)
        except Exception as exc:  # xtdata prints and swallows subscriber errors
            self.callback_errors.append(exc)
            logger.opt(exception=exc).error("SimXtData: subscriber callback raised")

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                cb, data = self._queue.popleft()
                self._busy = True
            try:
                self._call(cb, data)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once every subscriber callback queued so far has run."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)


def make_tick(when: dt.datetime, last: float, *, pre_close: float, asks=(), bids=(),
              volume_lots: int = 0, amount: float = 0.0, open_: float | None = None,
              high: float | None = None, low: float | None = None) -> dict:
    """Build an xtdata-shaped tick dict (levels as ``(price, lots)`` pairs, best first)."""
    ask_p = [p for p, _ in asks] + [0.0] * (5 - len(asks))
    ask_v = [v for _, v in asks] + [0] * (5 - len(asks))
    bid_p = [p for p, _ in bids] + [0.0] * (5 - len(bids))
    bid_v = [v for _, v in bids] + [0] * (5 - len(bids))
    return {"time": ms_from_local(when), "lastPrice": last, "open": open_ or last, "high": high or last,
            "low": low or last, "lastClose": pre_close, "amount": amount, "volume": volume_lots,
            "pvolume": volume_lots * 100, "stockStatus": 0, "transactionNum": 0,
            "askPrice": ask_p[:5], "bidPrice": bid_p[:5], "askVol": ask_v[:5], "bidVol": bid_v[:5]}
