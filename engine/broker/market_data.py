"""Quotes through ``xtdata`` (real or simulated), normalised to engine ticks on arrival.

Concurrent calls into ``xtdata`` are known to crash or hang, so every call goes
through one lock. Callbacks arrive on xtdata's thread; they normalise the
records (volumes to shares, each code's own lot; :mod:`engine.marketdata.normalize`)
and put one ``("ticks", [Tick, ...])`` message on the engine queue per push.
Ticks with impossible values are dropped there, counted and logged
(:mod:`engine.marketdata.tick_checks`; ``XtMarketData.tick_checks.rejected``).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from loguru import logger

from .bar_builder import FinishedBars, bar_from_xtdata
from ..marketdata.normalize import ticks_from_records, ticks_from_xtdata
from ..marketdata.tick_checks import TickChecks
from ..models import Tick


class XtMarketData:
    """Subscriptions and look-ups through an ``xtdata``-shaped object.

    :param xtdata: the ``xtquant.xtdata`` module or a ``SimXtData``.
    :param put: the engine queue's ``put``.
    """

    def __init__(self, xtdata: Any, put: Callable[[tuple], None]) -> None:
        self._xtdata = xtdata
        self._put = put
        self._lock = threading.Lock()
        self._subscriptions: list[int] = []
        self._codes: list[str] = []
        self._whole: list[str] = []
        self._bar_codes: list[str] = []
        self._bar_mode: tuple[str, str, bool] = ("1m", "end", False)
        self.bars: FinishedBars | None = None
        #: The value checks of every pushed tick (refusals counted per reason in ``tick_checks.rejected``).
        self.tick_checks = TickChecks()

    def subscribe_ticks(self, codes: Iterable[str]) -> None:
        """Tick subscriptions per code; each push becomes one engine message."""
        for code in codes:
            with self._lock:
                seq = self._xtdata.subscribe_quote(code, period="tick", count=0, callback=self._on_quote)
            if seq is None or seq < 0:
                raise RuntimeError(f"xtdata.subscribe_quote({code!r}) failed (returned {seq})")
            self._subscriptions.append(seq)
            self._codes.append(code)

    def subscribe_whole_market(self, markets_or_codes: list[str]) -> None:
        """Whole-market snapshots (``['SH', 'SZ']`` or a list of codes), about every 3 s."""
        with self._lock:
            seq = self._xtdata.subscribe_whole_quote(markets_or_codes, callback=self._on_whole_quote)
        if seq is None or seq < 0:
            raise RuntimeError(f"xtdata.subscribe_whole_quote({markets_or_codes!r}) failed (returned {seq})")
        self._subscriptions.append(seq)
        self._whole = list(markets_or_codes)

    def subscribe_bars(self, codes: Iterable[str], period: str, label: str = "end", *,
                       pushed_finished: bool = False) -> None:
        """Bar subscriptions per code; finished bars become ``("bars", [Bar, ...])`` engine messages.

        MiniQMT pushes the bar in progress again and again, so by default a bar is handed over once
        it is finished (:class:`FinishedBars`). ``pushed_finished`` says every push is already a
        finished bar (a backtest's replay), handed over at once.
        """
        self._bar_mode = (period, label, pushed_finished)
        self.bars = None if pushed_finished else (self.bars or FinishedBars(period, label))
        for code in codes:
            with self._lock:
                seq = self._xtdata.subscribe_quote(code, period=period, count=0, callback=self._on_bars)
            if seq is None or seq < 0:
                raise RuntimeError(f"xtdata.subscribe_quote({code!r}, period={period!r}) failed (returned {seq})")
            self._subscriptions.append(seq)
            self._bar_codes.append(code)

    def flush_bars(self, now) -> None:
        """Hand over bars the clock has finished without a newer push (called from the monitor step)."""
        if self.bars is not None:
            done = self.bars.due(now)
            if done:
                self._put(("bars", done))

    def resubscribe(self) -> None:
        """Drop and renew every subscription (after a reconnect or a silent feed)."""
        codes, whole, bar_codes = list(self._codes), list(self._whole), list(self._bar_codes)
        bars, (period, label, pushed_finished) = self.bars, self._bar_mode
        self.unsubscribe_all()
        self.tick_checks.forget_volumes()  # a renewed subscription may count from another quote server
        if codes:
            self.subscribe_ticks(codes)
        if whole:
            self.subscribe_whole_market(whole)
        if bar_codes:
            self.bars = bars
            self.subscribe_bars(bar_codes, period, label, pushed_finished=pushed_finished)

    def unsubscribe_all(self) -> None:
        with self._lock:
            for seq in self._subscriptions:
                try:
                    self._xtdata.unsubscribe_quote(seq)
                except Exception:  # noqa: BLE001
                    logger.exception("xtdata.unsubscribe_quote({}) failed", seq)
        self._subscriptions.clear()
        self._codes.clear()
        self._whole.clear()
        self._bar_codes.clear()

    def instrument(self, code: str) -> dict | None:
        """``get_instrument_detail``: name, limit prices, pre-close, tick size."""
        with self._lock:
            return self._xtdata.get_instrument_detail(code)

    def full_tick(self, codes: list[str]) -> dict[str, Tick]:
        with self._lock:
            records = self._xtdata.get_full_tick(codes)
        return {tick.code: tick for tick in ticks_from_xtdata(records or {}, lot_size=None)}

    # -- callbacks (xtdata's thread) ----------------------------------------

    def _on_quote(self, datas: dict[str, list[dict]]) -> None:
        ticks = ticks_from_records(((code, rec) for code, recs in datas.items() for rec in recs),
                                   checks=self.tick_checks)
        if ticks:
            self._put(("ticks", ticks))

    def _on_bars(self, datas: dict[str, list[dict]]) -> None:
        if self.bars is None:  # every push is a finished bar
            period, label, _ = self._bar_mode
            finished = [bar_from_xtdata(code, record, period, label) for code, records in datas.items() for record in records]
        else:
            finished = [bar for code, records in datas.items() for bar in self.bars.update(code, records)]
        if finished:
            self._put(("bars", finished))

    def _on_whole_quote(self, datas: dict[str, dict]) -> None:
        ticks = ticks_from_xtdata(datas, lot_size=None, checks=self.tick_checks)
        if ticks:
            self._put(("ticks", ticks))
