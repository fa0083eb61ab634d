"""The bar reader (benchmark format) and the instruments file."""

from __future__ import annotations

import datetime as dt
import gzip
import inspect

import pytest

from engine.marketdata import bars as bars_module
from engine.marketdata import iter_bars_csv, load_instruments, write_bars_csv, write_instruments
from engine.marketdata.formats import DataFileError
from engine.models import Bar

from .helpers import LineCountingFile

BAR_HEADER = "datetime,open,high,low,close,volume"
BAR_ROWS = ["2005-01-04 09:31:00,10.00,10.02,9.99,10.01,43500",
            "2005-01-04 09:32:00,10.01,10.01,9.98,9.98,100",
            "2005-01-04 09:33:00,9.98,10.03,9.98,10.03,0"]


def write_bars(path, rows, header=BAR_HEADER):
    text = "\n".join([header, *rows]) + "\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_bars_are_read_as_engine_bars(tmp_path):
    bars = list(iter_bars_csv(write_bars(tmp_path / "bars.csv", BAR_ROWS), "600000.SH"))
    assert bars[0] == Bar("600000.SH", dt.datetime(2005, 1, 4, 9, 31), 10.0, 10.02, 9.99, 10.01, 43500)
    assert [b.close for b in bars] == [10.01, 9.98, 10.03] and bars[2].volume == 0
    assert all(b.period == "1m" and b.code == "600000.SH" for b in bars)


def test_bars_gzip_and_period(tmp_path):
    bars = list(iter_bars_csv(write_bars(tmp_path / "bars.csv.gz", BAR_ROWS), "X.SH", period="5m"))
    assert len(bars) == 3 and bars[1].period == "5m"


def test_bar_file_round_trip(tmp_path):
    bars = list(iter_bars_csv(write_bars(tmp_path / "bars.csv", BAR_ROWS), "600000.SH"))
    assert write_bars_csv(tmp_path / "copy.csv.gz", bars) == 3
    assert list(iter_bars_csv(tmp_path / "copy.csv.gz", "600000.SH")) == bars


def test_bar_reader_streams(tmp_path, monkeypatch):
    rows = [f"2005-01-{4 + i // 240:02d} {9 + (i % 240) // 60:02d}:{i % 60:02d}:00,10,10.1,9.9,10,100"
            for i in range(2400)]
    path = write_bars(tmp_path / "bars.csv", rows)
    opened = []
    real_open = bars_module.open_text_read

    def counting_open(p):
        opened.append(LineCountingFile(real_open(p)))
        return opened[-1]

    monkeypatch.setattr(bars_module, "open_text_read", counting_open)
    bars = iter_bars_csv(path, "600000.SH")
    assert inspect.isgenerator(bars) and opened == []
    next(bars)
    assert opened[0].lines_read == 2  # the header and one row, not the file
    bars.close()


def test_first_bars_served_before_a_bad_tail(tmp_path):
    bars = iter_bars_csv(write_bars(tmp_path / "bars.csv", [*BAR_ROWS, "garbage"]), "600000.SH")
    assert [b.volume for b in (next(bars), next(bars), next(bars))] == [43500, 100, 0]
    with pytest.raises(DataFileError, match="line 5"):
        next(bars)


@pytest.mark.parametrize(("row", "column", "expected", "got"), [
    ("2005-01-04 9h31,10,10,10,10,1", "datetime", "a local time YYYY-MM-DD HH:MM:SS", "2005-01-04 9h31"),
    ("2005-01-04 09:34:00+08:00,10,10,10,10,1", "datetime", "a local time without a UTC offset",
     "2005-01-04 09:34:00+08:00"),
    ("2005-01-04 09:33:00,10,10,10,10,1", "datetime",
     "times strictly increasing: a time after 2005-01-04 09:33:00 (the previous row)", "2005-01-04 09:33:00"),
    ("2005-01-04 09:34:00,ten,10,10,10,1", "open", "a price in CNY", "ten"),
    ("2005-01-04 09:34:00,10,10,-1,10,1", "low", "a positive finite price", "-1"),
    ("2005-01-04 09:34:00,10,inf,10,10,1", "high", "a positive finite price", "inf"),
    ("2005-01-04 09:34:00,10,10,10,nan,1", "close", "a positive finite price", "nan"),
    ("2005-01-04 09:34:00,10,10,10,10,1.5", "volume", "an integer number of shares", "1.5"),
    ("2005-01-04 09:34:00,10,10,10,10,-100", "volume", "a non-negative number of shares", "-100"),
    ("2005-01-04 09:34:00,10.2,10.1,10,10,1", "high", "a high at or above open 10.2", "10.1"),
    ("2005-01-04 09:34:00,10,10.1,10.05,10.1,1", "low", "a low at or below open and close", "10.05"),
])
def test_bad_bar_rows_name_file_line_and_column(tmp_path, row, column, expected, got):
    path = write_bars(tmp_path / "bars.csv", [*BAR_ROWS, row])
    with pytest.raises(DataFileError) as info:
        list(iter_bars_csv(path, "600000.SH"))
    assert str(info.value) == f"{path}, line 5, column {column!r}: expected {expected}, got {got!r}"


def test_bar_row_with_missing_fields(tmp_path):
    path = write_bars(tmp_path / "bars.csv", ["2005-01-04 09:31:00,10,10,10,10"])
    with pytest.raises(DataFileError) as info:
        list(iter_bars_csv(path, "600000.SH"))
    assert str(info.value) == f"{path}, line 2: expected 6 fields as in the header, got '5 fields'"


def test_bar_header_is_checked(tmp_path):
    path = write_bars(tmp_path / "bars.csv", BAR_ROWS, header="time,open,high,low,close,volume")
    with pytest.raises(DataFileError, match=r"line 1, column 'time': expected one of the known columns datetime"):
        list(iter_bars_csv(path, "600000.SH"))


# --- instruments -----------------------------------------------------------------------------------

INSTRUMENTS = """code,name,kind,listing_date,is_st,t0
600000.SH,SYN Shanghai Bank,stock,1999-11-10,0,0
600666.SH,ST SYN Holdings,stock,2001-03-08,1,0
511990.SH,SYN Money ETF,etf,2013-01-28,0,1
"""


def test_instruments_are_typed(tmp_path):
    (tmp_path / "instruments.csv").write_text(INSTRUMENTS, encoding="utf-8")
    items = load_instruments(tmp_path)  # a directory means its instruments.csv
    assert items[0] == {"code": "600000.SH", "name": "SYN Shanghai Bank", "kind": "stock",
                        "listing_date": dt.date(1999, 11, 10), "is_st": False, "t0": False}
    assert [(i["code"], i["is_st"], i["t0"]) for i in items[1:]] == [("600666.SH", True, False),
                                                                     ("511990.SH", False, True)]


def test_instruments_round_trip(tmp_path):
    (tmp_path / "a.csv").write_text(INSTRUMENTS, encoding="utf-8")
    items = load_instruments(tmp_path / "a.csv")
    write_instruments(tmp_path / "b.csv", items)
    assert (tmp_path / "b.csv").read_text(encoding="utf-8") == INSTRUMENTS


@pytest.mark.parametrize(("row", "column", "expected", "got"), [
    ("600000,X,stock,1999-11-10,0,0", "code", "a code of six digits and .SH, .SZ or .BJ", "600000"),
    ("600001.SH,,stock,1999-11-10,0,0", "name", "a non-empty name", ""),
    ("600001.SH,X,share,1999-11-10,0,0", "kind", "one of bond|etf|index|lof|stock", "share"),
    ("600001.SH,X,stock,1999/11/10,0,0", "listing_date", "a date YYYY-MM-DD", "1999/11/10"),
    ("600001.SH,X,stock,19991110,0,0", "listing_date", "a date YYYY-MM-DD", "19991110"),
    ("600001.SH,X,stock,1999-11-10,yes,0", "is_st", "0 or 1", "yes"),
    ("600001.SH,X,stock,1999-11-10,0,2", "t0", "0 or 1", "2"),
    ("600000.SH,X,stock,1999-11-10,0,0", "code", "each code once (already on line 2)", "600000.SH"),
])
def test_bad_instrument_rows(tmp_path, row, column, expected, got):
    path = tmp_path / "instruments.csv"
    path.write_text(INSTRUMENTS + row + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_instruments(path)
    assert str(info.value) == f"{path}, line 5, column {column!r}: expected {expected}, got {got!r}"


def test_instrument_file_problems(tmp_path):
    with pytest.raises(DataFileError, match="instruments.csv: expected an existing instruments file"):
        load_instruments(tmp_path)
    path = tmp_path / "instruments.csv"
    path.write_text("code,name,kind,listing_date,is_st\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 1, column 't0': expected this column in the header"):
        load_instruments(path)
    path.write_text(INSTRUMENTS + "600001.SH,X,stock\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="line 5: expected 6 fields as in the header, got '3 fields'"):
        load_instruments(path)
