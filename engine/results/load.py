"""Read one run from an audit database: its record, equity marks and fills (nothing else is needed).

Money stays exact here: amounts are ``Decimal`` from the TEXT columns; the
metrics turn the equity into floats only where ratios are computed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..audit import open_audit_db
from ..audit.errors import AuditRunNotFoundError

__all__ = ["Fill", "Mark", "RunData", "load_run", "open_db", "resolve_run_id"]

_ZERO = Decimal("0")


@dataclass(frozen=True)
class Mark:
    """One equity mark: the account's value at ``ts``."""

    seq: int
    ts: dt.datetime
    kind: str
    cash: Decimal
    frozen_cash: Decimal
    market_value: Decimal
    total_asset: Decimal
    positions: dict[str, tuple[int, Decimal | None]]  # code -> (volume, last price)

    @property
    def day(self) -> dt.date:
        return self.ts.date()


@dataclass(frozen=True)
class Fill:
    """One execution the run owns (repeats seen after a restart are left out)."""

    seq: int
    ts: dt.datetime
    client_order_id: str
    strategy: str
    code: str
    side: str  # buy | sell
    price: Decimal
    volume: int
    amount: Decimal
    commission: Decimal
    earlier: bool = False  # True: a fill of an earlier run of the same account (it seeds holdings only)

    @property
    def day(self) -> dt.date:
        return self.ts.date()


@dataclass
class RunData:
    """Everything the results are computed from."""

    run_id: str
    mode: str
    scope: str
    started_at: str
    stopped_at: str | None
    stop_reason: str | None
    settings: dict[str, Any]
    summary: dict[str, Any]
    marks: list[Mark] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)  # earlier ones (``earlier=True``) first
    orders: int = 0
    denials: int = 0
    database: str = ""

    @property
    def own_fills(self) -> list[Fill]:
        return [f for f in self.fills if not f.earlier]


def open_db(db: Database | str | Path) -> tuple[Database, bool]:
    """``(database, opened_here)``: an open Database passes through; a path is opened read-side."""
    if isinstance(db, Database):
        return db, False
    return open_audit_db(Path(db), create=False, read_only=True), True


def resolve_run_id(db: Database, run: str | None) -> str:
    """The run ``run`` names: an exact id, a unique prefix of one, or None / ``latest`` for the last run written.

    :raises AuditRunNotFoundError: no such run (or a prefix that matches several).
    """
    if run in (None, "", "latest"):
        row = db.execute("SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 1").fetchone()
        if row is None:
            raise AuditRunNotFoundError("audit: this database has no runs yet")
        return row[0]
    if db.execute("SELECT 1 FROM runs WHERE run_id = ?", [run]).fetchone():
        return run
    matches = [r[0] for r in db.execute("SELECT run_id FROM runs WHERE run_id LIKE ? ORDER BY rowid",
                                         [run.replace("%", "").replace("_", "") + "%"])]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AuditRunNotFoundError(f"audit: run {run!r} is ambiguous: {', '.join(matches[:5])}")
    raise AuditRunNotFoundError(f"audit: no run {run!r} in this database (qmt-engine audit runs lists them)")


def _dec(value: Any) -> Decimal:
    return _ZERO if value in (None, "") else Decimal(str(value))


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _marks(db: Database, run_id: str) -> list[Mark]:
    if "equity_marks" not in db.table_names():
        return []
    rows = db.execute("SELECT seq, ts, kind, cash, frozen_cash, market_value, total_asset, positions "
                      "FROM equity_marks WHERE run_id = ? ORDER BY seq", [run_id]).fetchall()
    marks = []
    for seq, ts, kind, cash, frozen, value, total, positions in rows:
        held = {code: (int(p.get("volume") or 0), _dec(p["price"]) if p.get("price") else None)
                for code, p in (json.loads(positions) if positions else {}).items()}
        marks.append(Mark(seq, _time(ts), kind, _dec(cash), _dec(frozen), _dec(value), _dec(total), held))
    return marks


def _fills(db: Database, run_id: str, scope: str, run_order: int) -> list[Fill]:
    """The scope's earlier executions (live: the same account's earlier runs) and then this run's own."""
    sql = """
SELECT run_id, seq, ts, client_order_id, strategy, code, side, price, volume, amount, commission
FROM fill_facts WHERE is_repeat = 0 AND scope = ? AND (run_id = ? OR run_order < ?)
ORDER BY run_order, seq"""
    fills = []
    for run, seq, ts, coid, strategy, code, side, price, volume, amount, commission in db.execute(
            sql, [scope, run_id, run_order]):
        fills.append(Fill(seq, _time(ts), coid or "", strategy or "", code or "", side or "buy", _dec(price),
                          int(volume or 0), _dec(amount), _dec(commission), earlier=run != run_id))
    return fills


def load_run(db: Database, run_id: str) -> RunData:
    """Read one run. :raises AuditRunNotFoundError: no run ``run_id``."""
    row = db.execute("SELECT o.run_id, o.mode, o.started_at, o.stopped_at, o.stop_reason, o.settings, o.summary, "
                     "s.scope, s.run_order FROM run_overview o JOIN run_scopes s ON s.run_id = o.run_id "
                     "WHERE o.run_id = ?", [run_id]).fetchone()
    if row is None:
        raise AuditRunNotFoundError(f"audit: no run {run_id!r} in this database")
    run, mode, started, stopped, reason, settings, summary, scope, run_order = row
    data = RunData(run, mode, scope, started, stopped, reason, json.loads(settings) if settings else {},
                   json.loads(summary) if summary else {}, database=str(db.conn.execute("PRAGMA database_list")
                                                                       .fetchone()[2] or ""))
    data.marks = _marks(db, run_id)
    data.fills = _fills(db, run_id, scope, run_order)
    data.orders = db.execute("SELECT COUNT(*) FROM order_intents WHERE run_id = ?", [run_id]).fetchone()[0]
    data.denials = db.execute("SELECT COUNT(*) FROM order_denials WHERE run_id = ?", [run_id]).fetchone()[0]
    return data
