"""The history side of the quote service: what MiniQMT would download and then read back locally.

Attach one with :func:`datacenter.attach_history`. The real ``xtdata`` functions call:

* ``supply_history_data2(codes, period, start, end, param_bson, on_progress)``
  (``download_history_data2``): the codes' rows in ``[start, end]`` become "local";
  ``on_progress`` is called as the native library calls it (``finished``/``total``, or
  ``total = -1`` with a ``message`` for a failure, which xtdata raises);
* ``get_market_data3(fields, codes, period, start, end, count, dividend_type, fill_data,
  version, from_local, from_server, debug, data_dir)`` (``get_local_data``): bar periods in
  the ``v4`` shape ``[(code, index, [(field, dtype, bytes)])]``, ticks in the ``v3`` shape
  ``{code: [record]}``; only rows downloaded before are returned when ``from_server`` is False;
* ``get_divid_factors(code, start, end)``: ``{ex_date: {time, interest, stockBonus, ...}}``;
* ``get_stock_list_in_sector`` is answered by xtdata through ``get_stock_list_in_sector``.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np

from engine.clock import epoch_ms_to_local, local_to_epoch_ms

BAR_FIELDS = (("time", "<i8"), ("open", "<f8"), ("high", "<f8"), ("low", "<f8"), ("close", "<f8"),
              ("volume", "<i8"), ("amount", "<f8"), ("preClose", "<f8"), ("suspendFlag", "<i4"))


def parse_xt_time(text: str, end: bool) -> dt.datetime | None:
    if not text:
        return None
    text = str(text)
    if len(text) == 8:
        day = dt.datetime.strptime(text, "%Y%m%d")
        return day.replace(hour=23, minute=59, second=59) if end else day
    return dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S")


class HistoryServer:
    """Full history per ``(code, period)`` (xtdata records: ``time`` in ms, volume in lots) and dividends.

    :ivar calls: ``(method, code, period, start, end)`` of every call, in order.
    :ivar fail_on: a code whose download fails (as a dropped connection does), once.
    """

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[dict]] = {}
        self.dividends: dict[str, dict[str, dict]] = {}
        self.sectors: dict[str, list[str]] = {}
        self.local: dict[tuple[str, str], set[int]] = {}
        self.calls: list[tuple] = []
        self.fail_on: str | None = None
        self._lock = threading.Lock()

    def add(self, code: str, period: str, records: list[dict]) -> None:
        self.records[(code, period)] = sorted(records, key=lambda r: r["time"])

    def downloads(self) -> list[tuple]:
        return [c for c in self.calls if c[0] == "supply_history_data2"]

    def _in_range(self, code, period, start, end):
        lo, hi = parse_xt_time(start, False), parse_xt_time(end, True)
        for record in self.records.get((code, period), []):
            when = epoch_ms_to_local(record["time"])
            if (lo is None or when >= lo) and (hi is None or when <= hi):
                yield record

    # -- the client's methods -------------------------------------------------------------

    def supply_history_data2(self, codes, period, start, end, param, on_progress) -> bool:
        for code in codes:
            with self._lock:
                self.calls.append(("supply_history_data2", code, period, start, end))
                failing = self.fail_on == code
                if failing:
                    self.fail_on = None
            if failing:
                on_progress({"finished": 0, "total": -1, "message": f"连接断开 ({code})"})
                return False
            with self._lock:
                self.local.setdefault((code, period), set()).update(r["time"] for r in self._in_range(code, period, start, end))
        on_progress({"finished": len(codes), "total": len(codes)})
        return True

    def get_market_data3(self, fields, codes, period, start, end, count, dividend_type, fill_data, version,
                         from_local, from_server, debug, data_dir):
        with self._lock:
            self.calls.append(("get_market_data3", tuple(codes), period, start, end))
            chosen = {code: [r for r in self._in_range(code, period, start, end)
                             if from_server or r["time"] in self.local.get((code, period), set())] for code in codes}
        if version == "v3":
            return {code: rows for code, rows in chosen.items() if rows}
        out = []
        fmt = "%Y%m%d" if period == "1d" else "%Y%m%d%H%M%S"
        for code, rows in chosen.items():
            if not rows:
                continue
            index = [epoch_ms_to_local(r["time"]).strftime(fmt) for r in rows]
            columns = [(name, dtype, np.array([r.get(name, 0) for r in rows], dtype=dtype).tobytes())
                       for name, dtype in BAR_FIELDS if not fields or name in fields]
            out.append((code, index, columns))
        return out

    def get_divid_factors(self, code, start="", end=""):
        with self._lock:
            self.calls.append(("get_divid_factors", code, "", start, end))
        lo, hi = parse_xt_time(start, False), parse_xt_time(end, True)
        return {key: row for key, row in self.dividends.get(code, {}).items()
                if (lo is None or epoch_ms_to_local(row["time"]) >= lo) and (hi is None or epoch_ms_to_local(row["time"]) <= hi)}


def daily_record(day: dt.date, o: float, h: float, lo: float, c: float, lots: int, pre_close: float = 0.0) -> dict:
    """A daily bar as MiniQMT stores it: ``time`` is the day's midnight (ms), volume in lots."""
    return {"time": local_to_epoch_ms(dt.datetime.combine(day, dt.time())), "open": o, "high": h, "low": lo,
            "close": c, "volume": lots, "amount": c * lots * 100, "preClose": pre_close, "suspendFlag": 0}
