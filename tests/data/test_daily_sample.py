"""The bundled daily sample is what its generator writes, and holds what the docs promise."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq

from engine.calendar import TradingCalendar
from engine.datastore import DAILY_SAMPLE_DIR, StoreLayout, read_bars, read_dividends, read_instruments
from engine.datastore.check import check_store
from engine.marketdata.daily_sample import SAMPLE_CODES, write_daily_sample


def test_the_bundled_files_are_the_generators_output(tmp_path):
    write_daily_sample(tmp_path)
    bundled, fresh = StoreLayout(DAILY_SAMPLE_DIR), StoreLayout(tmp_path)
    assert bundled.bar_codes("1d") == fresh.bar_codes("1d") == sorted(SAMPLE_CODES)
    for code in SAMPLE_CODES:
        assert pq.read_table(bundled.bars("1d", code)).equals(pq.read_table(fresh.bars("1d", code))), code
        assert read_dividends(DAILY_SAMPLE_DIR, code) == read_dividends(tmp_path, code), code
    assert read_instruments(DAILY_SAMPLE_DIR) == read_instruments(tmp_path)


def test_the_sample_has_locked_days_st_names_a_suspension_dividends_and_a_bonus_issue():
    bars = read_bars(DAILY_SAMPLE_DIR, "1d")
    assert bars.num_rows == 40 * len(TradingCalendar().trading_days(bars["time"][0].as_py().date(),
                                                                      bars["time"][-1].as_py().date()))
    one_price = pc.and_(pc.equal(bars["high"], bars["low"]), pc.invert(bars["suspended"]))
    locked_up = pc.and_(one_price, pc.greater(bars["close"], bars["pre_close"]))
    locked_down = pc.and_(one_price, pc.less(bars["close"], bars["pre_close"]))
    assert pc.sum(locked_up).as_py() >= 20 and pc.sum(locked_down).as_py() >= 5
    assert pc.sum(bars["suspended"]).as_py() == 5
    assert sum(row["is_st"] for row in read_instruments(DAILY_SAMPLE_DIR)) == 4
    events = [row for code in SAMPLE_CODES for row in read_dividends(DAILY_SAMPLE_DIR, code)]
    assert sum(1 for row in events if row["cash"] > 0) >= 20
    assert [row["transfer_shares"] for row in events if row["transfer_shares"]] == [1.0]


def test_the_sample_passes_data_check():
    results = list(check_store(DAILY_SAMPLE_DIR, TradingCalendar()))
    assert len(results) == 40
    assert all(problems == [] and gaps == [] for _, _, problems, gaps in results)
