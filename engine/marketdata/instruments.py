"""The instruments file: which codes a data set holds, what they are and how they trade."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from .formats import (
    INSTRUMENT_COLUMNS, INSTRUMENT_KINDS, INSTRUMENTS_FILE, DataFileError, PathLike, header_indexes,
    open_text_read,
)

_CODE_RE = re.compile(r"^[0-9]{6}\.(SH|SZ|BJ)$")
_FLAGS = {"0": False, "1": True}
_READ_ERRORS = (OSError, EOFError, csv.Error, UnicodeDecodeError)


def load_instruments(path: PathLike) -> list[dict]:
    """Read ``instruments.csv`` (or a directory holding one) into typed dicts, in file order.

    Each dict: ``code`` (str, e.g. ``600000.SH``), ``name`` (str), ``kind``
    (``stock|etf|lof|bond|index``), ``listing_date`` (``datetime.date``),
    ``is_st`` (bool), ``t0`` (bool: may be sold the day it is bought).

    :raises DataFileError: naming the file, line and column of the first bad value,
        a duplicate code, or a missing file.
    """
    file_path = Path(path)
    if file_path.is_dir():
        file_path = file_path / INSTRUMENTS_FILE
    if not file_path.is_file():
        raise DataFileError(file_path, None, None, "an existing instruments file", "no such file")
    instruments: list[dict] = []
    seen: dict[str, int] = {}
    line = 1
    try:
        with open_text_read(file_path) as handle:
            reader = csv.reader(handle)
            index = header_indexes(file_path, next(reader, None), INSTRUMENT_COLUMNS)
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                item = _parse_row(file_path, line, row, index)
                if item["code"] in seen:
                    raise DataFileError(file_path, line, "code",
                                        f"each code once (already on line {seen[item['code']]})", item["code"])
                seen[item["code"]] = line
                instruments.append(item)
    except _READ_ERRORS as exc:
        raise DataFileError(file_path, line, None, "a readable UTF-8 CSV file",
                            f"{type(exc).__name__}: {exc}") from exc
    return instruments


def _parse_row(path: Path, line: int, row: list[str], index: dict[str, int]) -> dict:
    if len(row) != len(index):
        raise DataFileError(path, line, None, f"{len(index)} fields as in the header", f"{len(row)} fields")
    value = {name: row[i].strip() for name, i in index.items()}
    code = value["code"]
    if not _CODE_RE.match(code):
        raise DataFileError(path, line, "code", "a code of six digits and .SH, .SZ or .BJ", code)
    if not value["name"]:
        raise DataFileError(path, line, "name", "a non-empty name", value["name"])
    if value["kind"] not in INSTRUMENT_KINDS:
        raise DataFileError(path, line, "kind", "one of " + "|".join(sorted(INSTRUMENT_KINDS)), value["kind"])
    try:
        if len(value["listing_date"]) != 10:
            raise ValueError(value["listing_date"])
        listing_date = dt.date.fromisoformat(value["listing_date"])
    except ValueError:
        raise DataFileError(path, line, "listing_date", "a date YYYY-MM-DD", value["listing_date"]) from None
    flags = {}
    for name in ("is_st", "t0"):
        if value[name] not in _FLAGS:
            raise DataFileError(path, line, name, "0 or 1", value[name])
        flags[name] = _FLAGS[value[name]]
    return {"code": code, "name": value["name"], "kind": value["kind"], "listing_date": listing_date,
            "is_st": flags["is_st"], "t0": flags["t0"]}
