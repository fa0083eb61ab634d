"""Remembered conversions for the tick normaliser: rounded prices, local times, lot sizes.

A whole-market push repeats itself: the same few thousand prices (a book moves
by a tick or two between pushes), the same ``time`` values (one per exchange
snapshot), the same codes. Looking a result up costs a fifth of computing it
again. Each table is a plain dict, shared by every thread that normalises ticks
(dict reads and writes are atomic), and is emptied when it reaches its size
limit, so memory stays bounded over a day.

Every value is exactly what the conversion returns; the tables only skip work.
"""

from __future__ import annotations

import datetime as dt

from ..clock import epoch_ms_to_local
from ..instruments import shares_per_lot

__all__ = ["LOCAL_TIMES", "LOT_SIZES", "RoundedPrices", "local_time_of_ms", "lot_size_of", "rounded_prices"]

#: Most prices remembered per number of digits (about 100 bytes each).
PRICE_LIMIT = 65_536
#: Most ms timestamps remembered.
TIME_LIMIT = 16_384


class RoundedPrices(dict):
    """``rounded[price]`` is ``round(float(price), digits)``, a float, whatever number ``price`` is.

    Only positive prices are stored. That keeps the table exact: ``0.0`` and
    ``-0.0`` are equal keys but round to different signs, NaN is never equal to
    itself. Any other number equal to a stored key (``12`` and ``12.0``, a numpy
    scalar) has the key's exact value, so the stored result is its result too.
    Callers reject strings first (``float("1.5")`` would be accepted).
    """

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        super().__init__()
        self.digits = digits

    def __missing__(self, price: float) -> float:
        rounded = round(float(price), self.digits)
        if price > 0.0:
            if len(self) >= PRICE_LIMIT:
                self.clear()
            self[price] = rounded
        return rounded


_ROUNDED: dict[int, RoundedPrices] = {}


def rounded_prices(digits: int) -> RoundedPrices:
    """The shared table of prices rounded to ``digits`` decimals."""
    table = _ROUNDED.get(digits)
    if table is None:
        table = _ROUNDED.setdefault(digits, RoundedPrices(digits))
    return table


#: ``LOCAL_TIMES[ms]``: the naive Asia/Shanghai time of an ``int`` ms timestamp, once converted.
LOCAL_TIMES: dict[int, dt.datetime] = {}
#: ``_SECOND_STARTS[s]``: the local time of epoch second ``s``; a new ms value mostly falls in a known second.
_SECOND_STARTS: dict[int, dt.datetime] = {}
_MILLISECONDS = tuple(dt.timedelta(milliseconds=ms) for ms in range(1000))


def local_time_of_ms(ms: int) -> dt.datetime:
    """:func:`engine.clock.epoch_ms_to_local` for an ``int``, remembered in :data:`LOCAL_TIMES`.

    Computed as the start of its second plus the milliseconds: the same exact
    integer arithmetic as ``epoch_ms_to_local``, with the second looked up.

    :raises OverflowError: outside ``datetime``'s range.
    """
    second, milliseconds = divmod(ms, 1000)
    start = _SECOND_STARTS.get(second)
    if start is None:
        start = epoch_ms_to_local(second * 1000)
        if len(_SECOND_STARTS) >= TIME_LIMIT:
            _SECOND_STARTS.clear()
        _SECOND_STARTS[second] = start
    when = start + _MILLISECONDS[milliseconds] if milliseconds else start
    if len(LOCAL_TIMES) >= TIME_LIMIT:
        LOCAL_TIMES.clear()
    LOCAL_TIMES[ms] = when
    return when


#: ``LOT_SIZES[code]``: :func:`engine.instruments.shares_per_lot`, once looked up.
LOT_SIZES: dict[str, int] = {}


def lot_size_of(code: str) -> int:
    """Shares in one xtdata volume lot of ``code`` (10 for bonds, else 100), remembered."""
    lot = LOT_SIZES.get(code)
    if lot is None:
        lot = shares_per_lot(code)
        if len(LOT_SIZES) >= TIME_LIMIT:
            LOT_SIZES.clear()
        LOT_SIZES[code] = lot
    return lot
