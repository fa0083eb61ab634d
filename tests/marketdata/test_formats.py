"""Time conversion, the error type, and the writers' round trips."""

from __future__ import annotations

import datetime as dt
import gzip
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.marketdata import TickFileWriter, iter_tick_batches
from engine.marketdata.formats import (
    TICK_COLUMNS, DataFileError, epoch_ms_to_local, format_local_time, local_to_epoch_ms, parse_local_time,
)
from engine.marketdata.writers import format_number

try:
    SHANGHAI = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # no time-zone database on this machine
    SHANGHAI = None


@pytest.mark.skipif(SHANGHAI is None, reason="needs the Asia/Shanghai time-zone data")
@given(st.datetimes(min_value=dt.datetime(1992, 1, 1), max_value=dt.datetime(2040, 1, 1)))
def test_epoch_ms_matches_the_time_zone_database(when):
    when = when.replace(microsecond=when.microsecond // 1000 * 1000)
    expected = round(when.replace(tzinfo=SHANGHAI).timestamp() * 1000)
    assert local_to_epoch_ms(when) == expected
    assert epoch_ms_to_local(expected) == when


def test_known_instant():
    assert local_to_epoch_ms(dt.datetime(2026, 3, 9, 9, 30)) == 1773019800000
    assert epoch_ms_to_local(1773019800000) == dt.datetime(2026, 3, 9, 9, 30)


@pytest.mark.parametrize("text", ["2026-03-09", "2026-03-09T09:30:00", "2026-03-09 09:30:00+08:00",
                                  "2026-03-09 9:30:00", "2026-03-09 09:30:00.5", "2026-13-09 09:30:00"])
def test_parse_local_time_rejects_other_forms(text):
    with pytest.raises(ValueError):
        parse_local_time(text)


def test_local_time_text_round_trip():
    for when in (dt.datetime(2026, 3, 9, 9, 30), dt.datetime(2026, 3, 9, 9, 30, 0, 250000)):
        assert parse_local_time(format_local_time(when)) == when
    assert format_local_time(dt.datetime(2026, 3, 9, 9, 30)) == "2026-03-09 09:30:00"


def test_data_file_error_message_forms():
    error = DataFileError("a.csv", 7, "open", "a price", "x")
    assert str(error) == "a.csv, line 7, column 'open': expected a price, got 'x'"
    assert (error.path, error.line, error.column, error.expected, error.got) == ("a.csv", 7, "open", "a price", "x")
    assert str(DataFileError("a.csv", 1, None, "a header")) == "a.csv, line 1: expected a header"
    error = DataFileError("dir", None, None, "files", "none")
    assert str(error) == "dir: expected files, got 'none'" and isinstance(error, ValueError)


@pytest.mark.parametrize(("value", "text"), [(11.370000000000001, "11.37"), (4.0, "4"), (3.456, "3.456"),
                                             (0, "0"), (862127800.0, "862127800"), (0.1 + 0.2, "0.3")])
def test_format_number(value, text):
    assert format_number(value) == text


def sample_record(when: dt.datetime, last: float) -> dict:
    return {"time": local_to_epoch_ms(when), "lastPrice": last, "open": 3.9, "high": 3.95, "low": 3.88,
            "lastClose": 3.912, "amount": 1234.5, "volume": 12, "pvolume": 1200, "transactionNum": 3,
            "stockStatus": 13, "askPrice": [last + 0.001, last + 0.002, 0.0, 0.0, 0.0], "askVol": [1, 2, 0, 0, 0],
            "bidPrice": [last, last - 0.001, last - 0.002, last - 0.003, last - 0.004], "bidVol": [5, 4, 3, 2, 1]}


def test_writer_reader_round_trip(tmp_path):
    t1, t2 = dt.datetime(2026, 3, 9, 9, 30, 10), dt.datetime(2026, 3, 9, 9, 30, 20, 500000)
    written = {t1: {"510300.SH": sample_record(t1, 3.912), "600000.SH": sample_record(t1, 10.05)},
               t2: {"510300.SH": sample_record(t2, 3.913)}}
    with TickFileWriter(tmp_path / "ticks.csv.gz") as writer:
        for batch in written.values():
            writer.write_batch(batch)
    assert writer.rows_written == 3
    read = dict(iter_tick_batches(tmp_path / "ticks.csv.gz"))
    assert list(read) == [t1, t2]
    for when, batch in written.items():
        for code, record in batch.items():
            got = read[when][code]
            assert got.keys() == record.keys()
            for key in ("askPrice", "bidPrice"):
                assert got[key] == [round(p, 3) for p in record[key]]
            assert {k: v for k, v in got.items() if "Price" not in k} == {
                k: v for k, v in record.items() if "Price" not in k}
            assert got["lastPrice"] == record["lastPrice"]


def test_writer_defaults_for_optional_keys_and_short_books(tmp_path):
    when = dt.datetime(2026, 3, 9, 9, 30)
    record = {"time": when, "lastPrice": 10.0, "open": 10.0, "high": 10.0, "low": 10.0, "lastClose": 10.0,
              "amount": 0.0, "volume": 7, "askPrice": [10.01], "askVol": [3],
              "bidPrice": [10.0, 9.99, 9.98, 9.97, 9.96, 9.95], "bidVol": [1, 2, 3, 4, 5, 6]}
    with TickFileWriter(tmp_path / "ticks.csv") as writer:
        writer.write("600000.SH", record)
    [(_, batch)] = list(iter_tick_batches(tmp_path / "ticks.csv"))
    got = batch["600000.SH"]
    assert (got["pvolume"], got["transactionNum"], got["stockStatus"]) == (700, 0, 0)
    assert got["askPrice"] == [10.01, 0, 0, 0, 0] and got["askVol"] == [3, 0, 0, 0, 0]
    assert got["bidVol"] == [1, 2, 3, 4, 5]


def test_writer_rejects_out_of_order_rows_and_bad_records(tmp_path):
    t1 = dt.datetime(2026, 3, 9, 9, 30, 10)
    with TickFileWriter(tmp_path / "ticks.csv") as writer:
        writer.write("600000.SH", sample_record(t1, 10.0))
        with pytest.raises(DataFileError, match=r"line 3, column 'time': expected rows sorted by time then code"):
            writer.write("000001.SZ", sample_record(t1, 10.0))
        with pytest.raises(DataFileError, match=r"line 3, column 'lastPrice': expected the key in the xtdata record"):
            writer.write("600001.SH", {"time": t1, "volume": 1})
        with pytest.raises(DataFileError, match=r"column 'time': expected ms epoch or a naive local datetime"):
            writer.write("600001.SH", {"time": "09:30"})
        with pytest.raises(DataFileError, match=r"line 3: expected numbers in the xtdata record for 600001.SH"):
            writer.write("600001.SH", dict(sample_record(t1, 10.0), volume="many"))
    assert (tmp_path / "ticks.csv").read_text(encoding="utf-8").count("\n") == 2


def test_gzip_output_is_reproducible(tmp_path):
    when = dt.datetime(2026, 3, 9, 9, 30)
    for name in ("a.csv.gz", "b.csv.gz"):
        with TickFileWriter(tmp_path / name) as writer:
            writer.write("600000.SH", sample_record(when, 10.0))
    first, second = (tmp_path / "a.csv.gz").read_bytes(), (tmp_path / "b.csv.gz").read_bytes()
    assert first == second
    assert first[4:8] == b"\x00\x00\x00\x00"  # gzip header mtime field is zero
    assert gzip.decompress(first).decode().splitlines()[0] == ",".join(TICK_COLUMNS)
