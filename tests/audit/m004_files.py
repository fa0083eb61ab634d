"""Audit files as qmt-engine wrote them before m005: hash-chain blocks with one link per row.

``data/trading_day_m004.sql`` is the trading day of :mod:`tests.audit.scenario`,
written by the real audit writer at migration m004 and dumped with sqlite3's
``iterdump``; it is loaded here into a fresh file, with the head file that
writer left next to it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.audit import open_audit_db
from engine.audit.chain import ChainHead
from engine.audit.head_file import HeadFileWriter, head_file_path

M004_DUMP = Path(__file__).parent / "data" / "trading_day_m004.sql"


def load_m004_trading_day(path: Path, *, upgrade: bool = True) -> Path:
    """Write the m004 trading day to ``path`` (and its head file); ``upgrade`` migrates it to the current schema."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(M004_DUMP.read_text(encoding="utf-8"))
        block, position, head = conn.execute(
            "SELECT block, first_position + row_count - 1, head_hash FROM audit_chain ORDER BY block DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    writer = HeadFileWriter(head_file_path(path))
    try:
        writer.write(ChainHead(block, position, head))
    finally:
        writer.close()
    if upgrade:
        open_audit_db(path).close()
    return path
