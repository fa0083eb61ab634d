"""``qmt-engine data import|list|show|check|download``."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from engine.cli import app
from engine.datastore import BAR_SCHEMA, StoreLayout, held_range, iter_bars, write_bars

from .conftest import daily_history

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output.replace("\n", "")  # rich wraps long lines at spaces


def test_import_reads_tushare_columns_in_gbk_with_volumes_in_lots(tmp_path):
    path = tmp_path / "daily.csv"
    path.write_bytes("ts_code,trade_date,open,high,low,close,vol,amount,名称\n"
                     "600000.SH,20260310,10.1,10.3,10.0,10.2,1234,125000,浦发银行\n"
                     "600000.SH,20260309,10.0,10.2,9.9,10.1,1000,101000,浦发银行\n"
                     "000001.SZ,20260309,12.0,12.2,11.9,12.1,500,60500,平安银行\n".encode("gbk"))
    code, output = invoke("data", "import", path, "--volume-unit", "lots", "--store", tmp_path / "store")
    assert code == 0, output
    assert "(gbk)" in output and "600000.SH 2" in output
    bars = list(iter_bars(tmp_path / "store", "1d", "600000.SH"))
    assert [(b.time, b.close, b.volume) for b in bars] == [(dt.datetime(2026, 3, 9, 15), 10.1, 100_000),
                                                           (dt.datetime(2026, 3, 10, 15), 10.2, 123_400)]


def test_import_takes_the_code_from_the_file_name_and_reads_chinese_headers(tmp_path):
    path = tmp_path / "300750.SZ.csv"
    path.write_text("\ufeff日期,开盘,最高,最低,收盘,成交量\n2026-03-09,200,205,198,204,10000\n", encoding="utf-8")
    code, output = invoke("data", "import", path, "--store", tmp_path / "store")
    assert code == 0, output
    assert held_range(tmp_path / "store", "1d", "300750.SZ")[2] == 1


def test_import_names_the_bad_line(tmp_path):
    path = tmp_path / "600000.SH.csv"
    path.write_text("date,open,high,low,close,volume\n2026-03-09,10,10.5,9.9,10.2,100\n"
                    "2026-03-10,10,9.5,9.9,10.2,100\n", encoding="utf-8")
    code, output = invoke("data", "import", path, "--store", tmp_path / "store")
    assert code == 1 and "600000.SH.csv:3: low/high" in output
    assert not StoreLayout(tmp_path / "store").bars("1d", "600000.SH").exists()


def write_big_file_with_a_bad_row(root, bad_row=9001, rows=12_000):
    start = dt.datetime(2020, 1, 1, 9, 31)
    times = [start + dt.timedelta(minutes=i) for i in range(rows)]
    highs = [10.5] * rows
    highs[bad_row - 1] = 9.0  # below the open: row 9001 is bad
    table = pa.table({"time": times, "open": [10.0] * rows, "high": highs, "low": [9.5] * rows,
                      "close": [10.2] * rows, "volume": [100] * rows, "amount": [0.0] * rows,
                      "pre_close": [0.0] * rows, "suspended": [False] * rows}, schema=BAR_SCHEMA)
    path = StoreLayout(root).bars("1m", "600000.SH")
    path.parent.mkdir(parents=True)
    pq.write_table(table, path, row_group_size=4096)
    return path


def test_check_finds_a_bad_row_deep_in_a_file(tmp_path):
    path = write_big_file_with_a_bad_row(tmp_path)
    code, output = invoke("data", "check", "--store", tmp_path)
    assert code == 1
    assert f"{path}:9001: high: expected a high at or above open 10.0, got 9.0" in output


def test_check_reports_gaps_against_the_trading_calendar(tmp_path):
    bars = [{"time": dt.datetime(2026, 3, d, 15), "open": 10, "high": 10, "low": 10, "close": 10, "volume": 1}
            for d in (2, 3, 4, 9, 10)]  # 5th and 6th missing (trading days), 7th/8th a weekend
    from engine.datastore import bar_table

    write_bars(tmp_path, "1d", "600000.SH", bar_table(bars))
    code, output = invoke("data", "check", "--store", tmp_path)
    assert code == 0
    assert "600000.SH 1d: no bars on 2 trading day(s) 2026-03-05 .. 2026-03-06" in output
    code, output = invoke("data", "list", "--store", tmp_path)
    assert code == 0 and "1d" in output and "5" in output
    code, output = invoke("data", "show", "600000.SH", "--store", tmp_path)
    assert code == 0 and "2026-03-10 15:00:00" in output


def test_download_through_the_cli(tmp_path, history):
    _, server = history
    server.add("600000.SH", "1d", daily_history("600000.SH", dt.date(2026, 1, 5), 20))
    server.sectors["沪深A股"] = ["600000.SH"]
    code, output = invoke("data", "download", "--sector", "沪深A股", "--start", "2026-01-01", "--end", "2026-03-06",
                          "--store", tmp_path)
    assert code == 0, output
    assert "20 row(s) written" in output
    code, output = invoke("data", "download", "--codes", "600000.SH", "--start", "2026-01-01", "--end", "2026-03-06",
                          "--store", tmp_path)
    assert code == 0 and "0 row(s) written, 1 already held" in output
