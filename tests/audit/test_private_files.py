"""Issue 20 item 9: the audit database, its -wal/-shm, head file and lock, and the control file are 0600.

Whatever the umask: the test runs the engine's writers under a permissive umask (000).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from engine.audit import AuditWriter
from engine.audit.head_file import head_file_path
from engine.audit.instance_lock import InstanceLock
from engine.control.store import ControlStore

from .conftest import EventFactory


@pytest.fixture
def open_umask():
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_audit_files_are_created_owner_only(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "var" / "audit.db"
    with AuditWriter(path) as audit:
        audit.track_event(EventFactory(run_id="r1")("run_started"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm"), head_file_path(path)]
        assert all(f.exists() for f in files), [f for f in files if not f.exists()]
        assert {str(f): oct(mode(f)) for f in files} == {str(f): "0o600" for f in files}
    lock = InstanceLock(tmp_path / "var" / "audit.db.lock", "the audit database").acquire()
    try:
        assert mode(tmp_path / "var" / "audit.db.lock") == 0o600
    finally:
        lock.release()


def test_the_control_file_is_created_owner_only(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "control.db"
    store = ControlStore(path)
    store.request("halt", reason="test")
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            assert mode(file) == 0o600, file


def test_an_existing_file_keeps_the_mode_its_owner_gave_it(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "control.db"
    ControlStore(path)
    path.chmod(0o660)  # shared with the operators' group on purpose
    ControlStore(path).request("halt")
    assert mode(path) == 0o660
