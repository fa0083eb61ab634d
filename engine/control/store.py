"""The control file: operator commands in, persisted trading states out (SQLite, WAL).

Two processes use it at once (the engine and a ``qmt-engine halt`` from another
terminal), so every access is a short transaction on its own connection, with
a busy timeout. Rows are only ever inserted.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..audit.private_file import create_private

_SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('halt', 'resume')),
    strategy TEXT,
    cancel_open INTEGER NOT NULL DEFAULT 0,
    requested_by TEXT,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS run_numbers (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied (
    command_id INTEGER PRIMARY KEY REFERENCES commands(id),
    at TEXT NOT NULL,
    run_id TEXT
);
CREATE TABLE IF NOT EXISTS states (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),
    cause TEXT
);
CREATE TABLE IF NOT EXISTS causes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),
    detail TEXT
);
"""


@dataclass(frozen=True)
class ControlCommand:
    id: int
    at: str
    action: str
    strategy: str | None
    cancel_open: bool
    requested_by: str
    reason: str


class ControlStore:
    """Commands and states in one SQLite file; safe to use from two processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        create_private(self.path)  # 0600: whoever can write this file can halt and resume the engine
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation, closed after it (autocommit). ``sqlite3``'s own context
        manager only commits: the connection would stay open until the garbage collector found it,
        and the engine polls this file several times a second."""
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            yield conn
        finally:
            conn.close()

    # -- the operator's side ------------------------------------------------------------

    def request(self, action: str, *, cancel_open: bool = False, reason: str = "", strategy: str | None = None,
                requested_by: str | None = None) -> int:
        """Queue ``halt`` or ``resume`` for the engine (the account, or one strategy); returns the command id.

        ``requested_by`` names who asked (the web app passes the user's name, role and address);
        by default it is this process's ``user@host pid N``. The engine records it in the cause of the
        trading-state change."""
        if action not in ("halt", "resume"):
            raise ValueError(f"unknown control action {action!r} (halt or resume)")
        who = requested_by or f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()}"
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO commands (at, action, strategy, cancel_open, requested_by, reason) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), action, strategy, int(cancel_open), who, reason))
            return int(cursor.lastrowid)

    # -- the engine's side --------------------------------------------------------------

    def next_run_number(self) -> int:
        """A number no earlier run using this file had: run ids and client order ids never repeat,
        even for a restart within the same second."""
        with self._connect() as conn:
            return int(conn.execute("INSERT INTO run_numbers (at) VALUES (?)", (_now(),)).lastrowid)

    def commands_after(self, last_id: int) -> list[ControlCommand]:
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM commands WHERE id > ? ORDER BY id", (last_id,)).fetchall()
        return [ControlCommand(r["id"], r["at"], r["action"], r["strategy"], bool(r["cancel_open"]),
                               r["requested_by"] or "", r["reason"] or "") for r in rows]

    def pending_commands(self) -> list[ControlCommand]:
        """Commands no engine has applied yet (including those given while it was stopped)."""
        with self._connect() as conn:
            row = conn.execute("SELECT max(command_id) FROM applied").fetchone()
        return self.commands_after(int(row[0] or 0))

    def mark_applied(self, command_id: int, run_id: str) -> None:
        with self._connect() as conn:
            conn.execute("INSERT OR IGNORE INTO applied (command_id, at, run_id) VALUES (?, ?, ?)", (command_id, _now(), run_id))

    def record_state(self, scope: str, state: str, cause: str) -> None:
        with self._connect() as conn:
            conn.execute("INSERT INTO states (at, scope, state, cause) VALUES (?, ?, ?, ?)", (_now(), scope, state, cause))

    def current_states(self) -> dict[str, tuple[str, str]]:
        """The latest state per scope (``account`` or ``strategy:<name>``): ``{scope: (state, cause)}``."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT scope, state, cause FROM states WHERE id IN (SELECT max(id) FROM states GROUP BY scope)"
            ).fetchall()
        return {r["scope"]: (r["state"], r["cause"] or "") for r in rows}

    def record_cause(self, scope: str, kind: str, state: str, detail: str) -> None:
        """One cause of a scope imposed (``state`` REDUCING/HALTED) or released (``ACTIVE``)."""
        with self._connect() as conn:
            conn.execute("INSERT INTO causes (at, scope, kind, state, detail) VALUES (?, ?, ?, ?, ?)",
                         (_now(), scope, kind, state, detail))

    def current_causes(self) -> dict[tuple[str, str], tuple[str, str]]:
        """The latest row per (scope, kind): ``{(scope, kind): (state, detail)}``; ACTIVE = released.

        A scope recorded by an engine from before causes were kept (only a ``states`` row) comes back
        as one ``operator`` cause, which ``resume`` lifts."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT scope, kind, state, detail FROM causes WHERE id IN (SELECT max(id) FROM causes GROUP BY scope, kind)"
            ).fetchall()
        causes = {(r["scope"], r["kind"]): (r["state"], r["detail"] or "") for r in rows}
        with_causes = {scope for scope, _kind in causes}
        for scope, (state, cause) in self.current_states().items():
            if scope not in with_causes:
                causes[(scope, "operator")] = (state, cause)
        return causes

    def history(self, limit: int = 20) -> list[dict]:
        with self._connect() as conn:
            commands = [dict(r) | {"kind": "command"} for r in conn.execute(
                "SELECT * FROM commands ORDER BY id DESC LIMIT ?", (limit,))]
            states = [dict(r) | {"kind": "state"} for r in conn.execute(
                "SELECT * FROM states ORDER BY id DESC LIMIT ?", (limit,))]
        return sorted(commands + states, key=lambda r: r["at"], reverse=True)[:limit]


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
