"""The control file's connections are closed after each operation (the engine polls it several times
a second; a connection left to the garbage collector keeps its page cache)."""

from __future__ import annotations

import gc
import sqlite3

from engine.control import ControlStore


def _open_connections() -> int:
    return sum(isinstance(o, sqlite3.Connection) for o in gc.get_objects())


def test_every_operation_closes_its_connection(tmp_path):
    store = ControlStore(tmp_path / "control.db")
    gc.disable()
    try:
        before = _open_connections()
        for _ in range(50):
            store.pending_commands()
            store.record_state("account", "ACTIVE", "test")
        store.request("halt", reason="test")
        assert [c.action for c in store.pending_commands()] == ["halt"]
        assert _open_connections() == before
    finally:
        gc.enable()
