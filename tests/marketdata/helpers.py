"""Builders for tick files used by the market data tests."""

from __future__ import annotations

import gzip
from pathlib import Path

from engine.marketdata.formats import TICK_COLUMNS

HEADER = ",".join(TICK_COLUMNS)

#: A valid row's values by column (600000.SH-like, lots of 100).
DEFAULT_ROW = {
    "time": "2026-03-09 09:30:10", "code": "600000.SH", "lastPrice": "10.05", "open": "10.01",
    "high": "10.08", "low": "10", "lastClose": "10.02", "amount": "1005000.5", "volume": "1000",
    "pvolume": "100000", "transactionNum": "120", "stockStatus": "13",
    "askPrice1": "10.06", "askPrice2": "10.07", "askPrice3": "10.08", "askPrice4": "0", "askPrice5": "0",
    "askVol1": "11", "askVol2": "12", "askVol3": "13", "askVol4": "0", "askVol5": "0",
    "bidPrice1": "10.05", "bidPrice2": "10.04", "bidPrice3": "10.03", "bidPrice4": "10.02", "bidPrice5": "10.01",
    "bidVol1": "21", "bidVol2": "22", "bidVol3": "23", "bidVol4": "24", "bidVol5": "25",
}


def tick_line(time: str = DEFAULT_ROW["time"], code: str = DEFAULT_ROW["code"], **values: str) -> str:
    """One CSV line of a tick file; keyword arguments override columns by name."""
    row = dict(DEFAULT_ROW, time=time, code=code, **values)
    unknown = set(row) - set(TICK_COLUMNS)
    if unknown:
        raise KeyError(f"not tick columns: {sorted(unknown)}")
    return ",".join(row[name] for name in TICK_COLUMNS)


def write_tick_file(path: Path, lines: list[str], header: str = HEADER) -> Path:
    """Write a tick file (gzip when the name ends in .gz) from data lines."""
    text = "\n".join([header, *lines]) + "\n"
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")
    return path


class LineCountingFile:
    """Wraps a text file and counts the lines handed out, to prove a reader streams."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.lines_read = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.lines_read += 1
        return line

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()
