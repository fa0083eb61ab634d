"""Ticks whose format is valid but whose values cannot be true, refused on arrival.

:mod:`.normalize` rejects records of the wrong *shape* (a missing key, a string
price). This module rejects records of the right shape with *impossible values*,
which a strategy would otherwise trade on:

* ``price_past_band``: the last price is far outside any limit band the code's
  board can have: more than :data:`BAND_MARGIN` (50 %) beyond the widest limit
  price (``pre_close x (1 +/- widest band)``; main board 10 %, ChiNext and STAR
  20 %, BSE 30 %, funds 20 %, convertible bonds +57.3 % / -43.3 %). No-limit days
  (IPO days, relisting) are recognised by their open: a code whose day opened
  outside the widest band is not band-checked that day.
* ``crossed_book``: in the continuous auction (09:30-11:30, 13:00-14:57) the best
  bid is above the best ask. In the call auctions the book shows the indicative
  match and may touch; it is not checked there.
* ``volume_went_back``: the day's cumulative volume of a code is below what an
  earlier tick of the same day said (since the last resubscription:
  :meth:`TickChecks.forget_volumes`).

A refused tick is not handed to the engine. Each refusal is counted per reason
(:attr:`TickChecks.rejected`) and logged once per code, reason and day (a feed
sending garbage every 3 s would otherwise flood the log); the count of the
repeats is in the next log line and in :attr:`TickChecks.rejected`.

One :class:`TickChecks` per feed (it remembers each code's last cumulative
volume); :func:`engine.marketdata.normalize.ticks_from_records` applies it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from loguru import logger

from ..instruments import BOND, BSE, CHINEXT, FUND, SH_MAIN, STAR, SZ_MAIN, InstrumentError, board_of

__all__ = ["BAND_MARGIN", "REASONS", "TickChecks"]

#: How far past the widest limit price a last price must be to be impossible (a fraction of that price).
BAND_MARGIN = 0.5

#: Every reason a tick is refused for.
REASONS = ("price_past_band", "crossed_book", "volume_went_back")

#: The widest (up, down) limit band of each board, any day but a no-limit one (ashare_rules.md §3.2).
_WIDEST_BAND = {SH_MAIN: (0.1, 0.1), SZ_MAIN: (0.1, 0.1), STAR: (0.2, 0.2), CHINEXT: (0.2, 0.2),
                BSE: (0.3, 0.3), FUND: (0.2, 0.2), BOND: (0.573, 0.433)}

_CONTINUOUS = ((dt.time(9, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(14, 57)))

_log = logger.bind(plugin="marketdata")


class TickChecks:
    """The value checks of one tick feed (see the module docstring)."""

    def __init__(self) -> None:
        #: Refused ticks per reason since the feed started.
        self.rejected: Counter[str] = Counter()
        #: code -> [day, cumulative volume that day, widest band or None, the day is a no-limit day]
        self._codes: dict[str, list] = {}
        self._logged: dict[tuple[str, str], tuple[dt.date, int]] = {}

    def refuse(self, code: str, when: dt.datetime, last_price: float, open_: float, pre_close: float,
               volume: int, bid1: object, ask1: object) -> bool:
        """True (counted and logged) when the tick's values are impossible; False keeps it.

        ``bid1`` / ``ask1`` are the raw best levels (0 or missing for an empty side). Runs for every
        code of every push: plain comparisons, one dict look-up.
        """
        day = when.date()
        state = self._codes.get(code)
        if state is None:
            state = self._codes[code] = [day, -1, _widest_band(code), False]
        elif state[0] != day:
            state[0], state[1], state[3] = day, -1, False
        if volume < state[1]:
            return self._refused(code, day, when, "volume_went_back",
                                 f"cumulative volume {volume} < {state[1]} earlier today")
        band = state[2]
        if band is not None and pre_close > 0.0 and last_price > 0.0 and not state[3]:
            high, low = pre_close * (1 + band[0]), pre_close * (1 - band[1])
            if open_ > 0.0 and not low <= open_ <= high:  # the exchange traded there: a no-limit day
                state[3] = True
            elif last_price > high * (1 + BAND_MARGIN) or last_price < low * (1 - BAND_MARGIN):
                return self._refused(code, day, when, "price_past_band",
                                     f"last price {last_price} is more than {BAND_MARGIN:.0%} past the widest "
                                     f"limit band {low:.3f}..{high:.3f} (previous close {pre_close})")
        if type(bid1) is float and type(ask1) is float and 0.0 < ask1 < bid1 \
                and _in_continuous_auction(when.time()):
            return self._refused(code, day, when, "crossed_book", f"bid1 {bid1} > ask1 {ask1}")
        state[1] = volume
        return False

    def forget_volumes(self) -> None:
        """Drop every code's remembered cumulative volume (after a resubscription: the new subscription
        may come from another quote server, whose count is the one to follow from now on)."""
        for state in self._codes.values():
            state[1] = -1

    def _refused(self, code: str, day: dt.date, when: dt.datetime, reason: str, detail: str) -> bool:
        self._count(code, day, when, reason, detail)
        return True

    def _count(self, code: str, day: dt.date, when: dt.datetime, reason: str, detail: str) -> None:
        self.rejected[reason] += 1
        key = (code, reason)
        logged = self._logged.get(key)
        if logged is not None and logged[0] == day:
            self._logged[key] = (day, logged[1] + 1)
            return
        repeats = f"; {logged[1]} more refused for this reason on {logged[0]}" if logged and logged[1] else ""
        self._logged[key] = (day, 0)
        _log.warning("tick refused ({}): {} at {}: {}; the tick is dropped, later ones of {} for the same "
                     "reason today are counted, not logged{}", reason, code, when, detail, code, repeats)


def _widest_band(code: str) -> tuple[float, float] | None:
    try:
        return _WIDEST_BAND.get(board_of(code))
    except InstrumentError:
        return None


def _in_continuous_auction(time: dt.time) -> bool:
    return any(start <= time < end for start, end in _CONTINUOUS)
