"""Market data as the engine hands it to strategies: volumes in shares, prices as float."""

from __future__ import annotations

import datetime as dt
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, Callable

__all__ = ["Bar", "BookConverter", "Tick", "new_bar", "tick_with_raw_book"]

#: ``(bid_prices, bid_volumes, ask_prices, ask_volumes)``, best level first.
BookSides = tuple[tuple[float, ...], tuple[int, ...], tuple[float, ...], tuple[int, ...]]
#: Converts a raw book into :data:`BookSides`; called with the arguments stored next to it.
BookConverter = Callable[..., BookSides]

_SCALARS = ("code", "time", "last_price", "open", "high", "low", "pre_close", "volume", "amount")
_BOOK = ("bid_prices", "bid_volumes", "ask_prices", "ask_volumes")


class Tick:
    """One snapshot of one instrument (MiniQMT pushes one about every 3 s).

    ``time`` is exchange-local (Asia/Shanghai) naive time. ``volume`` and
    ``amount`` are cumulative for the day; ``volume`` and the book volumes are in
    shares (the SDK's lots are normalised by the gateway). Book levels are best
    first; empty levels are omitted, so ``ask_prices`` may be shorter than five.

    A tick is an immutable value: it compares, hashes, pickles and copies by its
    thirteen fields (``code`` ... ``ask_volumes``, the constructor's order), and
    assigning an attribute raises :class:`dataclasses.FrozenInstanceError`.

    Ticks made by the xtdata normaliser (:func:`tick_with_raw_book`) keep the
    SDK's five-level book as it came and convert it the first time any book
    attribute is read (``bid_prices`` ... ``ask_volumes``, ``bid1``, ``ask1``,
    or through ``==``, ``hash``, pickling); the result is cached. Most strategies
    never read the book, and a whole-market push has 5,500 of them. A malformed
    book raises :class:`~engine.marketdata.TickRecordError` at that first read,
    and at every later one. ``bid1``/``ask1`` on a raw book read the best level
    only (when it is the usual shape), so a malformed deeper level raises only
    when the book itself is read.
    """

    __slots__ = (*_SCALARS, "_book", "_raw_book", "_tops")
    __match_args__ = (*_SCALARS, *_BOOK)

    code: str
    time: dt.datetime
    last_price: float
    open: float
    high: float
    low: float
    pre_close: float
    volume: int
    amount: float

    def __init__(self, code: str, time: dt.datetime, last_price: float, open: float = 0.0,
                 high: float = 0.0, low: float = 0.0, pre_close: float = 0.0, volume: int = 0,
                 amount: float = 0.0, bid_prices: tuple[float, ...] = (), bid_volumes: tuple[int, ...] = (),
                 ask_prices: tuple[float, ...] = (), ask_volumes: tuple[int, ...] = ()) -> None:
        setter = object.__setattr__
        for name, value in zip(_SCALARS, (code, time, last_price, open, high, low, pre_close, volume, amount)):
            setter(self, name, value)
        setter(self, "_book", (bid_prices, bid_volumes, ask_prices, ask_volumes))
        setter(self, "_raw_book", None)
        setter(self, "_tops", None)

    # -- the book ------------------------------------------------------------

    def _sides(self) -> BookSides:
        book = self._book
        return book if book is not None else self._convert_book()

    def _convert_book(self) -> BookSides:
        # Another thread may convert the same tick at the same time: both compute the same value.
        raw = self._raw_book
        book = self._book
        if book is None:
            book = raw[0](*raw[1:])
            object.__setattr__(self, "_book", book)
            object.__setattr__(self, "_raw_book", None)
        return book

    # Each property reads ``_book`` itself: these are read on every tick by many strategies.

    @property
    def bid_prices(self) -> tuple[float, ...]:
        book = self._book
        return (book if book is not None else self._convert_book())[0]

    @property
    def bid_volumes(self) -> tuple[int, ...]:
        book = self._book
        return (book if book is not None else self._convert_book())[1]

    @property
    def ask_prices(self) -> tuple[float, ...]:
        book = self._book
        return (book if book is not None else self._convert_book())[2]

    @property
    def ask_volumes(self) -> tuple[int, ...]:
        book = self._book
        return (book if book is not None else self._convert_book())[3]

    @property
    def bid1(self) -> float | None:
        return self._best(0)

    @property
    def ask1(self) -> float | None:
        return self._best(2)

    def _best(self, side: int) -> float | None:
        book = self._book
        if book is None:
            tops = self._tops
            if tops is None:
                tops = self._read_tops()
            if tops is not None:
                return tops[side >> 1]  # side 0: bids, 2: asks
            book = self._convert_book()
        prices = book[side]
        return prices[0] if prices else None

    def _read_tops(self) -> tuple[float, float] | None:
        """``(bid1, ask1)`` from the raw book's best levels, remembered; None when either side is
        not the usual shape (then the whole book is converted)."""
        raw = self._raw_book
        best_price = getattr(raw[0], "best_price", None)
        if best_price is None:
            return None
        args = raw[1:]
        bid, ask = best_price(args, 0), best_price(args, 2)
        if bid is None or ask is None:
            return None
        tops = (bid, ask)
        object.__setattr__(self, "_tops", tops)
        return tops

    # -- value behaviour -----------------------------------------------------

    def _fields(self) -> tuple:
        return (self.code, self.time, self.last_price, self.open, self.high, self.low, self.pre_close,
                self.volume, self.amount, *self._sides())

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Tick:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __reduce__(self) -> tuple[type[Tick], tuple]:
        return Tick, self._fields()

    def __repr__(self) -> str:
        scalars = [f"{name}={getattr(self, name)!r}" for name in _SCALARS]
        try:
            book = [f"{name}={value!r}" for name, value in zip(_BOOK, self._sides())]
        except ValueError as exc:  # a malformed raw book: a repr must not raise
            book = [f"book=<unreadable: {exc}>"]
        return f"Tick({', '.join(scalars + book)})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class _TickUnderConstruction:
    """Same slots as :class:`Tick` without its frozen ``__setattr__``; becomes a ``Tick`` when filled.

    A frozen class can only set its fields through ``object.__setattr__``, about
    70 ns per field; plain slot stores followed by one ``__class__`` assignment
    (allowed because the layouts are identical) build a tick in about a fifth of
    the time. The result is an ordinary ``Tick``.
    """

    __slots__ = Tick.__slots__

    def __init__(self, code: str, time: dt.datetime, last_price: float, open: float, high: float, low: float,
                 pre_close: float, volume: int, amount: float, raw_book: tuple) -> None:
        self.code = code
        self.time = time
        self.last_price = last_price
        self.open = open
        self.high = high
        self.low = low
        self.pre_close = pre_close
        self.volume = volume
        self.amount = amount
        self._book = None
        self._raw_book = raw_book
        self._tops = None
        self.__class__ = Tick


#: ``tick_with_raw_book(code, time, last_price, open, high, low, pre_close, volume, amount, raw_book)``
#: returns a :class:`Tick` whose book is ``raw_book[0](*raw_book[1:])``, computed on first read. The
#: converter must return :data:`BookSides` or raise ``ValueError`` (``TickRecordError``). For the
#: normaliser (``engine.marketdata.normalize``); everything else builds ticks with ``Tick(...)``.
tick_with_raw_book: Callable[..., Tick] = _TickUnderConstruction


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar; ``time`` is the bar's END time (exchange-local), volume in shares."""

    code: str
    time: dt.datetime
    open: float
    high: float
    low: float
    close: float
    volume: int = 0
    amount: float = 0.0
    pre_close: float = 0.0
    period: str = field(default="1m")


class _BarUnderConstruction:
    """Same slots as :class:`Bar` without its frozen ``__setattr__``; becomes a ``Bar`` when filled
    (the technique of :class:`_TickUnderConstruction`: about a quarter of the dataclass's cost)."""

    __slots__ = Bar.__slots__

    def __init__(self, code: str, time: dt.datetime, open: float, high: float, low: float, close: float,
                 volume: int, amount: float, pre_close: float, period: str) -> None:
        self.code = code
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.amount = amount
        self.pre_close = pre_close
        self.period = period
        self.__class__ = Bar


#: ``new_bar(code, time, open, high, low, close, volume, amount, pre_close, period)``: a :class:`Bar`,
#: every argument given, built fast (for bar readers: a backtest makes a million of them).
new_bar: Callable[..., Bar] = _BarUnderConstruction
