"""Tick files: reading, batching, filters, streaming and every error message."""

from __future__ import annotations

import datetime as dt
import gzip
import inspect

import pytest

from engine.marketdata import replay
from engine.marketdata.formats import DataFileError, local_to_epoch_ms
from engine.marketdata.replay import iter_tick_batches, iter_tick_records

from .helpers import HEADER, LineCountingFile, tick_line, write_tick_file

T1, T2, T3 = "2026-03-09 09:30:10", "2026-03-09 09:30:20", "2026-03-09 09:30:30"


def three_batches(path):
    return write_tick_file(path, [
        tick_line(T1, "000001.SZ", lastPrice="11.2"), tick_line(T1, "600000.SH"),
        tick_line(T2, "600000.SH", lastPrice="10.06"),
        tick_line(T3, "000001.SZ", lastPrice="11.21"), tick_line(T3, "510300.SH", lastPrice="3.912"),
        tick_line(T3, "600000.SH", lastPrice="10.07"),
    ])


def test_row_becomes_xtdata_dict(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line()])
    [(when, batch)] = list(iter_tick_batches(path))
    assert when == dt.datetime(2026, 3, 9, 9, 30, 10)
    record = batch["600000.SH"]
    assert record == {
        "time": 1773019810000, "lastPrice": 10.05, "open": 10.01, "high": 10.08, "low": 10.0,
        "lastClose": 10.02, "amount": 1005000.5, "volume": 1000, "pvolume": 100000,
        "transactionNum": 120, "stockStatus": 13,
        "askPrice": [10.06, 10.07, 10.08, 0.0, 0.0], "askVol": [11, 12, 13, 0, 0],
        "bidPrice": [10.05, 10.04, 10.03, 10.02, 10.01], "bidVol": [21, 22, 23, 24, 25],
    }
    assert isinstance(record["volume"], int) and isinstance(record["lastPrice"], float)


def test_time_is_ms_epoch_of_shanghai_local_time(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line("2024-12-02 13:55:54.250")])
    [(when, batch)] = list(iter_tick_batches(path))
    assert when == dt.datetime(2024, 12, 2, 13, 55, 54, 250000)
    assert batch["600000.SH"]["time"] == 1733118954250  # the SDK docstring's example instant + 250 ms


def test_batches_group_rows_by_timestamp_in_order(tmp_path):
    batches = list(iter_tick_batches(three_batches(tmp_path / "ticks.csv")))
    assert [when.strftime("%H:%M:%S") for when, _ in batches] == ["09:30:10", "09:30:20", "09:30:30"]
    assert [sorted(batch) for _, batch in batches] == [
        ["000001.SZ", "600000.SH"], ["600000.SH"], ["000001.SZ", "510300.SH", "600000.SH"]]
    assert batches[2][1]["510300.SH"]["lastPrice"] == 3.912
    for when, batch in batches:
        assert all(record["time"] == local_to_epoch_ms(when) for record in batch.values())


def test_gzip_file_reads_the_same_as_plain(tmp_path):
    plain = list(iter_tick_batches(three_batches(tmp_path / "ticks.csv")))
    packed = tmp_path / "ticks.csv.gz"
    packed.write_bytes(gzip.compress((tmp_path / "ticks.csv").read_bytes()))
    assert list(iter_tick_batches(packed)) == plain


def test_code_filter_drops_other_codes_and_empty_batches(tmp_path):
    path = three_batches(tmp_path / "ticks.csv")
    batches = list(iter_tick_batches(path, codes=["000001.SZ"]))
    assert [(when.second, sorted(batch)) for when, batch in batches] == [(10, ["000001.SZ"]), (30, ["000001.SZ"])]
    assert [sorted(b) for _, b in iter_tick_batches(path, codes="510300.SH")] == [["510300.SH"]]
    assert list(iter_tick_batches(path, codes=[])) == []


def test_start_and_end_are_inclusive(tmp_path):
    path = three_batches(tmp_path / "ticks.csv")
    times = [when.second for when, _ in iter_tick_batches(path, start=dt.datetime(2026, 3, 9, 9, 30, 20),
                                                          end="2026-03-09 09:30:20")]
    assert times == [20]
    assert [w.second for w, _ in iter_tick_batches(path, start="2026-03-09 09:30:15")] == [20, 30]
    assert [w.second for w, _ in iter_tick_batches(path, end=dt.datetime(2026, 3, 9, 9, 30, 19))] == [10]


def test_date_bounds_cover_whole_days(tmp_path):
    write_tick_file(tmp_path / "ticks-2026-03-09.csv", [tick_line("2026-03-09 15:00:00")])
    write_tick_file(tmp_path / "ticks-2026-03-10.csv.gz", [tick_line("2026-03-10 09:25:00")])
    write_tick_file(tmp_path / "ticks-2026-03-11.csv", [tick_line("2026-03-11 09:25:00")])
    days = [w.date() for w, _ in iter_tick_batches(tmp_path, start=dt.date(2026, 3, 10), end="2026-03-10")]
    assert days == [dt.date(2026, 3, 10)]
    assert len(list(iter_tick_batches(tmp_path, end=dt.date(2026, 3, 9)))) == 1


def test_directory_reads_tick_files_in_name_order_and_skips_others(tmp_path):
    write_tick_file(tmp_path / "ticks-2026-03-10.csv.gz", [tick_line("2026-03-10 09:25:00")])
    write_tick_file(tmp_path / "ticks-2026-03-09.csv", [tick_line("2026-03-09 09:25:00")])
    (tmp_path / "instruments.csv").write_text("code,name,kind,listing_date,is_st,t0\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not data", encoding="utf-8")
    assert [w.date().day for w, _ in iter_tick_batches(tmp_path)] == [9, 10]


def test_records_iterator_yields_rows(tmp_path):
    rows = list(iter_tick_records(three_batches(tmp_path / "ticks.csv"), codes={"600000.SH"}))
    assert [(when.second, code, rec["lastPrice"]) for when, code, rec in rows] == [
        (10, "600000.SH", 10.05), (20, "600000.SH", 10.06), (30, "600000.SH", 10.07)]


def test_header_columns_may_come_in_any_order(tmp_path):
    names = HEADER.split(",")
    values = tick_line().split(",")
    order = list(reversed(range(len(names))))
    text = ",".join(names[i] for i in order) + "\n" + ",".join(values[i] for i in order) + "\n"
    (tmp_path / "ticks.csv").write_text(text, encoding="utf-8")
    [(_, batch)] = list(iter_tick_batches(tmp_path / "ticks.csv"))
    assert batch["600000.SH"]["bidVol"] == [21, 22, 23, 24, 25]


def test_blank_lines_are_ignored(tmp_path):
    path = tmp_path / "ticks.csv"
    path.write_text(HEADER + "\n" + tick_line(T1) + "\n\n" + tick_line(T2) + "\n", encoding="utf-8")
    assert len(list(iter_tick_batches(path))) == 2


# --- streaming -------------------------------------------------------------------------------------


def test_reader_is_lazy_and_streams_line_by_line(tmp_path, monkeypatch):
    lines = []
    start = dt.datetime(2026, 3, 9, 9, 30)
    for i in range(3000):
        when = (start + dt.timedelta(seconds=3 * i)).isoformat(sep=" ")
        lines += [tick_line(when, "000001.SZ"), tick_line(when, "600000.SH")]
    path = write_tick_file(tmp_path / "big.csv.gz", lines)
    opened: list[LineCountingFile] = []

    def counting_open(p):
        opened.append(LineCountingFile(real_open(p)))
        return opened[-1]

    real_open = replay.open_text_read
    monkeypatch.setattr(replay, "open_text_read", counting_open)
    batches = iter_tick_batches(path)
    assert inspect.isgenerator(batches) and opened == []  # nothing is read before the first next()
    when, batch = next(batches)
    assert sorted(batch) == ["000001.SZ", "600000.SH"]
    # header + the two rows of the first batch + the row that showed the batch was complete
    assert opened[0].lines_read == 4
    batches.close()


def test_first_batch_is_served_before_a_bad_tail_is_reached(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line(T1), tick_line(T2), tick_line(T3, lastPrice="x")])
    batches = iter_tick_batches(path)
    assert next(batches)[0].second == 10
    with pytest.raises(DataFileError, match="line 4"):
        list(batches)


def test_truncated_gzip_fails_only_when_reached(tmp_path):
    lines = [tick_line(f"2026-03-09 10:{m:02d}:{s:02d}") for m in range(60) for s in range(0, 60, 3)]
    path = write_tick_file(tmp_path / "ticks.csv.gz", lines)
    path.write_bytes(path.read_bytes()[:-200])
    batches = iter_tick_batches(path)
    assert next(batches)[0] == dt.datetime(2026, 3, 9, 10, 0, 0)
    with pytest.raises(DataFileError) as info:
        list(batches)
    message = str(info.value)
    assert str(path) in message and "readable UTF-8 CSV" in message and "EOFError" in message


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "bad", "expected"), [
    ("time", "2026-03-09T09:30:10", "a local time YYYY-MM-DD HH:MM:SS or YYYY-MM-DD HH:MM:SS.fff"),
    ("time", "2026-03-09 09:30:10+08:00", "a local time YYYY-MM-DD HH:MM:SS or YYYY-MM-DD HH:MM:SS.fff"),
    ("code", "600000", "an xtquant code such as 600000.SH"),
    ("lastPrice", "abc", "a non-negative number"),
    ("lastClose", "nan", "a non-negative number"),
    ("amount", "-1", "a non-negative number"),
    ("high", "inf", "a non-negative number"),
    ("volume", "10.5", "a non-negative integer"),
    ("pvolume", "-100", "a non-negative integer"),
    ("stockStatus", "", "a non-negative integer"),
    ("askPrice3", "x", "a non-negative price (0 for an empty level)"),
    ("bidPrice5", "-10.01", "a non-negative price (0 for an empty level)"),
    ("bidVol2", "2.5", "a non-negative integer volume in lots"),
    ("askVol4", "7", "0 for an empty level (askPrice4 is 0)"),
])
def test_bad_value_names_file_line_column_and_expectation(tmp_path, column, bad, expected):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line("2026-03-09 09:30:00"), tick_line(**{column: bad})])
    with pytest.raises(DataFileError) as info:
        list(iter_tick_batches(path))
    error = info.value
    assert (error.path, error.line, error.column) == (str(path), 3, column)
    assert str(error) == f"{path}, line 3, column {column!r}: expected {expected}, got {bad!r}"


def test_time_going_backwards_is_reported(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line(T2), tick_line(T1)])
    with pytest.raises(DataFileError) as info:
        list(iter_tick_batches(path))
    assert str(info.value) == (f"{path}, line 3, column 'time': expected rows sorted by time: a time at or "
                               f"after 2026-03-09 09:30:20 (the previous row), got '{T1}'")


def test_order_is_checked_even_for_filtered_rows(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line(T2, "000001.SZ"), tick_line(T1, "600000.SH")])
    with pytest.raises(DataFileError, match="line 3, column 'time'"):
        list(iter_tick_batches(path, codes=["600000.SH"]))


@pytest.mark.parametrize("second_code", ["000001.SZ", "600000.SH"])
def test_codes_of_one_time_must_be_sorted_and_unique(tmp_path, second_code):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line(T1, "600000.SH"), tick_line(T1, second_code)])
    with pytest.raises(DataFileError) as info:
        list(iter_tick_batches(path))
    assert str(info.value) == (f"{path}, line 3, column 'code': expected rows of one time sorted by code, "
                               f"each code once: a code after '600000.SH', got {second_code!r}")


def test_order_is_checked_across_the_files_of_a_directory(tmp_path):
    write_tick_file(tmp_path / "ticks-1.csv", [tick_line("2026-03-10 09:25:00")])
    second = write_tick_file(tmp_path / "ticks-2.csv", [tick_line("2026-03-09 09:25:00")])
    with pytest.raises(DataFileError) as info:
        list(iter_tick_batches(tmp_path))
    assert info.value.path == str(second) and info.value.line == 2


def test_wrong_number_of_fields(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line(), tick_line(T2) + ",extra"])
    with pytest.raises(DataFileError) as info:
        list(iter_tick_batches(path))
    assert str(info.value) == f"{path}, line 3: expected 32 fields as in the header, got '33 fields'"


def test_missing_header_column(tmp_path):
    header = HEADER.replace(",pvolume", "")
    line = ",".join(v for name, v in zip(HEADER.split(","), tick_line().split(",")) if name != "pvolume")
    path = write_tick_file(tmp_path / "ticks.csv", [line], header=header)
    with pytest.raises(DataFileError) as info:
        list(iter_tick_batches(path))
    assert str(info.value) == (f"{path}, line 1, column 'pvolume': expected this column in the header, "
                               "got 'it is missing'")


def test_unknown_and_duplicate_header_columns(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [], header=HEADER.replace("lastPrice", "lastprice"))
    with pytest.raises(DataFileError, match=r"line 1, column 'lastprice': expected one of the known columns"):
        list(iter_tick_batches(path))
    path = write_tick_file(tmp_path / "ticks2.csv", [], header=HEADER + ",open")
    with pytest.raises(DataFileError, match=r"line 1, column 'open': expected each column once"):
        list(iter_tick_batches(path))


def test_empty_file_needs_a_header(tmp_path):
    path = tmp_path / "ticks.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 1: expected a header row \(time,code,lastPrice"):
        list(iter_tick_batches(path))


def test_header_only_file_yields_nothing(tmp_path):
    assert list(iter_tick_batches(write_tick_file(tmp_path / "ticks.csv", []))) == []


def test_not_gzip_despite_the_name(tmp_path):
    path = tmp_path / "ticks.csv.gz"
    path.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"line 1: expected a readable UTF-8 CSV file .*BadGzipFile: Not a gzip"):
        list(iter_tick_batches(path))


def test_not_utf8(tmp_path):
    path = tmp_path / "ticks.csv"
    path.write_bytes((HEADER + "\n").encode() + tick_line().encode() + b"\xff\xfe\n")
    with pytest.raises(DataFileError, match="UnicodeDecodeError"):
        list(iter_tick_batches(path))


def test_missing_path_and_empty_directory(tmp_path):
    with pytest.raises(DataFileError, match="nope.csv: expected an existing tick file or directory"):
        list(iter_tick_batches(tmp_path / "nope.csv"))
    with pytest.raises(DataFileError, match=r"expected a directory holding ticks\*.csv or ticks\*.csv.gz files"):
        list(iter_tick_batches(tmp_path))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start": "9 March"}, "start must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"),
    ({"end": dt.datetime(2026, 3, 9, tzinfo=dt.timezone.utc)}, "end must be a naive Asia/Shanghai time"),
    ({"start": 20260309}, "start must be a datetime, a date or a string"),
])
def test_bad_filters_are_rejected(tmp_path, kwargs, message):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line()])
    with pytest.raises((ValueError, TypeError), match=message):
        list(iter_tick_batches(path, **kwargs))


def test_reading_stops_after_end_and_closes_the_file(tmp_path, monkeypatch):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line(T1), tick_line(T2), tick_line(T3, lastPrice="bad")])
    opened: list[LineCountingFile] = []
    real_open = replay.open_text_read

    def counting_open(p):
        opened.append(LineCountingFile(real_open(p)))
        return opened[-1]

    monkeypatch.setattr(replay, "open_text_read", counting_open)
    assert [w.second for w, _ in iter_tick_batches(path, end="2026-03-09 09:30:20")] == [10, 20]
    assert opened[0].lines_read == 4 and opened[0].handle.closed  # the bad row was seen, never parsed
