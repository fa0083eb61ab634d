"""Turning the counter's state into the SDK's record objects (engine/xt/records.py).

Prices and amounts leave as floats, as the SDK's do: CNY amounts rounded to
0.01, prices to 0.001. ``XtTrade.commission`` carries the **sum of all fees of
that fill** (commission + stamp duty + transfer fee), so the engine can book the
fill's cash effect from the trade alone: ``traded_amount ± commission``.
``XtOrder.price_type`` is the counter's EBrokerPriceType (50 limit, 49 market,
51 best price), as real QMT returns it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..xt import constants as xc
from ..xt.records import XtAsset, XtCancelError, XtOrder, XtOrderError, XtPosition, XtTrade
from ..clock import local_to_epoch_seconds
from .errors import ERROR_ID_UNSET
from .ledger import Ledger, Position, SimOrder, SimTrade

__all__ = ["asset_record", "cancel_error_record", "epoch_seconds", "order_error_record",
           "order_record", "position_record", "trade_record"]

_BEST = frozenset({xc.MARKET_PEER_PRICE_FIRST, xc.MARKET_MINE_PRICE_FIRST})


def epoch_seconds(when: dt.datetime) -> int:
    """Naive Asia/Shanghai time -> seconds since the epoch (XtOrder.order_time)."""
    return local_to_epoch_seconds(when)


def _f(value: Decimal, places: int = 2) -> float:
    return round(float(value), places)


def broker_price_type(price_type: int) -> int:
    if price_type in xc.LIMIT_PRICE_TYPES:
        return xc.BROKER_PRICE_LIMIT
    return xc.BROKER_PRICE_BEST if price_type in _BEST else xc.BROKER_PRICE_MARKET


def secu_account(account_id: str, exchange: str) -> str:
    return f"{exchange}{account_id}"


def order_record(o: SimOrder, account_id: str, name: str) -> XtOrder:
    ex = o.code[-2:]
    return XtOrder(
        account_id, o.code, o.order_id, o.sysid if o.status != xc.ORDER_WAIT_REPORTING else "",
        epoch_seconds(o.order_time), xc.STOCK_BUY if o.is_buy else xc.STOCK_SELL, o.volume,
        broker_price_type(o.price_type), _f(o.price, 3), o.traded_volume, _f(o.avg_price, 3),
        o.status, o.status_msg, o.strategy_name, o.order_remark, xc.DIRECTION_FLAG_LONG,
        xc.OFFSET_FLAG_OPEN if o.is_buy else xc.OFFSET_FLAG_CLOSE, secu_account(account_id, ex), name)


def trade_record(t: SimTrade, o: SimOrder, account_id: str, name: str) -> XtTrade:
    ex = t.code[-2:]
    return XtTrade(
        account_id, t.code, xc.STOCK_BUY if t.is_buy else xc.STOCK_SELL, f"T{t.trade_id:09d}",
        epoch_seconds(t.time), _f(t.price, 3), t.volume, _f(t.amount), t.order_id, o.sysid,
        o.strategy_name, o.order_remark, xc.DIRECTION_FLAG_LONG,
        xc.OFFSET_FLAG_OPEN if t.is_buy else xc.OFFSET_FLAG_CLOSE, _f(t.fees.total),
        secu_account(account_id, ex), name)


def position_record(p: Position, account_id: str, last: Decimal | None, name: str) -> XtPosition:
    price = last if last is not None else p.avg_price
    avg = p.avg_price
    profit_rate = float((price - avg) / avg) if avg else 0.0
    return XtPosition(
        account_id, p.code, p.volume, p.can_use, _f(p.open_price, 4), _f(price * p.volume),
        p.frozen, 0, p.yesterday, _f(avg, 4), xc.DIRECTION_FLAG_LONG, _f(price, 3),
        round(profit_rate, 6), secu_account(account_id, p.code[-2:]), name)


def asset_record(ledger: Ledger, market_value: Decimal) -> XtAsset:
    fetch = max(Decimal(0), ledger.available - ledger.proceeds_today)
    return XtAsset(ledger.account_id, _f(ledger.available), _f(ledger.frozen), _f(market_value),
                   _f(ledger.balance + market_value), _f(fetch))


def order_error_record(o: SimOrder, account_id: str) -> XtOrderError:
    return XtOrderError(account_id, o.order_id, ERROR_ID_UNSET, o.status_msg, o.strategy_name,
                        o.order_remark, o.seq)


def cancel_error_record(o: SimOrder, account_id: str, message: str) -> XtCancelError:
    return XtCancelError(account_id, o.order_id, xc.MARKET_STR_TO_ENUM_MAPPING[o.code[-2:]], o.sysid,
                         ERROR_ID_UNSET, message)
