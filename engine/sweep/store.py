"""The sweep's SQLite database (``<folder>/sweep.db``): the proposed parameter sets and every trial.

Tables:

* ``meta``: ``spec_fingerprint`` (a folder holds one sweep), the sweep file as JSON, the driver's data
  fingerprint, when it was created;
* ``candidates``: each proposed parameter set in proposal order (``number``, ``params``), so a resumed
  sweep continues with the same sets (TPE included);
* ``trials``: one row per backtest (a candidate, or a candidate on one walk-forward window):
  ``status`` (``pending``, ``running``, ``done``, ``failed``, ``error``), params, ``objective``,
  ``metrics`` (JSON), ``run_id``, ``audit_path``, ``audit_ok``, ``config_fingerprint``,
  ``data_fingerprint``, ``fills_digest``, times and the worker.

Only the driver writes it. A resumed sweep skips trials that are ``done`` or ``failed`` (a property of
their parameters) and runs the rest again.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from .trial import TrialResult

__all__ = ["FINISHED", "SweepStore", "SweepStoreError"]

FINISHED = ("done", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS candidates (number INTEGER PRIMARY KEY, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    key TEXT PRIMARY KEY, candidate INTEGER NOT NULL REFERENCES candidates(number), window TEXT,
    phase TEXT NOT NULL, window_start TEXT, window_end TEXT, params TEXT NOT NULL, status TEXT NOT NULL,
    objective REAL, feasible INTEGER, metrics TEXT, run_id TEXT, audit_path TEXT, audit_ok INTEGER,
    config_fingerprint TEXT, data_fingerprint TEXT, fills_digest TEXT, fills INTEGER, error TEXT, worker TEXT,
    submitted_at TEXT, finished_at TEXT, elapsed_seconds REAL, run_seconds REAL);
CREATE INDEX IF NOT EXISTS trials_candidate ON trials(candidate);
"""


class SweepStoreError(RuntimeError):
    """The sweep folder holds another sweep (or an unreadable database)."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class SweepStore:
    """The sweep database at ``path`` (created when missing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise SweepStoreError(f"{self.path}: not a sweep database ({exc})") from None
        self.conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "SweepStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- meta -------------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def claim(self, fingerprint: str, spec_json: str, source: str) -> bool:
        """Make this folder the sweep's; False when it already was (a resume).

        :raises SweepStoreError: the folder holds a sweep with another space, sampler or objective.
        """
        held = self.meta("spec_fingerprint")
        if held is None:
            with self.conn:
                self.set_meta("spec_fingerprint", fingerprint)
                self.set_meta("spec", spec_json)
                self.set_meta("source", source)
                self.set_meta("created_at", _now())
            return True
        if held != fingerprint:
            raise SweepStoreError(
                f"{self.path} holds another sweep (its space, sampler, objective, base or walk-forward differ from "
                f"{source}); give this sweep its own folder: (folder: in the sweep file, or --folder), or delete "
                f"{self.path.parent} to start over")
        return False

    # -- candidates --------------------------------------------------------------------------------

    def candidates(self) -> list[dict[str, Any]]:
        return [json.loads(r[0]) for r in self.conn.execute("SELECT params FROM candidates ORDER BY number")]

    def add_candidates(self, params: list[dict[str, Any]]) -> list[int]:
        start = self.conn.execute("SELECT COALESCE(MAX(number) + 1, 0) FROM candidates").fetchone()[0]
        with self.conn:
            for offset, item in enumerate(params):
                self.conn.execute("INSERT INTO candidates (number, params) VALUES (?, ?)",
                                  [start + offset, json.dumps(item, sort_keys=True)])
        return list(range(start, start + len(params)))

    # -- trials ------------------------------------------------------------------------------------

    def statuses(self) -> dict[str, str]:
        return {r["key"]: r["status"] for r in self.conn.execute("SELECT key, status FROM trials")}

    def submitted(self, key: str, candidate: int, phase: str, window: tuple[str, str, str] | None,
                  params: dict[str, Any]) -> None:
        name, start, end = window if window else (None, None, None)
        with self.conn:
            self.conn.execute(
                "INSERT INTO trials (key, candidate, window, phase, window_start, window_end, params, status, "
                "submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?) ON CONFLICT(key) DO UPDATE SET "
                "status = 'running', submitted_at = excluded.submitted_at, error = NULL",
                [key, candidate, name, phase, start, end, json.dumps(params, sort_keys=True), _now()])

    def record(self, result: TrialResult, objective: float | None, feasible: bool) -> None:
        with self.conn:
            self.conn.execute(
                "UPDATE trials SET status = ?, objective = ?, feasible = ?, metrics = ?, run_id = ?, audit_path = ?, "
                "audit_ok = ?, config_fingerprint = ?, data_fingerprint = ?, fills_digest = ?, fills = ?, error = ?, "
                "worker = ?, finished_at = ?, elapsed_seconds = ?, run_seconds = ? WHERE key = ?",
                [result.status, objective, int(feasible), json.dumps(result.metrics, sort_keys=True, default=str),
                 result.run_id, result.audit_path, None if result.audit_ok is None else int(result.audit_ok),
                 result.config_fingerprint, result.data_fingerprint, result.fills_digest, result.fills, result.error,
                 result.worker, _now(), result.elapsed_seconds, result.run_seconds, result.key])

    def trials(self) -> list[dict[str, Any]]:
        """Every trial row, ``params`` and ``metrics`` decoded, in candidate and window order."""
        rows = []
        for row in self.conn.execute("SELECT * FROM trials ORDER BY candidate, window_start, phase DESC"):
            item = dict(row)
            item["params"] = json.loads(item["params"])
            item["metrics"] = json.loads(item["metrics"]) if item["metrics"] else {}
            rows.append(item)
        return rows

    def trial(self, key: str) -> dict[str, Any] | None:
        return next((t for t in self.trials() if t["key"] == key), None)
