"""The tick normaliser as it was before the fast path (issue #8), kept as the specification.

``engine.marketdata.normalize`` must give the same ticks for every record this
function accepts: same values, with prices as floats. It converts eagerly, one
``round()`` per price and one function call per book side.
"""

from __future__ import annotations

import datetime as dt
import numbers

from engine.clock import CHINA_TZ, epoch_ms_to_local
from engine.models import Tick


def reference_tick(code: str, record: dict, *, lot_size: int = 100, price_digits: int = 3) -> Tick:
    """``tick_from_xtdata`` before issue #8."""
    get = record.get
    when = _local_time(get("time"))
    last_price = get("lastPrice")
    if last_price is None or isinstance(last_price, (str, bytes)):
        raise ValueError(f"lastPrice {last_price!r}")
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


def _local_time(value: object) -> dt.datetime:
    kind = type(value)
    if kind is int or kind is float:
        return epoch_ms_to_local(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(CHINA_TZ).replace(tzinfo=None)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return epoch_ms_to_local(float(value))
    raise ValueError(f"time {value!r}")


def _book_side(prices, volumes, lot_size: int, digits: int):
    if not prices or not volumes:
        return (), ()
    kept_prices = []
    kept_volumes = []
    for price, volume in zip(prices, volumes):
        if price > 0.0:
            kept_prices.append(round(price, digits))
            kept_volumes.append(int(volume) * lot_size)
    return tuple(kept_prices), tuple(kept_volumes)
