"""Order validation: the A-share rules a real counter enforces (ashare_rules.md §2-§5).

:func:`check_order` returns a :class:`Rejection` or None. It never raises for a
well-formed order: a business rejection is reported asynchronously by the counter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..models.money import is_on_tick, round_to_tick
from ..xt import constants as xc
from . import errors as E
from .book import Book
from .config import SimConfig
from ..instruments import (BOND, BSE, BUY_LOT, CHINEXT, MAX_ORDER, SH_MAIN, STAR, SZ_MAIN, Instrument,
                          PriceLimits)
from .sessions import SessionPolicy

__all__ = ["OrderContext", "cage_bounds", "check_order"]

EXCHANGE_TYPE = {"SH": 1, "SZ": 2, "BJ": 9}
CAGE_BOARDS = frozenset({SH_MAIN, SZ_MAIN, CHINEXT, STAR, BSE})


@dataclass(frozen=True)
class OrderContext:
    """Everything the rules look at for one new order."""

    inst: Instrument
    is_buy: bool
    volume: int
    price_type: int
    price: Decimal
    now: dt.datetime
    is_trading_day: bool
    phase: str
    limits: PriceLimits | None
    book: Book | None
    can_use: int
    available_cash: Decimal
    required_cash: Decimal
    st_bought_and_open: int
    account_id: str
    bar_mode: bool = False  # a bar clock (SimConfig.bar_orders): the trading phase is not checked


def cage_bounds(inst: Instrument, book: Book | None, prev_close: Decimal | None,
                cfg: SimConfig) -> tuple[Decimal | None, Decimal | None]:
    """(buy cap, sell floor) of the continuous-auction price cage (§3.3), or (None, None)."""
    if inst.board not in CAGE_BOARDS:
        return None, None
    ask = book.best(asks=True) if book else None
    bid = book.best(asks=False) if book else None
    last = book.last if book else None
    buy_base = next((p for p in (ask, bid, last, prev_close) if p), None)
    sell_base = next((p for p in (bid, ask, last, prev_close) if p), None)
    pct = Decimal("0.05") if inst.board == BSE else Decimal("0.02")
    ticks = inst.tick * 10
    floor = inst.board != STAR or cfg.star_cage_ten_tick_floor
    cap = flo = None
    if buy_base is not None:
        cap = round_to_tick(buy_base * (1 + pct), inst.tick)
        cap = max(cap, buy_base + ticks) if floor else cap
    if sell_base is not None:
        flo = round_to_tick(sell_base * (1 - pct), inst.tick)
        flo = min(flo, sell_base - ticks) if floor else flo
    return cap, flo


def _check_session(ctx: OrderContext, policy: SessionPolicy) -> E.Rejection | None:
    if not ctx.is_trading_day or (not ctx.bar_mode and policy.order_disposition(ctx.phase) == "reject"):
        return E.outside_trading_time()
    if ctx.inst.suspended:
        return E.sim_rejection("HALT", "证券停牌", stock_code=ctx.inst.code)
    if ctx.price_type in xc.LIMIT_PRICE_TYPES:
        return None
    if ctx.price_type not in xc.MARKET_PRICE_TYPES.get(ctx.inst.exchange, ()):
        return E.sim_rejection("MKT", "该市场不支持此报价类型", stock_code=ctx.inst.code,
                               price_type=ctx.price_type)
    if ctx.phase not in policy.MARKET_ORDER_PHASES and not ctx.bar_mode:
        return E.sim_rejection("MKT", "市价委托仅限连续竞价时段", stock_code=ctx.inst.code,
                               price_type=ctx.price_type)
    if ctx.limits is None or not ctx.limits.has_limit:
        return E.sim_rejection("MKT", "无价格涨跌幅限制的证券不接受市价委托", stock_code=ctx.inst.code)
    return None


def _buy_volume_ok(inst: Instrument, volume: int) -> bool:
    minimum, step = BUY_LOT[inst.board]
    return volume >= minimum and volume % step == 0


def _sell_volume_ok(inst: Instrument, q: int, avail: int, mode: str) -> bool:
    """§2.2: whole lots, or the odd remainder in one order (``whole_balance``: all of it)."""
    if q == avail:
        return True
    if inst.board == STAR:
        return q >= 200
    if inst.board == BSE:
        return q >= 100
    lot = 10 if inst.board == BOND else 100
    if q % lot == 0:
        return True
    return mode == "exchange" and q % lot == avail % lot


def _check_volume(ctx: OrderContext, cfg: SimConfig) -> E.Rejection | None:
    limit_max, market_max = MAX_ORDER[ctx.inst.board]
    cap = market_max if ctx.price_type not in xc.LIMIT_PRICE_TYPES else limit_max
    if ctx.volume > cap:
        return E.sim_rejection("VOL", "委托数量错误", reason="exceeds_max_order", volume=ctx.volume,
                               max=cap)
    if ctx.is_buy:
        if not _buy_volume_ok(ctx.inst, ctx.volume):
            minimum, step = BUY_LOT[ctx.inst.board]
            return E.sim_rejection("VOL", "委托数量错误", reason="buy_lot", volume=ctx.volume,
                                   min=minimum, step=step)
        return None
    if ctx.volume > ctx.can_use:
        return E.insufficient_position(ctx.inst.code, ctx.volume, ctx.can_use,
                                       EXCHANGE_TYPE[ctx.inst.exchange], ctx.account_id)
    if not _sell_volume_ok(ctx.inst, ctx.volume, ctx.can_use, cfg.odd_lot_mode):
        return E.sim_rejection("VOL", "委托数量错误", reason="odd_lot", volume=ctx.volume,
                               can_use_volume=ctx.can_use, odd_lot_mode=cfg.odd_lot_mode)
    return None


def _check_price(ctx: OrderContext, cfg: SimConfig) -> E.Rejection | None:
    if ctx.price_type not in xc.LIMIT_PRICE_TYPES:
        return None
    inst, price = ctx.inst, ctx.price
    if price <= 0:
        return E.sim_rejection("PX", "委托价格错误", price=price)
    if not is_on_tick(price, inst.tick):
        return E.sim_rejection("TICK", "委托价格不是最小价格变动单位的整数倍", price=price, tick=inst.tick)
    lim = ctx.limits
    if lim is None:
        return E.sim_rejection("PX", "无昨收价，无法确定涨跌停价格", stock_code=inst.code)
    if lim.has_limit and not (lim.down <= price <= lim.up):
        return E.sim_rejection("PX", "委托价格超出涨跌停范围", limit_up=lim.up, limit_down=lim.down)
    if ctx.phase == "continuous" and cfg.cage_mode == "reject":
        cap, floor = cage_bounds(inst, ctx.book, ctx.book.prev_close if ctx.book else None, cfg)
        if ctx.is_buy and cap is not None and price > cap:
            return E.sim_rejection("CAGE", "超出有效申报价格范围", price=price, buy_max=cap)
        if not ctx.is_buy and floor is not None and price < floor:
            return E.sim_rejection("CAGE", "超出有效申报价格范围", price=price, sell_min=floor)
    return None


def _check_money(ctx: OrderContext, cfg: SimConfig) -> E.Rejection | None:
    if not ctx.is_buy:
        return None
    if ctx.inst.is_st and ctx.inst.kind == "stock" and ctx.st_bought_and_open + ctx.volume > cfg.st_buy_cap:
        return E.sim_rejection("STCAP", "风险警示股票单日买入数量超过限制",
                               bought_and_open=ctx.st_bought_and_open, volume=ctx.volume,
                               cap=cfg.st_buy_cap)
    if ctx.required_cash > ctx.available_cash:
        return E.insufficient_funds(ctx.account_id, f"{ctx.required_cash:.2f}", f"{ctx.available_cash:.2f}")
    return None


def check_order(ctx: OrderContext, cfg: SimConfig, policy: SessionPolicy) -> E.Rejection | None:
    """The first rule ``ctx`` breaks, or None when the counter accepts the order."""
    if not ctx.inst.tradable:
        return E.sim_rejection("CODE", "证券代码不可交易", stock_code=ctx.inst.code)
    for check in (lambda: _check_session(ctx, policy), lambda: _check_volume(ctx, cfg),
                  lambda: _check_price(ctx, cfg), lambda: _check_money(ctx, cfg)):
        rejection = check()
        if rejection is not None:
            return rejection
    return None
