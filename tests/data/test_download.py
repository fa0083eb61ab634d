"""``HistoryDownload`` through the real xtdata functions: full, incremental, interrupted and resumed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from engine.datastore import StoreLayout, held_range, iter_bars, read_dividends, read_instruments
from engine.xt.history import HistoryDownload, missing_ranges
from tests.contract.doubles.history_server import daily_record

from .conftest import daily_history

CODES = ["600000.SH", "000001.SZ", "300750.SZ", "688981.SH"]
FIRST = dt.date(2026, 1, 5)


def serve(server, codes=CODES, days=40):
    for i, code in enumerate(codes):
        server.add(code, "1d", daily_history(code, FIRST, days, 10.0 + i))


def test_missing_ranges():
    d = dt.date
    assert missing_ranges(None, d(2026, 1, 1), d(2026, 2, 1)) == [(d(2026, 1, 1), d(2026, 2, 1))]
    assert missing_ranges((d(2026, 1, 10), d(2026, 1, 20)), d(2026, 1, 1), d(2026, 2, 1)) == [
        (d(2026, 1, 1), d(2026, 1, 9)), (d(2026, 1, 21), d(2026, 2, 1))]
    assert missing_ranges((d(2026, 1, 1), d(2026, 2, 1)), d(2026, 1, 5), d(2026, 1, 20)) == []


def test_a_full_download_stores_every_bar_in_shares_at_15_00(tmp_path, history):
    xtdata, server = history
    serve(server)
    server.dividends["600000.SH"] = {"20260115": {"time": daily_record(dt.date(2026, 1, 15), 1, 1, 1, 1, 1)["time"],
                                                  "interest": 0.25, "stockBonus": 0.0, "stockGift": 0.3,
                                                  "allotNum": 0.0, "allotPrice": 0.0, "gugai": 0, "dr": 1.32}}
    done = []
    report = HistoryDownload(xtdata, tmp_path, today=dt.date(2026, 3, 10)).run(
        CODES, "1d", FIRST, dt.date(2026, 3, 10), on_code=lambda code, n, total: done.append((code, n, total)))
    assert report.total_rows == 4 * 40 and done[-1] == ("688981.SH", 4, 4)
    bars = list(iter_bars(tmp_path, "1d", "600000.SH"))
    assert len(bars) == 40 and bars[0].time == dt.datetime(2026, 1, 5, 15, 0)
    first = server.records[("600000.SH", "1d")][0]
    assert (bars[0].open, bars[0].close, bars[0].volume) == (first["open"], first["close"], first["volume"] * 100)
    assert read_dividends(tmp_path, "600000.SH") == [{
        "ex_date": dt.date(2026, 1, 15), "cash": 0.25, "bonus_shares": 0.0, "transfer_shares": 0.3,
        "allot_shares": 0.0, "allot_price": 0.0, "factor": 1.32}]
    assert {row["code"] for row in read_instruments(tmp_path)} == set(CODES)
    assert [c[1] for c in server.downloads()] == CODES


def test_a_second_download_fetches_only_the_missing_days(tmp_path, history):
    xtdata, server = history
    serve(server, CODES[:2], days=60)
    HistoryDownload(xtdata, tmp_path, today=dt.date(2026, 3, 10)).run(CODES[:2], "1d", FIRST, dt.date(2026, 2, 6))
    assert held_range(tmp_path, "1d", "600000.SH")[1] == dt.datetime(2026, 2, 6, 15, 0)
    server.calls.clear()
    report = HistoryDownload(xtdata, tmp_path, today=dt.date(2026, 3, 10)).run(CODES[:2], "1d", FIRST, dt.date(2026, 3, 10))
    assert [(c[1], c[3], c[4]) for c in server.downloads()] == [
        ("600000.SH", "20260207000000", "20260310150000"), ("000001.SZ", "20260207000000", "20260310150000")]
    # weekdays 2026-01-05 .. 03-10: 47, of which 25 up to 02-06
    assert held_range(tmp_path, "1d", "600000.SH")[2] == 47 and report.rows["600000.SH"] == 22
    server.calls.clear()
    again = HistoryDownload(xtdata, tmp_path, today=dt.date(2026, 3, 10)).run(CODES[:2], "1d", FIRST, dt.date(2026, 3, 10))
    assert server.downloads() == [] and again.skipped == CODES[:2]


def test_an_interrupted_download_resumes_at_the_code_it_had_not_finished(tmp_path, history):
    xtdata, server = history
    serve(server)
    server.fail_on = "300750.SZ"
    with pytest.raises(Exception, match="下载数据失败"):
        HistoryDownload(xtdata, tmp_path, today=dt.date(2026, 3, 10)).run(CODES, "1d", FIRST, dt.date(2026, 3, 10))
    state = json.loads(StoreLayout(tmp_path).state("1d").read_text(encoding="utf-8"))
    assert sorted(state["covered"]) == ["000001.SZ", "600000.SH"]
    server.calls.clear()
    report = HistoryDownload(xtdata, tmp_path, today=dt.date(2026, 3, 10)).run(CODES, "1d", FIRST, dt.date(2026, 3, 10))
    assert [c[1] for c in server.downloads()] == ["300750.SZ", "688981.SH"]
    assert report.skipped == ["600000.SH", "000001.SZ"]
    assert all(held_range(tmp_path, "1d", code)[2] == 40 for code in CODES)


def test_a_sector_names_its_codes(tmp_path, history):
    xtdata, server = history
    server.sectors["沪深A股"] = ["600000.SH", "000001.SZ"]
    assert HistoryDownload(xtdata, tmp_path).sector_codes("沪深A股") == ["000001.SZ", "600000.SH"]
