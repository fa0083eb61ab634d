"""Daily bars in backtests: labelled 15:00 or by date only, orders fill on the next bar by the fill model."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import Recorder, write_bars

CODE = "600000.SH"
MON, TUE, WED, THU, FRI = (dt.date(2026, 3, d) for d in (9, 10, 11, 12, 13))


def close_of(day):
    return dt.datetime.combine(day, dt.time(15, 0))


def daily_rows(label):
    """Five daily bars; ``label(day)`` is the datetime text of each row."""
    prices = [(MON, 10.00, 10.20, 9.90, 10.10), (TUE, 10.05, 10.30, 10.00, 10.25),
              (WED, 10.30, 10.50, 10.20, 10.40), (THU, 10.35, 10.45, 10.10, 10.20),
              (FRI, 10.15, 10.30, 10.05, 10.25)]
    return [(label(day), o, h, lo, c, 1_000_000) for day, o, h, lo, c in prices]


def round_trip(ctx_log):
    """Buy 1000 on Monday's bar, sell everything sellable on Wednesday's bar (limit orders at the close)."""

    def buy(ctx):
        ctx_log.append(("buy", ctx.now, ctx.buy(CODE, 1000, price=10.30)))

    def sell(ctx):
        position = ctx.position(CODE)
        ctx_log.append(("sell", ctx.now, ctx.sell(CODE, position.can_use_volume, price=10.00)))

    return Recorder({close_of(MON): buy, close_of(WED): sell})


@pytest.mark.parametrize("label", [lambda d: d.isoformat(), lambda d: f"{d.isoformat()} 15:00:00"],
                         ids=["date-only", "15:00"])
def test_daily_orders_fill_at_the_next_bars_open(tmp_path, backtest, label):
    bars = write_bars(tmp_path / "daily.csv", daily_rows(label))
    placed = []
    rec = round_trip(placed)
    summary = backtest(plugins=(("rec", rec),), bars=bars, code=CODE, period="1d").run()
    assert [b.time for b in rec.bars] == [close_of(d) for d in (MON, TUE, WED, THU, FRI)]
    assert all(order is not None for _, _, order in placed)
    assert rec.errors == []
    # hand-computed: the buy placed on Monday fills at Tuesday's open 10.05 (within its limit 10.30);
    # the sell placed on Wednesday (T+1 passed) fills at Thursday's open 10.35 (above its limit 10.00)
    assert [(f.side.value, str(f.price), f.volume, f.time) for f in rec.fills] == [
        ("buy", "10.05", 1000, close_of(TUE)), ("sell", "10.35", 1000, close_of(THU))]
    assert summary.orders == 2 and summary.fills == 2


def test_daily_orders_fill_at_the_next_bars_close_with_the_close_model(tmp_path, backtest):
    bars = write_bars(tmp_path / "daily.csv", daily_rows(lambda d: d.isoformat()))
    rec = round_trip([])
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE, period="1d", fill_rule="close").run()
    # Tuesday's close 10.25 <= the buy limit 10.30; Thursday's close 10.20 >= the sell limit 10.00
    assert [(f.side.value, str(f.price), f.volume, f.time) for f in rec.fills] == [
        ("buy", "10.25", 1000, close_of(TUE)), ("sell", "10.20", 1000, close_of(THU))]


def test_a_limit_the_next_bar_never_reaches_expires_at_that_days_end(tmp_path, backtest):
    bars = write_bars(tmp_path / "daily.csv", daily_rows(lambda d: d.isoformat()))
    orders = []
    rec = Recorder({close_of(MON): lambda ctx: orders.append(ctx.buy(CODE, 1000, price=9.95))})
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE, period="1d").run()
    assert rec.fills == []  # Tuesday's low is 10.00
    statuses = [status for cid, _, status in rec.orders if cid == orders[0].client_order_id]
    assert statuses[-1] == "CANCELED"  # expired by the counter at Wednesday's roll, not before Tuesday's bar


def test_the_last_minute_bar_of_a_day_carries_its_orders_to_the_next_open(tmp_path, backtest):
    rows = [(f"{TUE} 14:59:00", 10.0, 10.0, 10.0, 10.0, 5000), (f"{TUE} 15:00:00", 10.0, 10.0, 10.0, 10.0, 5000),
            (f"{WED} 09:31:00", 9.90, 9.95, 9.85, 9.92, 5000)]
    bars = write_bars(tmp_path / "bars.csv", rows)
    rec = Recorder({close_of(TUE): lambda ctx: ctx.buy(CODE, 100, price=10.0)})
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE).run()
    assert rec.errors == []
    assert [(str(f.price), f.volume, f.time) for f in rec.fills] == [
        ("9.90", 100, dt.datetime.combine(WED, dt.time(9, 31)))]


def test_a_tick_only_strategy_is_a_start_up_error_in_a_backtest(tmp_path):
    from engine.config import ConfigError, load_config
    from engine.core import Engine

    bars = write_bars(tmp_path / "daily.csv", daily_rows(lambda d: d.isoformat()))
    config = tmp_path / "config.yaml"
    config.write_text(f"""mode: backtest
account_id: BT0001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db}}
backtest: {{bars: {bars}, code: {CODE}, period: 1d}}
strategies:
  - {{name: dips, path: {(tmp_path / 'dips.py').as_posix()}}}
""", encoding="utf-8")
    (tmp_path / "dips.py").write_text("from engine import hookimpl\n\n\n@hookimpl\ndef on_tick(ctx, tick):\n    pass\n",
                                      encoding="utf-8")
    with pytest.raises(ConfigError, match="dips implement on_tick only; a backtest feeds bars"):
        Engine(load_config(config, environ={}), load_entrypoints=False)
