"""Issue 20 item 4: the audit database deleted or replaced mid-run is detected; a restart waits for the operator.

The writer compares the path's inode with the one it opened before every batch. On a change it stops
orders (durable events refused), leaves ``<database>.replaced``, and a new writer refuses to start,
naming the file, until ``qmt-engine audit accept-replaced`` removes the marker.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.audit import AuditDatabaseReplacedError, AuditWriteError, AuditWriter
from engine.audit.file_identity import marker_path
from engine.cli import app

from .conftest import EventFactory


def _lost_then_refused(path: Path, events: EventFactory, audit: AuditWriter, what: str) -> None:
    audit.track_event(events("fill", trade_id="T-after"))
    audit.flush()
    assert audit.storage_fault is not None and what in audit.storage_fault and str(path) in audit.storage_fault
    with pytest.raises(AuditWriteError, match=what):
        audit.track_event(events("order_intent", client_order_id="refused"))
    assert audit.storage_faults == 1


@pytest.mark.parametrize("fault", ["deleted", "replaced"])
def test_the_file_changing_under_the_writer_stops_orders_and_a_restart_refuses(tmp_path: Path, fault: str) -> None:
    path = tmp_path / "audit.db"
    events = EventFactory(run_id="r1")
    audit = AuditWriter(path, flush_interval=0.01)
    try:
        audit.track_event(events("run_started"))
        audit.track_event(events("order_intent", client_order_id="c-1"))
        if fault == "deleted":
            path.unlink()
            _lost_then_refused(path, events, audit, "was deleted")
        else:
            copy = tmp_path / "copy.db"
            shutil.copy(path, copy)
            os.replace(copy, path)
            _lost_then_refused(path, events, audit, "was replaced by another file")
    finally:
        audit.close()
    assert marker_path(path).exists()
    with pytest.raises(AuditDatabaseReplacedError) as refused:
        AuditWriter(path)
    assert str(path) in str(refused.value) and "accept-replaced" in str(refused.value)

    result = CliRunner().invoke(app, ["audit", "accept-replaced", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "accepted" in result.output and not marker_path(path).exists()
    AuditWriter(path).close()  # the operator decided: the engine starts again


def test_accept_replaced_without_a_marker_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "accept-replaced", "--db", str(tmp_path / "audit.db")])
    assert result.exit_code == 2 and "nothing to accept" in result.output


def test_qmt_engine_run_refuses_with_exit_2_naming_the_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "var").mkdir()
    marker_path(tmp_path / "var" / "audit.db").write_text("audit database var/audit.db was deleted (test)\n")
    result = CliRunner().invoke(app, ["run", "--no-progress", "-q"])
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "audit.db: refusing to start" in output and "accept-replaced" in output
