"""The MiniQMT simulator: a broker counter that behaves like a real A-share counter.

Public API (see docs/simulator.md)::

    from engine.sim import SimConfig, SimCounter, SimXtQuantTrader, SimXtData, register_counter

    counter = SimCounter(SimConfig(account_id="SIM1", initial_cash=1_000_000), clock=my_clock)
    md = SimXtData(counter)                      # xtdata-shaped market side
    md.load_instruments(rows)                    # code, name, listing_date, is_st, t0, kind
    trader = SimXtQuantTrader(path, session, counter=counter)   # XtQuantTrader-shaped
    trader.register_callback(cb); trader.start(); trader.connect(); trader.subscribe(acc)
    seq = trader.order_stock_async(acc, "600000.SH", 23, 100, 11, 10.0, "strat", "remark")
    md.publish({"600000.SH": tick_dict})         # matches resting orders, then notifies subscribers
    trader.wait_idle()                           # non-SDK: every queued push delivered

* ``SimCounter(config=None, *, calendar=None, clock=None)``: account, orders,
  matching, T+1, fees, paper account in SQLite, fault injection. Outlives
  traders (a reconnect builds a new trader on the same counter).
* ``SimXtQuantTrader(path, session, callback=None, *, counter=None)``: the SDK
  trader's methods, signatures and callbacks. Pushes run on its worker thread
  (``delivery='thread'``) or inline in the calling thread (``'sync'``). For each
  fill the pushes are on_stock_order, on_stock_trade, on_stock_position,
  on_stock_asset, in that order; ``XtTrade.commission`` is the fill's total fees.
* ``SimXtData(counter)``: subscribe_quote, subscribe_whole_quote,
  unsubscribe_quote, get_full_tick, get_instrument_detail; fed with
  ``publish(ticks)`` / ``publish_bars(bars)``; ``set_trading_day(date)`` rolls the day.
* ``register_counter(path, counter)``: lets ``SimXtQuantTrader(path, session)``
  (an unchanged xtquant script) find the counter.
"""

from __future__ import annotations

from ..clock import ManualClock, WallClock
from .config import FaultConfig, FeeProfile, InitialPosition, SimConfig
from .counter import SimCounter
from .errors import SimCallbackThreadError, SimConfigError, SimDataError, SimError
from .registry import lookup_counter, register_counter, unregister_counter
from .trader import SimXtQuantTrader
from .xtdata import SimXtData, make_tick

__all__ = [
    "FaultConfig", "FeeProfile", "InitialPosition", "ManualClock", "SimCallbackThreadError",
    "SimConfig", "SimConfigError", "SimCounter", "SimDataError", "SimError", "SimXtData",
    "SimXtQuantTrader", "WallClock", "lookup_counter", "make_tick", "register_counter",
    "unregister_counter",
]
