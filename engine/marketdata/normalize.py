"""xtdata tick dicts (real MiniQMT or the simulator) -> the engine's :class:`~engine.models.Tick`.

Runs for every code of a whole-market push (about 5,500 codes every 3 s), so it
does plain dict look-ups and arithmetic only: the +08:00 offset is a constant
(China has no daylight saving time), there is no pandas and no time-zone database.

What keeps it cheap (1-4 us per code instead of 8-10; ``benchmarks/bench_snapshot.py``):

* one loop over the push, not a function call per code;
* rounded prices and converted times are remembered (:mod:`.memo`): the same
  prices and the same ``time`` values come back in every push;
* the five-level book is converted when a strategy first reads it, not on
  arrival (:class:`~engine.models.Tick`); most strategies never read it.

Errors: a record the engine cannot use raises :class:`TickRecordError`, which
names the code, the key, what was expected and what came. The scalar fields
(``time``, prices, volumes, ``amount``) are checked on arrival; the book
(``bidPrice``, ``bidVol``, ``askPrice``, ``askVol``) when it is first read.

Values: given a :class:`~engine.marketdata.tick_checks.TickChecks`, a record of
the right shape with impossible values (a price far past any limit band, a
crossed book, a day's volume going back) is dropped, counted and logged.
"""

from __future__ import annotations

import datetime as dt
import numbers
from typing import Iterable

from ..clock import epoch_ms_to_local
from ..models import Tick
from ..models.market import BookSides, tick_with_raw_book
from .formats import SHANGHAI_TZ
from .tick_checks import TickChecks
from .memo import LOCAL_TIMES, LOT_SIZES, local_time_of_ms, lot_size_of, rounded_prices

__all__ = ["TickRecordError", "tick_from_xtdata", "ticks_from_records", "ticks_from_xtdata"]


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
      It is converted when first read (see :class:`Tick`).
    * prices are rounded to ``price_digits`` decimals, which removes the binary noise
      xtdata sends (``11.370000000000001``) without moving a price off the tick.
    * ``pre_close`` comes from ``lastClose``.

    :raises TickRecordError: when ``time``, a price, a volume or ``amount`` is missing
        (``time``, ``lastPrice``) or of the wrong type; for the book, on its first read.
    """
    return ticks_from_records(((code, record),), lot_size=lot_size, price_digits=price_digits)[0]


def ticks_from_xtdata(data: dict[str, dict], *, lot_size: int | None = 100, price_digits: int = 3,
                      checks: TickChecks | None = None) -> list[Tick]:
    """Convert a whole ``{code: record}`` push (``subscribe_whole_quote``, ``get_full_tick``).

    ``lot_size=None`` takes each code's own lot (:func:`engine.instruments.shares_per_lot`:
    10 for bonds, else 100), as the engine's callbacks do. ``checks``: see :func:`ticks_from_records`.
    """
    return ticks_from_records(data.items(), lot_size=lot_size, price_digits=price_digits, checks=checks)


def ticks_from_records(records: Iterable[tuple[str, dict]], *, lot_size: int | None = None,
                       price_digits: int = 3, checks: TickChecks | None = None) -> list[Tick]:
    """Convert ``(code, record)`` pairs, in order; what :func:`tick_from_xtdata` does for each.

    ``lot_size=None`` (the default here) takes each code's own lot, like :func:`ticks_from_xtdata`.
    ``checks``: the feed's value checks; a tick they refuse is left out of the result (counted and
    logged by them). ``None`` converts every well-formed record.
    """
    refuse = checks.refuse if checks is not None else None
    rounded = rounded_prices(price_digits)
    known_time = LOCAL_TIMES.get
    known_lot = LOT_SIZES.get
    ticks: list[Tick] = []
    append = ticks.append
    for code, record in records:
        get = record.get
        lot = lot_size if lot_size is not None else (known_lot(code) or lot_size_of(code))
        ms = get("time")
        if type(ms) is int:
            when = known_time(ms) or _time_of_ms(code, ms)
        else:
            when = _local_time(code, ms)
        value = get("lastPrice")
        last_price = rounded[value] if type(value) is float else _price(code, "lastPrice", value, price_digits)
        value = get("open") or 0.0
        open_ = rounded[value] if type(value) is float else _price(code, "open", value, price_digits)
        value = get("high") or 0.0
        high = rounded[value] if type(value) is float else _price(code, "high", value, price_digits)
        value = get("low") or 0.0
        low = rounded[value] if type(value) is float else _price(code, "low", value, price_digits)
        value = get("lastClose") or 0.0
        pre_close = rounded[value] if type(value) is float else _price(code, "lastClose", value, price_digits)
        value = get("pvolume")
        if value:
            volume = value if type(value) is int else _shares(code, "pvolume", value, 1)
        else:
            value = get("volume") or 0
            volume = value * lot if type(value) is int else _shares(code, "volume", value, lot)
        value = get("amount") or 0.0
        amount = value if type(value) is float else _amount(code, value)
        # the book stays raw until read; lists are copied so that the tick does not share them with the SDK
        bid_prices, bid_volumes = get("bidPrice"), get("bidVol")
        ask_prices, ask_volumes = get("askPrice"), get("askVol")
        raw_book = (convert_book, code, lot, price_digits,
                    tuple(bid_prices) if type(bid_prices) is list else bid_prices,
                    tuple(bid_volumes) if type(bid_volumes) is list else bid_volumes,
                    tuple(ask_prices) if type(ask_prices) is list else ask_prices,
                    tuple(ask_volumes) if type(ask_volumes) is list else ask_volumes)
        if refuse is not None:
            bids, asks = raw_book[4], raw_book[6]
            if refuse(code, when, last_price, open_, pre_close, volume,
                      bids[0] if type(bids) is tuple and bids else None,
                      asks[0] if type(asks) is tuple and asks else None):
                continue
        append(tick_with_raw_book(code, when, last_price, open_, high, low, pre_close, volume, amount, raw_book))
    return ticks


def convert_book(code: str, lot_size: int, price_digits: int, bid_prices: object, bid_volumes: object,
                 ask_prices: object, ask_volumes: object) -> BookSides:
    """The engine's book from xtdata's five levels a side: empty levels dropped, volumes in shares.

    Prices are rounded floats, volumes ``int(volume) * lot_size``; a level whose price is not
    above 0 is empty. Sides come from :func:`ticks_from_records` (lists copied to tuples).

    :raises TickRecordError: a side that is not a list of numbers, naming the key.
    """
    if type(bid_prices) is tuple and type(bid_volumes) is tuple and type(ask_prices) is tuple \
            and type(ask_volumes) is tuple:
        # The usual book: every level priced, int volumes, as many volumes as prices. Anything
        # else (empty levels, other types, bad values) goes through the careful loop below.
        rounded = rounded_prices(price_digits)
        try:
            bids = [rounded[price] for price in bid_prices if price > 0.0]
            asks = [rounded[price] for price in ask_prices if price > 0.0]
        except (TypeError, ValueError, OverflowError):
            bids = asks = None
        if bids is not None and len(bids) == len(bid_prices) == len(bid_volumes) \
                and len(asks) == len(ask_prices) == len(ask_volumes):
            bid_shares = [volume * lot_size for volume in bid_volumes if type(volume) is int]
            ask_shares = [volume * lot_size for volume in ask_volumes if type(volume) is int]
            if len(bid_shares) == len(bids) and len(ask_shares) == len(asks):
                return tuple(bids), tuple(bid_shares), tuple(asks), tuple(ask_shares)
    bids = _book_side(code, "bidPrice", "bidVol", bid_prices, bid_volumes, lot_size, price_digits)
    asks = _book_side(code, "askPrice", "askVol", ask_prices, ask_volumes, lot_size, price_digits)
    return bids[0], bids[1], asks[0], asks[1]


def best_level_price(args: tuple, side: int) -> float | None:
    """The best price of one side of a raw book (``side`` 0: bids, 2: asks), or None when the
    side is not the usual shape (then the caller converts the whole book).

    ``args`` are :func:`convert_book`'s arguments after ``code``, ``lot_size``, ``price_digits``.
    Gives what ``convert_book(...)[side][0]`` gives for a well-formed side, reading one level only:
    strategies that only want ``bid1``/``ask1`` do not pay for twenty values.
    """
    prices, volumes = args[3 + side], args[4 + side]
    if type(prices) is tuple and prices and type(volumes) is tuple and len(volumes) == len(prices):
        best = prices[0]
        if type(best) is float and best > 0.0 and type(volumes[0]) is int:
            return rounded_prices(args[2])[best]
    return None


convert_book.best_price = best_level_price  # type: ignore[attr-defined] - read by Tick.bid1 / Tick.ask1


# -- the slow paths: other types than the SDK sends, and errors -----------------------------------


def _time_of_ms(code: str, ms: int) -> dt.datetime:
    try:
        return local_time_of_ms(ms)
    except OverflowError:
        raise TickRecordError(code, "time", "ms since the epoch or a datetime", ms) from None


def _local_time(code: str, value: object) -> dt.datetime:
    kind = type(value)
    if kind is int or kind is float or (isinstance(value, numbers.Real) and not isinstance(value, bool)):
        # numpy scalars from DataFrames are numbers.Real too
        try:
            return epoch_ms_to_local(value if kind is int or kind is float else float(value))
        except (OverflowError, ValueError):  # out of datetime's range, NaN, infinity
            pass
    elif isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(SHANGHAI_TZ).replace(tzinfo=None)
    raise TickRecordError(code, "time", "ms since the epoch or a datetime", value)


def _price(code: str, key: str, value: object, digits: int) -> float:
    """A price that is not a plain float (an int, a numpy scalar): ``round(float(value), digits)``."""
    if value is not None and not isinstance(value, (str, bytes)):
        try:
            return round(float(value), digits)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            pass
    raise TickRecordError(code, key, "a price", value)


def _shares(code: str, key: str, value: object, lot_size: int) -> int:
    """``int(value) * lot_size`` for a volume that is not a plain int (float, numpy scalar)."""
    try:
        return int(value) * lot_size  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise TickRecordError(code, key, "a whole number", value) from None


def _amount(code: str, value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TickRecordError(code, "amount", "a number", value) from None


def _book_side(code: str, price_key: str, volume_key: str, prices: object, volumes: object,
                       lot_size: int, digits: int) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Non-empty levels of one side, best first: (prices, volumes in shares), one level at a time."""
    prices = _levels(code, price_key, prices, "a list of prices")
    volumes = _levels(code, volume_key, volumes, "a list of volumes")
    if not prices or not volumes:
        return (), ()
    rounded = rounded_prices(digits)
    kept_prices = []
    kept_volumes = []
    for price, volume in zip(prices, volumes):
        try:
            if not price > 0.0:  # an empty level (NaN too)
                continue
            price = rounded[price]
        except (TypeError, ValueError, OverflowError):
            raise TickRecordError(code, price_key, "a list of prices", prices) from None
        if type(volume) is not int:
            try:
                volume = int(volume)
            except (TypeError, ValueError, OverflowError):
                raise TickRecordError(code, volume_key, "a list of volumes", volumes) from None
        kept_prices.append(price)
        kept_volumes.append(volume * lot_size)
    return tuple(kept_prices), tuple(kept_volumes)


def _levels(code: str, key: str, value: object, expected: str) -> tuple | list:
    if value is None or type(value) is tuple or type(value) is list:
        return value or ()
    if isinstance(value, (tuple, list)):
        return tuple(value)
    raise TickRecordError(code, key, expected, value)
