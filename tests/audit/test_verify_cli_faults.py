"""Issue 20 item 9: ``audit verify`` on a file it cannot check.

It opens the file read-only (it never migrates the file it verifies), and a
damaged ("malformed") file exits 2 naming the file, not 1 with a traceback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils.migrations import Migrations
from typer.testing import CliRunner

from engine.audit import open_audit_db
from engine.audit.migrations import MIGRATIONS, m001_initial
from engine.cli import app

from .scenario import write_trading_day

runner = CliRunner()


def invoke(*args: object):
    result = runner.invoke(app, ["audit", "verify", *map(str, args)])
    return result.exit_code, " ".join(result.output.split()), result.exception


def _page_size_and_root(path: Path, table: str) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        return size, root
    finally:
        conn.close()


def test_a_malformed_database_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    write_trading_day(path)
    size, root = _page_size_and_root(path, "audit_chain")
    with open(path, "r+b") as file:  # no connection is open: overwrite the chain table's root page
        file.seek((root - 1) * size)
        file.write(b"\x0d" + b"\xff" * (size - 1))
    code, output, exception = invoke("--db", path)
    assert code == 2, (output, exception)
    assert str(path) in output and "malformed" in output


def test_verify_never_migrates_the_file_it_verifies(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    older = Migrations(MIGRATIONS.name)
    older(name="m001_initial")(m001_initial)
    open_audit_db(path, migrations=older).close()
    before = path.read_bytes()
    code, output, _ = invoke("--db", path, "--no-head-file")
    assert code == 2, output
    assert "older than this qmt-engine" in output and str(path) in output
    assert path.read_bytes() == before
    conn = sqlite3.connect(path)
    try:
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    finally:
        conn.close()
    assert applied == ["m001_initial"]


def test_one_forged_trailing_block_is_warned_about(tmp_path: Path) -> None:
    """The head file may lag the database by the last commit after a crash, so one block past it is not
    called tampering; but it is not passed silently either."""
    from engine.audit import AuditWriter
    from engine.audit.head_file import head_file_path

    from .conftest import EventFactory

    path = tmp_path / "audit.db"
    write_trading_day(path)
    code, output, _ = invoke("--db", path)
    assert code == 0 and "warning" not in output
    recorded = head_file_path(path).read_bytes()
    with AuditWriter(path) as audit:  # a valid block appended by "someone else", who then restores the head file
        audit.track_event(EventFactory(run_id="forged")("run_started"))
    head_file_path(path).write_bytes(recorded)
    code, output, _ = invoke("--db", path)
    assert code == 0, output  # not proof of tampering: a writer killed between commit and head file looks the same
    assert "warning: the chain has 1 block after the head file's record (block 9)" in output
    assert "appended by someone else" in output
