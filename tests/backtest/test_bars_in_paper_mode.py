"""An on_bar strategy trades in paper mode too: the simulator builds 1-minute bars from the replayed ticks,
and a backtest over those same bars sees the same bars and places the same orders."""

from __future__ import annotations

import datetime as dt

from engine import hookimpl
from engine.broker.bar_builder import FinishedBars
from engine.config.models import EngineConfig
from engine.core import Engine
from engine.marketdata import SAMPLE_DIR, iter_tick_batches
from engine.runtime.backtest import BacktestRuntime
from engine.runtime.backtest_settings import BacktestSettings
from engine.sim.tick_bars import TickBars, bar_end

CODE = "600000.SH"
TICKS = SAMPLE_DIR / "ticks-2026-03-09.csv.gz"


class BarTrader:
    """Buys 100 shares at the close of every third bar while the bar rose, for the first 60 bars."""

    def __init__(self):
        self.bars, self.placed = [], []

    @hookimpl
    def on_bar(self, ctx, bar):
        self.bars.append((bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume))
        if len(self.bars) <= 60 and len(self.bars) % 3 == 0 and bar.close >= bar.open:
            order = ctx.buy(bar.code, 100, price=bar.close)
            self.placed.append((bar.time, order.side.value, order.volume, str(order.price)))


def bars_of_sample_ticks(path):
    """The 1m bars the simulator builds from the sample ticks, finished as the live bar builder finishes them."""
    builder, finished = TickBars("1m"), FinishedBars("1m")
    bars = []
    for _, ticks in iter_tick_batches(TICKS, codes=[CODE]):
        record = builder.update(CODE, ticks[CODE])
        if record is not None:
            bars.extend(finished.update(CODE, [record]))
    bars.extend(finished.due(dt.datetime(2100, 1, 1)))
    lines = ["datetime,open,high,low,close,volume"]
    lines += [f"{b.time:%Y-%m-%d %H:%M:%S},{b.open},{b.high},{b.low},{b.close},{b.volume}" for b in bars]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bars


def config(tmp_path, mode, name):
    return EngineConfig.model_validate({
        "mode": mode, "account_id": "SAME01", "logging": {"file": None},
        "audit": {"path": str(tmp_path / f"{name}.db")}, "engine": {"control_path": str(tmp_path / f"{name}-control.db")},
        "paper": {"data": str(TICKS), "instruments": str(SAMPLE_DIR / "instruments.csv"), "codes": [CODE]},
        "plugins": {"load_entrypoints": False, "disabled": ["console", "trading_day"]},
    })


def test_bar_ends_follow_the_session():
    day = dt.date(2026, 3, 9)
    at = lambda h, m, s=0: dt.datetime.combine(day, dt.time(h, m, s))  # noqa: E731
    assert bar_end(at(9, 25), 1) == at(9, 31)
    assert bar_end(at(9, 31, 27), 1) == at(9, 32)
    assert bar_end(at(9, 32), 1) == at(9, 32)
    assert bar_end(at(11, 45), 1) == at(11, 30)
    assert bar_end(at(13, 0, 3), 1) == at(13, 1)
    assert bar_end(at(14, 59, 57), 5) == at(15, 0)
    assert bar_end(at(15, 0, 2), 1) == at(15, 0)
    assert bar_end(at(10, 1, 1), 30) == at(10, 30)


def test_an_on_bar_strategy_places_the_same_orders_in_paper_and_backtest(tmp_path):
    expected_bars = bars_of_sample_ticks(tmp_path / "bars.csv")
    paper = BarTrader()
    Engine(config(tmp_path, "paper", "paper"), extra_plugins=(("bars", paper),), load_entrypoints=False).run()
    backtest = BarTrader()
    settings = BacktestSettings(bars=tmp_path / "bars.csv", code=CODE, instruments=SAMPLE_DIR / "instruments.csv")
    Engine(config(tmp_path, "backtest", "backtest"), runtime_factory=lambda e: BacktestRuntime(e, settings),
           extra_plugins=(("bars", backtest),), load_entrypoints=False).run()
    assert len(paper.bars) >= 200  # a whole day of minutes (the last one may end the replay unfinished)
    assert paper.bars == backtest.bars[: len(paper.bars)]
    assert [b.time for b in expected_bars[: len(paper.bars)]] == [t for t, *_ in paper.bars]
    assert len(paper.placed) >= 5
    assert paper.placed == backtest.placed
