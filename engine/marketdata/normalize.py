"""xtdata tick dicts (real MiniQMT or the simulator) -> the engine's :class:`~engine.models.Tick`.

Runs for every code of a whole-market push (about 5,500 codes every 3 s), so it
does plain dict look-ups and arithmetic only: the +08:00 offset is a constant
(China has no daylight saving time), there is no pandas and no time-zone database.
"""

from __future__ import annotations

import datetime as dt
import numbers

from ..models import Tick
from .formats import SHANGHAI_TZ, epoch_ms_to_local

__all__ = ["TickRecordError", "tick_from_xtdata", "ticks_from_xtdata"]


class TickRecordError(ValueError):
    """An xtdata tick dict the engine cannot use; names the code, the key and what was expected."""

    def __init__(self, code: str, key: str, expected: str, got: object) -> None:
        self.code, self.key, self.expected, self.got = code, key, expected, got
        super().__init__(f"tick record for {code}: key {key!r}: expected {expected}, got {got!r}")


def tick_from_xtdata(code: str, record: dict, *, lot_size: int = 100, price_digits: int = 3) -> Tick:
    """Convert one xtdata tick dict into a :class:`Tick` (volumes in shares, naive local time).

    * ``time``: ms epoch (int/float) or a ``datetime`` (an aware one is converted
      to Asia/Shanghai, a naive one is taken as local time).
    * ``volume``: ``pvolume`` (shares) when present and non-zero, else ``volume * lot_size``.
    * book: levels whose price is 0 are dropped; volumes are multiplied by ``lot_size``.
    * prices are rounded to ``price_digits`` decimals, which removes the binary noise
      xtdata sends (``11.370000000000001``) without moving a price off the tick.
    * ``pre_close`` comes from ``lastClose``.

    :raises TickRecordError: when ``time`` or ``lastPrice`` is missing or of the wrong type.
    """
    get = record.get
    when = _local_time(code, get("time"))
    last_price = get("lastPrice")
    if last_price is None or isinstance(last_price, (str, bytes)):
        raise TickRecordError(code, "lastPrice", "a price", last_price)
    pvolume = get("pvolume")
    volume = int(pvolume) if pvolume else int(get("volume") or 0) * lot_size
    bid_prices, bid_volumes = _book_side(get("bidPrice"), get("bidVol"), lot_size, price_digits)
    ask_prices, ask_volumes = _book_side(get("askPrice"), get("askVol"), lot_size, price_digits)
    return Tick(
        code, when, round(last_price, price_digits),
        round(get("open") or 0.0, price_digits), round(get("high") or 0.0, price_digits),
        round(get("low") or 0.0, price_digits), round(get("lastClose") or 0.0, price_digits),
        volume, float(get("amount") or 0.0),
        bid_prices, bid_volumes, ask_prices, ask_volumes,
    )


def ticks_from_xtdata(data: dict[str, dict], *, lot_size: int = 100) -> list[Tick]:
    """Convert a whole ``{code: record}`` push (``subscribe_whole_quote``, ``get_full_tick``)."""
    return [tick_from_xtdata(code, record, lot_size=lot_size) for code, record in data.items()]


def _local_time(code: str, value: object) -> dt.datetime:
    kind = type(value)
    if kind is int or kind is float:
        return epoch_ms_to_local(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(SHANGHAI_TZ).replace(tzinfo=None)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy scalars from DataFrames
        return epoch_ms_to_local(float(value))
    raise TickRecordError(code, "time", "ms since the epoch or a datetime", value)


def _book_side(prices: list | None, volumes: list | None, lot_size: int,
               digits: int) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Non-empty levels of one side, best first: (prices, volumes in shares)."""
    if not prices or not volumes:
        return (), ()
    kept_prices = []
    kept_volumes = []
    for price, volume in zip(prices, volumes):
        if price > 0.0:
            kept_prices.append(round(price, digits))
            kept_volumes.append(int(volume) * lot_size)
    return tuple(kept_prices), tuple(kept_volumes)
