"""Build a backtest engine over small bar files written by the test."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import hookimpl
from engine.config.models import EngineConfig
from engine.core import Engine
from engine.runtime.backtest import BacktestRuntime
from engine.runtime.backtest_settings import BacktestSettings


def write_bars(path, rows):
    """rows: (datetime or 'YYYY-MM-DD HH:MM', open, high, low, close, volume)."""
    lines = ["datetime,open,high,low,close,volume"]
    for when, o, h, lo, c, v in rows:
        text = when if isinstance(when, str) else when.strftime("%Y-%m-%d %H:%M:%S")
        lines.append(f"{text if len(text) > 16 else text + ':00'},{o},{h},{lo},{c},{v}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def day_bars(day: dt.date, prices, volume=100_000, start=dt.time(9, 31)):
    """One bar a minute from ``start`` with open = high = low = close = each price."""
    first = dt.datetime.combine(day, start)
    return [(first + dt.timedelta(minutes=i), p, p, p, p, volume) for i, p in enumerate(prices)]


class Recorder:
    """Records bars, orders and fills; runs ``actions[(code, time)]`` (a callable taking ctx) on that bar."""

    def __init__(self, actions=None):
        self.actions = actions or {}
        self.bars, self.orders, self.fills, self.errors = [], [], [], []

    @hookimpl
    def on_bar(self, ctx, bar):
        self.bars.append(bar)
        action = self.actions.get((bar.code, bar.time)) or self.actions.get(bar.time)
        if action is not None:
            action(ctx)

    @hookimpl
    def on_order(self, order):
        self.orders.append((order.client_order_id, order.side.value, order.status.name))

    @hookimpl
    def on_trade(self, fill):
        self.fills.append(fill)

    @hookimpl
    def on_order_error(self, error):
        self.errors.append(error.error_msg)


@pytest.fixture
def backtest(tmp_path):
    """``backtest(settings_kwargs, plugins=(), jobs=())`` -> a built (not yet run) Engine."""

    def build(plugins=(), jobs=(), risk=None, **settings):
        config = EngineConfig.model_validate({
            **({"risk": risk} if risk is not None else {}),
            "mode": "backtest", "account_id": "BT0001", "logging": {"file": None},
            "audit": {"path": str(tmp_path / "audit.db")}, "engine": {"control_path": str(tmp_path / "control.db")},
            "plugins": {"load_entrypoints": False, "disabled": ["console", "trading_day"]},
            "jobs": list(jobs),
        })
        bt = BacktestSettings(**settings)
        return Engine(config, runtime_factory=lambda e: BacktestRuntime(e, bt), extra_plugins=tuple(plugins),
                      load_entrypoints=False)

    return build
