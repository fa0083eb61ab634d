"""Paper mode applies the store's corporate actions on their ex-dates, as store backtests do
(``paper.corporate_actions_store``): cash dividends to cash, bonus shares to the position (sellable from the
next trading day), the cost spread over the new volume."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from engine import hookimpl
from engine.config import ConfigError
from engine.config.models import EngineConfig
from engine.core import Engine
from engine.datastore import DIVIDEND_SCHEMA, write_dividends
from engine.marketdata import SAMPLE_DIR

CODE = "600000.SH"
EX_DATE = dt.date(2026, 3, 10)  # the sample's second day (ticks of 03-09, 03-10, 03-11)


class DailyLook:
    """The position and cash at the first tick of each day."""

    def __init__(self):
        self.days: dict[dt.date, tuple] = {}

    @hookimpl
    def on_tick(self, ctx, tick):
        day = ctx.now.date()
        if tick.code == CODE and day not in self.days:
            position = ctx.position(CODE)
            self.days[day] = (position.volume, position.can_use_volume, position.avg_price, ctx.account.cash)


def config(tmp_path, store):
    return EngineConfig.model_validate({
        "mode": "paper", "account_id": "CA0001", "logging": {"file": None},
        "audit": {"path": str(tmp_path / "audit.db")}, "engine": {"control_path": str(tmp_path / "control.db")},
        "paper": {"data": str(SAMPLE_DIR), "codes": [CODE], "initial_cash": "100000",
                  "positions": [{"code": CODE, "volume": 1000, "avg_price": "9.10"}],
                  "corporate_actions_store": str(store)},
        "plugins": {"load_entrypoints": False, "disabled": ["console", "trading_day"]},
    })


def test_a_dividend_and_bonus_shares_reach_the_paper_account_on_the_ex_date(tmp_path):
    store = tmp_path / "store"
    # 0.30 CNY cash and 3 bonus shares per 10 shares
    write_dividends(store, CODE, pa.Table.from_pylist([{
        "ex_date": EX_DATE, "cash": 0.3, "bonus_shares": 0.3, "transfer_shares": 0.0, "allot_shares": 0.0,
        "allot_price": 0.0, "factor": 0.0}], schema=DIVIDEND_SCHEMA))
    look = DailyLook()
    Engine(config(tmp_path, store), extra_plugins=(("look", look),), load_entrypoints=False).run()
    before, ex_day, after = (look.days[d] for d in sorted(look.days))
    assert before == (1000, 1000, Decimal("9.10"), Decimal("100000.00"))
    volume, sellable, avg_price, cash = ex_day
    assert (volume, sellable) == (1300, 1000)  # the new shares are sellable from the next trading day
    assert round(float(avg_price), 4) == round(9100 / 1300, 4)
    assert cash == Decimal("100300.00")
    assert after[:2] == (1300, 1300)


def test_a_missing_store_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="paper.corporate_actions_store: .*nowhere is not a folder"):
        Engine(config(tmp_path, tmp_path / "nowhere"), load_entrypoints=False)


def test_a_persisted_paper_account_gets_the_ex_dates_passed_while_the_engine_was_stopped(tmp_path):
    store = tmp_path / "store"
    write_dividends(store, CODE, pa.Table.from_pylist([{
        "ex_date": EX_DATE, "cash": 0.3, "bonus_shares": 0.3, "transfer_shares": 0.0, "allot_shares": 0.0,
        "allot_price": 0.0, "factor": 0.0}], schema=DIVIDEND_SCHEMA))

    def run_day(day: str) -> DailyLook:
        settings = config(tmp_path, store).model_dump(mode="python")
        settings["paper"].update(data=str(SAMPLE_DIR / f"ticks-{day}.csv.gz"),
                                 instruments=str(SAMPLE_DIR / "instruments.csv"),
                                 account_db=str(tmp_path / "paper-account.db"))
        look = DailyLook()
        Engine(EngineConfig.model_validate(settings), extra_plugins=(("look", look),), load_entrypoints=False).run()
        return look

    first = run_day("2026-03-09")  # the engine stops before the ex-date
    assert first.days[dt.date(2026, 3, 9)][:2] == (1000, 1000)
    later = run_day("2026-03-11")  # reopened two trading days on: the 03-10 ex-date is applied at the roll
    volume, _sellable, _avg, cash = later.days[dt.date(2026, 3, 11)]
    assert volume == 1300 and cash == Decimal("100300.00")
