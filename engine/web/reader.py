"""Read-only queries of the audit database for the web app.

Every call opens its own SQLite connection with ``mode=ro`` (URI) and
``PRAGMA query_only``, so the web process cannot write the file even by
mistake, and closes it after the call. The listings reuse
:mod:`engine.audit.queries` (the same answers as ``qmt-engine audit``).

"The current run" is the run written last; "today" is the engine clock's date
of that run's latest event (simulated time in a replay).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from loguru import logger
from sqlite_utils import Database

from ..audit import queries
from ..audit.errors import AuditRunNotFoundError

#: tables whose newest ``ts`` tells the engine clock of a run
_CLOCK_TABLES = ("equity_marks", "order_updates", "order_intents", "order_denials", "connection_events",
                 "trading_states", "job_runs", "alerts", "fills")


class AuditUnavailable(RuntimeError):
    """The audit database is missing or not readable yet (no engine has run with this config)."""


class AuditReader:
    """Read-only views of one audit database file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection for one request (``mode=ro``: SQLite refuses every write)."""
        if not self.path.exists():
            raise AuditUnavailable(f"no audit database at {self.path} yet (start the engine with this config)")
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        except sqlite3.Error as exc:
            raise AuditUnavailable(f"cannot open {self.path} read-only: {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only = ON")
            yield conn
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise AuditUnavailable(f"{self.path} has no audit schema yet: {exc}") from exc
            raise
        finally:
            conn.close()

    @contextmanager
    def database(self) -> Iterator[Database]:
        with self.connect() as conn:
            yield Database(conn, execute_plugins=False, recursive_triggers=False)

    # -- change detection ------------------------------------------------------------------

    def version(self) -> str:
        """Changes with every commit of the audit writer (its hash-chain block number and the latest run)."""
        try:
            with self.connect() as conn:
                block = conn.execute("SELECT COALESCE(MAX(block), 0) FROM audit_chain").fetchone()[0]
                run = conn.execute("SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 1").fetchone()
        except AuditUnavailable:
            return "none"
        return f"{run[0] if run else '-'}:{block}"

    # -- the current run -------------------------------------------------------------------

    def latest_run(self, conn: sqlite3.Connection) -> dict[str, Any] | None:
        row = conn.execute("SELECT * FROM run_overview ORDER BY run_order DESC LIMIT 1").fetchone()
        return dict(row) if row else None

    def overview(self, run_id: str | None = None, *, alerts: int = 10) -> dict[str, Any]:
        """Everything the overview page shows, for ``run_id`` (default: the current run)."""
        with self.connect() as conn:
            run = self._run(conn, run_id)
            if run is None:
                return {"run": None}
            rid = run["run_id"]
            clock = self._engine_clock(conn, rid) or run["started_at"]
            day = clock[:10]
            last_write = conn.execute("SELECT MAX(committed_at) FROM audit_chain").fetchone()[0]
            connection = _one(conn, "SELECT kind, session_id, detail, ts FROM connection_events WHERE run_id = ? "
                                    "ORDER BY seq DESC LIMIT 1", rid)
            snapshot = _one(conn, "SELECT * FROM equity_marks WHERE run_id = ? ORDER BY seq DESC LIMIT 1", rid)
            curve = [dict(r) for r in conn.execute(
                "SELECT ts, total_asset, pnl_today FROM equity_marks WHERE run_id = ? AND substr(ts, 1, 10) = ? "
                "ORDER BY seq", (rid, day))]
            counts = {name: conn.execute(f"SELECT COUNT(*) FROM [{table}] WHERE run_id = ? AND substr(ts, 1, 10) = ?",
                                         (rid, day)).fetchone()[0]
                      for name, table in (("orders", "order_intents"), ("fills", "fills"),
                                          ("denials", "order_denials"), ("order_errors", "order_errors"))}
            alert_rows = [dict(r) for r in conn.execute(
                "SELECT ts, kind, detail FROM alerts WHERE run_id = ? ORDER BY seq DESC LIMIT ?", (rid, alerts))]
            faults = [dict(r) for r in conn.execute(
                "SELECT ts, plugin, hook, error_type, error FROM plugin_errors WHERE run_id = ? AND faulted = 1 "
                "ORDER BY seq DESC LIMIT 5", (rid,))]
            states = self._states(conn, rid)
        return {
            "run": _decoded(run), "running": run["stopped_at"] is None, "engine_clock": clock, "day": day,
            "last_write": last_write, "connection": connection, "phase": market_phase(clock),
            "account": _snapshot(snapshot), "curve": curve, "counts": counts, "alerts": alert_rows,
            "faults": faults, "states": states,
        }

    def positions(self, run_id: str | None = None) -> dict[str, Any]:
        with self.connect() as conn:
            run = self._run(conn, run_id)
            if run is None:
                return {"run": None, "positions": [], "account": None}
            snapshot = _one(conn, "SELECT * FROM equity_marks WHERE run_id = ? ORDER BY seq DESC LIMIT 1",
                            run["run_id"])
        account = _snapshot(snapshot)
        return {"run": _decoded(run), "account": account, "positions": account["positions"] if account else []}

    def jobs(self, run_id: str | None = None, limit: int = 100) -> dict[str, Any]:
        with self.connect() as conn:
            run = self._run(conn, run_id)
            if run is None:
                return {"run": None, "jobs": [], "runs": []}
            rid = run["run_id"]
            summary = [dict(r) for r in conn.execute(
                """SELECT job, target, COUNT(*) AS runs, SUM(outcome = 'ok') AS ok, SUM(outcome = 'error') AS errors,
                          SUM(outcome = 'skipped') AS skipped, MAX(ts) AS last_at,
                          (SELECT outcome FROM job_runs j2 WHERE j2.run_id = j.run_id AND j2.job = j.job
                           ORDER BY seq DESC LIMIT 1) AS last_outcome
                   FROM job_runs j WHERE run_id = ? GROUP BY job ORDER BY job""", (rid,))]
            recent = [dict(r) for r in conn.execute(
                "SELECT ts, job, target, scheduled_for, outcome, duration_ms, error FROM job_runs WHERE run_id = ? "
                "ORDER BY seq DESC LIMIT ?", (rid, limit))]
        return {"run": _decoded(run), "jobs": summary, "runs": recent}

    def statements(self, run_id: str) -> list[dict[str, Any]]:
        with self.connect() as conn:
            rows = conn.execute("SELECT day, statement FROM daily_statements WHERE run_id = ? ORDER BY seq",
                                (run_id,)).fetchall()
        return [{"day": r["day"], "statement": _json(r["statement"])} for r in rows]

    # -- listings shared with `qmt-engine audit` ---------------------------------------------

    def orders(self, limit: int = 100, run_id: str | None = None) -> list[dict[str, Any]]:
        with self.database() as db:
            return queries.recent_orders(db, limit, run_id or queries.latest_run_id(db))

    def order_story(self, client_order_id: str) -> list[dict[str, Any]]:
        with self.database() as db:
            return queries.order_story(db, client_order_id)

    def fills(self, limit: int = 100, run_id: str | None = None) -> list[dict[str, Any]]:
        with self.database() as db:
            return queries.fills(db, limit, run_id or queries.latest_run_id(db))

    def denials(self, limit: int = 100, run_id: str | None = None) -> list[dict[str, Any]]:
        with self.database() as db:
            return queries.denials(db, limit, run_id or queries.latest_run_id(db))

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.database() as db:
            return queries.runs(db, limit)

    def run_summary(self, run_id: str) -> dict[str, Any]:
        with self.database() as db:
            return queries.run_summary(db, run_id)

    def run_metrics(self, run_id: str) -> dict[str, Any] | None:
        """The run's headline figures (:func:`engine.results.run_metrics`), or None where they cannot be
        computed (no equity marks, e.g. a file older than m006)."""
        from ..results import run_metrics

        with self.database() as db:
            try:
                return run_metrics(db, run_id)
            except AuditRunNotFoundError:
                raise
            except Exception:  # noqa: BLE001 - the page shows the run without its figures
                logger.opt(exception=True).debug("web: no metrics for run {}", run_id)
                return None

    def report_html(self, run_id: str) -> str:
        """The run's report page (:func:`engine.results.render_report_html`)."""
        from ..results import render_report_html

        with self.database() as db:
            return render_report_html(db, run_id)

    # -- helpers ---------------------------------------------------------------------------

    def _run(self, conn: sqlite3.Connection, run_id: str | None) -> dict[str, Any] | None:
        if run_id is None:
            return self.latest_run(conn)
        row = conn.execute("SELECT * FROM run_overview WHERE run_id = ?", (run_id,)).fetchone()
        return dict(row) if row else None

    def _engine_clock(self, conn: sqlite3.Connection, run_id: str) -> str | None:
        union = " UNION ALL ".join(f"SELECT MAX(ts) AS ts FROM [{t}] WHERE run_id = :run" for t in _CLOCK_TABLES)
        return conn.execute(f"SELECT MAX(ts) FROM ({union})", {"run": run_id}).fetchone()[0]

    def _states(self, conn: sqlite3.Connection, run_id: str) -> dict[str, dict[str, Any]]:
        rows = conn.execute(
            """SELECT scope, current, cause, ts FROM trading_states
               WHERE rowid IN (SELECT MAX(rowid) FROM trading_states WHERE run_id = ? GROUP BY scope)""",
            (run_id,)).fetchall()
        return {r["scope"]: {"state": r["current"], "cause": r["cause"], "since": r["ts"]} for r in rows}


def market_phase(clock: str | None) -> str:
    """The A-share session phase at an engine-clock time (the calendar's holidays are not checked here)."""
    if not clock:
        return "unknown"
    try:
        when = dt.datetime.fromisoformat(clock)
    except ValueError:
        return "unknown"
    if when.weekday() >= 5:
        return "closed"
    t = when.time()
    bounds = ((dt.time(9, 15), "closed"), (dt.time(9, 25), "open_auction"), (dt.time(9, 30), "pre_open"),
              (dt.time(11, 30), "continuous"), (dt.time(13, 0), "lunch"), (dt.time(14, 57), "continuous"),
              (dt.time(15, 0), "close_auction"))
    for end, phase in bounds:
        if t < end:
            return phase
    return "closed"


def _one(conn: sqlite3.Connection, sql: str, *params: Any) -> dict[str, Any] | None:
    row = conn.execute(sql, params).fetchone()
    return dict(row) if row else None


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _decoded(run: dict[str, Any]) -> dict[str, Any]:
    return {**run, "settings": _json(run.get("settings")), "summary": _json(run.get("summary"))}


def _snapshot(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    held = _json(row.get("positions")) or {}
    positions = [{"code": code, **{("last_price" if key == "price" else key): value for key, value in p.items()}}
                 for code, p in held.items()]
    return {**row, "positions": positions, "strategies": _json(row.get("strategies")) or {}}
