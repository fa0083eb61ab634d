"""The bundled synthetic sample: reproducible, on the tick grid, inside the limits, tradeable."""

from __future__ import annotations

import datetime as dt
import gzip
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from engine.marketdata import SAMPLE_DIR, iter_tick_batches, load_instruments
from engine.marketdata.sample import SAMPLE_DAYS, main

BOARDS = {"SH main": "600000.SH", "SZ main": "000001.SZ", "ChiNext": "300750.SZ", "STAR": "688981.SH",
          "SH ETF": "510300.SH"}


@pytest.fixture(scope="module")
def instruments():
    return {item["code"]: item for item in load_instruments(SAMPLE_DIR)}


@pytest.fixture(scope="module")
def series():
    """{(day, code): [record, ...]} of the whole bundled sample, plus the batch times per day."""
    by_code: dict[tuple[dt.date, str], list[dict]] = defaultdict(list)
    times: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    for when, batch in iter_tick_batches(SAMPLE_DIR):
        times[when.date()].append(when)
        for code, record in batch.items():
            by_code[when.date(), code].append(record)
    return by_code, times


def tick_of(item: dict) -> Decimal:
    return Decimal("0.001") if item["kind"] in ("etf", "lof") else Decimal("0.01")


def limit_pct(item: dict) -> Decimal:
    if item["code"].startswith(("300", "301", "688")):
        return Decimal("0.20")
    return Decimal("0.05") if item["is_st"] else Decimal("0.10")


def half_up(value: Decimal, tick: Decimal) -> Decimal:
    return (value / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP) * tick


def test_regenerating_gives_byte_identical_files(regenerated_sample):
    bundled = sorted(p.name for p in SAMPLE_DIR.iterdir())
    assert sorted(p.name for p in regenerated_sample.iterdir()) == bundled
    assert bundled == ["README.md", "instruments.csv", "ticks-2026-03-09.csv.gz", "ticks-2026-03-10.csv.gz",
                       "ticks-2026-03-11.csv.gz"]
    for name in bundled:
        fresh, shipped = (regenerated_sample / name).read_bytes(), (SAMPLE_DIR / name).read_bytes()
        if name.endswith(".gz"):
            assert gzip.decompress(fresh) == gzip.decompress(shipped), name
        assert fresh == shipped, name


def test_command_line_writes_into_the_given_directory(tmp_path, capsys):
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / "ticks-2026-03-11.csv.gz").is_file() and "instruments.csv" in capsys.readouterr().out
    assert main(["a", "b"]) == 2


def test_bundle_is_small_and_labelled_synthetic():
    assert sum(p.stat().st_size for p in SAMPLE_DIR.iterdir()) < 2_000_000
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC, NOT REAL QUOTES" in readme
    assert "python -m engine.marketdata.sample engine/data/sample" in readme


@pytest.mark.filterwarnings("ignore:Series.values returning an ndarray")  # inside exchange-calendars
def test_days_are_consecutive_xshg_sessions():
    exchange_calendars = pytest.importorskip("exchange_calendars")
    sessions = exchange_calendars.get_calendar("XSHG").sessions_in_range(SAMPLE_DAYS[0], SAMPLE_DAYS[-1])
    assert [s.date() for s in sessions] == list(SAMPLE_DAYS)


def test_instruments_cover_the_boards(instruments):
    assert len(instruments) >= 6
    assert set(BOARDS.values()) <= set(instruments)
    assert instruments["510300.SH"]["kind"] == "etf"
    st = [item for item in instruments.values() if item["is_st"]]
    assert len(st) == 1 and st[0]["code"].startswith("60") and st[0]["name"].startswith("ST")
    assert all("SYN" in item["name"] for item in instruments.values())


def test_snapshot_schedule(series, instruments):
    by_code, times = series
    assert sorted(times) == list(SAMPLE_DAYS)
    for day, stamps in times.items():
        clock = [t.strftime("%H:%M:%S") for t in stamps]
        assert clock[0] == "09:25:00" and clock[1] == "09:30:10" and clock[-1] == "15:00:00"
        assert "11:30:00" in clock and "11:30:10" not in clock and "13:00:10" in clock
        assert len(stamps) == 1 + 2 * 720
        assert all((b - a).total_seconds() == 10 for a, b in zip(stamps[1:], stamps[2:]) if a.hour == b.hour)
        for code in instruments:
            assert len(by_code[day, code]) == len(stamps)


def test_prices_on_tick_grid_books_sane_and_inside_daily_limits(series, instruments):
    by_code, _ = series
    for (day, code), records in by_code.items():
        item = instruments[code]
        tick = tick_of(item)
        pre_close = Decimal(repr(records[0]["lastClose"]))
        down = half_up(pre_close * (1 - limit_pct(item)), tick)
        up = half_up(pre_close * (1 + limit_pct(item)), tick)
        for record in records:
            where = f"{code} {day} time={record['time']}"
            prices = [record[k] for k in ("lastPrice", "open", "high", "low")] + record["askPrice"] + record["bidPrice"]
            for price in prices:
                value = Decimal(repr(price))
                assert value % tick == 0, f"{where}: {price} off the {tick} grid"
                assert down <= value <= up, f"{where}: {price} outside [{down}, {up}]"
            asks, bids = record["askPrice"], record["bidPrice"]
            assert all(a < b for a, b in zip(asks, asks[1:])) and all(a > b for a, b in zip(bids, bids[1:])), where
            spread = (Decimal(repr(asks[0])) - Decimal(repr(bids[0]))) / tick
            assert 1 <= spread <= 3, f"{where}: spread {spread} ticks"
            assert bids[0] <= record["lastPrice"] <= asks[0], where
            assert record["low"] <= record["lastPrice"] <= record["high"], where
            assert all(v > 0 for v in record["askVol"] + record["bidVol"]), where
            assert record["lastClose"] == records[0]["lastClose"], where


def test_etf_uses_the_fund_tick(series):
    by_code, _ = series
    prices = {r["lastPrice"] for day in SAMPLE_DAYS for r in by_code[day, "510300.SH"]}
    assert any(Decimal(repr(p)) % Decimal("0.01") != 0 for p in prices)


def test_cumulative_fields_and_day_links(series, instruments):
    by_code, _ = series
    for code in instruments:
        for index, day in enumerate(SAMPLE_DAYS):
            records = by_code[day, code]
            for before, after in zip(records, records[1:]):
                assert after["volume"] >= before["volume"] and after["amount"] >= before["amount"]
                assert after["transactionNum"] >= before["transactionNum"]
            assert all(r["pvolume"] == r["volume"] * 100 for r in records)
            first = records[0]
            assert first["open"] == first["lastPrice"] and first["stockStatus"] == 12
            assert records[-1]["stockStatus"] == 15 and records[-1]["high"] == max(r["lastPrice"] for r in records)
            if index:
                assert first["lastClose"] == by_code[SAMPLE_DAYS[index - 1], code][-1]["lastPrice"]


def test_stock_closing_auction_freezes_trading(series):
    by_code, times = series
    day = SAMPLE_DAYS[0]
    closing = [i for i, t in enumerate(times[day]) if t.time() > dt.time(14, 57) and t.time() < dt.time(15)]
    stock, etf = by_code[day, "600000.SH"], by_code[day, "510300.SH"]
    assert {stock[i]["stockStatus"] for i in closing} == {18}
    assert {stock[i]["volume"] for i in closing} == {stock[closing[0] - 1]["volume"]}
    assert {etf[i]["stockStatus"] for i in closing} == {13}
    assert etf[closing[-1]]["volume"] > etf[closing[0] - 1]["volume"]


def crossovers(prices: list[float], fast: int = 5, slow: int = 20) -> int:
    count, previous = 0, 0
    for end in range(slow, len(prices) + 1):
        diff = sum(prices[end - fast:end]) / fast - sum(prices[end - slow:end]) / slow
        sign = (diff > 1e-9) - (diff < -1e-9)
        if sign and previous and sign != previous:
            count += 1
        previous = sign or previous
    return count


def test_moving_average_crossover_trades_several_times_a_day(series, instruments):
    by_code, _ = series
    for day in SAMPLE_DAYS:
        counts = {code: crossovers([r["lastPrice"] for r in by_code[day, code]]) for code in instruments}
        busy = [code for code, n in counts.items() if 3 <= n <= 60]
        assert len(busy) >= 2, f"{day}: crossovers {counts}"


def test_paths_trend_and_reverse(series, instruments):
    by_code, _ = series
    for (day, code), records in by_code.items():
        prices = [r["lastPrice"] for r in records]
        assert len(set(prices)) >= 10, f"{code} {day} barely moves"
        assert max(prices) > prices[0] or min(prices) < prices[0]
