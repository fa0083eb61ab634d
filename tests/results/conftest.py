"""Backtests on generated minute bars (a seeded random walk over several weeks), run through the real engine."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from pathlib import Path

import pytest

from engine.config import load_config
from engine.core import Engine

CODES = ("600000.SH", "000001.SZ")
START = dt.date(2026, 1, 5)  # a Monday


def trading_minutes(day: dt.date) -> list[dt.datetime]:
    """Bar END times of one A-share day: 09:31-11:30 and 13:01-15:00."""
    out = []
    for start, count in ((dt.datetime.combine(day, dt.time(9, 31)), 120), (dt.datetime.combine(day, dt.time(13, 1)), 120)):
        out.extend(start + dt.timedelta(minutes=i) for i in range(count))
    return out


def weekdays(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def write_walk(path: Path, days: list[dt.date], start_price: float, seed: int, every: int = 5) -> Path:
    """One bar every ``every`` minutes, a seeded random walk on the 0.01 grid, inside the daily limits."""
    rng = random.Random(seed)
    price = start_price
    lines = ["datetime,open,high,low,close,volume"]
    for day in days:
        pre_close = price
        for when in trading_minutes(day)[every - 1::every]:
            open_ = price
            price = round(min(max(price * (1 + rng.gauss(0.0002, 0.004)), pre_close * 0.91), pre_close * 1.09), 2)
            high, low = max(open_, price) + 0.01, max(min(open_, price) - 0.01, 0.01)
            lines.append(f"{when:%Y-%m-%d %H:%M:%S},{open_:.2f},{high:.2f},{low:.2f},{price:.2f},{rng.randint(50, 300) * 1000}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_index(path: Path, days: list[dt.date], seed: int = 7) -> Path:
    """A benchmark file (date, close) starting the trading day before ``days``."""
    rng = random.Random(seed)
    close = 4000.0
    rows = ["date,close", f"{days[0] - dt.timedelta(days=3):%Y-%m-%d},{close:.2f}"]
    for day in days:
        close *= 1 + rng.gauss(0.0003, 0.009)
        rows.append(f"{day:%Y-%m-%d},{close:.2f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


#: the shipped example strategy (README "Results and reports")
STRATEGY = (Path(__file__).resolve().parents[2] / "strategies" / "swing.py").read_text(encoding="utf-8")

CONFIG = """
mode: backtest
account_id: BT0001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db}}
backtest:
  bars: bars
  calendar: weekdays
  fill_rule: close
  initial_cash: 1000000
plugins: {{load_entrypoints: false, disabled: [console]}}
trading_day: {{report_files: false}}
results:
  benchmark: {{file: index.csv, name: CSI 300 (synthetic)}}
  report_dir: reports
strategies:
  - {{name: swing_a, path: swing.py, class: Swing, params: {{dip: 0.003, rise: 0.004, lots: {lots}}}}}
"""


@pytest.fixture
def backtest_folder(tmp_path):
    """``build(days=20, lots=20, second=True)`` -> the folder of a backtest config.yaml with data and strategy."""

    def build(days: int = 20, lots: int = 20, second: bool = True) -> Path:
        folder = tmp_path
        (folder / "bars").mkdir(exist_ok=True)
        run_days = weekdays(START, days)
        for i, code in enumerate(CODES):
            write_walk(folder / "bars" / f"{code}.csv", run_days, 10.0 + 5 * i, seed=11 + i)
        write_index(folder / "index.csv", run_days)
        (folder / "swing.py").write_text(textwrap.dedent(STRATEGY), encoding="utf-8")
        text = CONFIG.format(lots=lots)
        if second:
            text += "  - {name: swing_b, path: swing.py, class: Swing, params: {dip: 0.002, rise: 0.006, lots: 10}}\n"
        (folder / "config.yaml").write_text(text, encoding="utf-8")
        return folder

    return build


def run_engine(folder: Path):
    config = load_config(folder / "config.yaml", environ={})
    engine = Engine(config, load_entrypoints=False)
    return engine.run()
