"""Read-only queries behind ``qmt-engine audit``: each takes a ``Database`` and returns plain dicts.

Open the file with ``open_audit_db(path, create=False)``. Conventions:

* Newest first. Runs are ordered by the order they were written
  (``run_scopes.run_order``), events within a run by ``seq``; ``ts`` is the
  engine clock (simulated in replays) and is shown, never used to order runs.
* ``run_id=None`` means every run.
* Money stays exact: prices and amounts are decimal strings; sums and averages
  are computed with ``Decimal`` in Python, not with SQL REAL arithmetic.
* Fills are counted once per execution (view ``fill_facts``): a fill that a
  later live run re-read after a restart is a repeat, not a new fill.

A day's statement (:func:`day_statement`, orders by final status, fills, fees,
turnover and average-cost P&L per strategy) lives in :mod:`engine.audit.statement`
and is re-exported here.
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlite_utils import Database

from .errors import AuditRunNotFoundError
from .statement import day_statement
from .tables import EVENT_TABLES

__all__ = [
    "connections", "day_statement", "denials", "errors", "fills", "latest_run_id", "order_story",
    "recent_orders", "run_summary", "runs",
]

_AVG_PRICE_PLACES = Decimal("0.0001")
_ZERO = Decimal("0")

#: Tables that make up one order's story, with the event name shown for each.
_STORY_TABLES: tuple[str, ...] = (
    "risk_decisions", "order_denials", "order_intents", "order_submissions", "order_updates",
    "fills", "order_errors", "cancel_requests", "cancel_errors",
)
_EVENT_OF_TABLE: dict[str, str] = {entry.table: name for name, entry in EVENT_TABLES.items()}


def recent_orders(db: Database, limit: int = 20, run_id: str | None = None) -> list[dict[str, Any]]:
    """One row per order that passed risk: the intent, its latest status and its fills.

    Keys: the intent (``run_id, seq, ts, client_order_id, strategy, code, side,
    volume, price, price_type, external``), the latest update (``order_id,
    order_sysid, status, status_label, status_msg, traded_volume, updated_at``;
    ``None`` before the first push) and from the fills ``filled_volume``,
    ``avg_price`` (string, 4 places, ``None`` without fills) and ``fees``.
    An order's updates and fills are found by ``client_order_id`` in the same
    run, or in any live run on the same account (an order outlives a restart).
    """
    orders = _query(db, _RECENT_ORDERS_SQL, {"run_id": run_id, "limit": _check_limit(limit)})
    totals = _fill_totals(db, {(o["scope"], o["client_order_id"]) for o in orders})
    for order in orders:
        volume, amount, fees = totals.get((order.pop("scope"), order["client_order_id"]), (0, _ZERO, _ZERO))
        order["filled_volume"] = volume
        order["avg_price"] = str((amount / volume).quantize(_AVG_PRICE_PLACES, ROUND_HALF_UP)) if volume else None
        order["fees"] = str(fees)
    return orders


_RECENT_ORDERS_SQL = """
WITH latest AS (
    SELECT s.scope, u.client_order_id, u.order_id, u.order_sysid, u.status, u.status_label,
           u.status_msg, u.traded_volume, u.ts AS updated_at,
           ROW_NUMBER() OVER (PARTITION BY s.scope, u.client_order_id
                              ORDER BY s.run_order DESC, u.seq DESC) AS newest
    FROM order_updates u JOIN run_scopes s ON s.run_id = u.run_id
)
SELECT i.run_id, i.seq, i.ts, i.client_order_id, i.strategy, i.code, i.side, i.volume, i.price,
       i.price_type, i.external, l.order_id, l.order_sysid, l.status, l.status_label, l.status_msg,
       l.traded_volume, l.updated_at, s.scope
FROM order_intents i
JOIN run_scopes s ON s.run_id = i.run_id
LEFT JOIN latest l ON l.scope = s.scope AND l.client_order_id = i.client_order_id AND l.newest = 1
WHERE (:run_id IS NULL OR i.run_id = :run_id)
ORDER BY s.run_order DESC, i.seq DESC
LIMIT :limit
"""


def _fill_totals(db: Database, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, Decimal, Decimal]]:
    """(scope, client_order_id) -> (volume, amount, commission) over distinct executions."""
    if not keys:
        return {}
    order_ids = sorted({client_order_id for _, client_order_id in keys})
    marks = ", ".join("?" for _ in order_ids)
    sql = (
        "SELECT scope, client_order_id, volume, amount, commission FROM fill_facts "
        f"WHERE is_repeat = 0 AND client_order_id IN ({marks})"
    )
    totals: dict[tuple[str, str], tuple[int, Decimal, Decimal]] = {}
    for row in db.query(sql, order_ids):
        key = (row["scope"], row["client_order_id"])
        volume, amount, fees = totals.get(key, (0, _ZERO, _ZERO))
        totals[key] = (volume + (row["volume"] or 0), amount + _dec(row["amount"]), fees + _dec(row["commission"]))
    return totals


def fills(
    db: Database, limit: int = 50, run_id: str | None = None, include_repeats: bool = False
) -> list[dict[str, Any]]:
    """Executions, newest first. Repeats (re-read after a restart) only if ``include_repeats``.

    Keys: ``run_id, seq, ts, trade_id, client_order_id, order_id, strategy,
    code, side, price, volume, amount, commission, traded_time, is_repeat,
    first_seen_run_id``.
    """
    sql = """
SELECT run_id, seq, ts, trade_id, client_order_id, order_id, strategy, code, side, price, volume,
       amount, commission, traded_time, is_repeat, first_seen_run_id
FROM fill_facts
WHERE (:run_id IS NULL OR run_id = :run_id) AND (:repeats OR is_repeat = 0)
ORDER BY run_order DESC, seq DESC
LIMIT :limit
"""
    params = {"run_id": run_id, "repeats": int(bool(include_repeats)), "limit": _check_limit(limit)}
    return _query(db, sql, params)


def denials(db: Database, limit: int = 50, run_id: str | None = None) -> list[dict[str, Any]]:
    """Blocked order requests, newest first, with the denying rule's measured value and limit.

    Keys: ``run_id, seq, ts, client_order_id, strategy, code, side, volume,
    price, rule, plugin, reason, value, limit_value``.
    """
    sql = """
SELECT d.run_id, d.seq, d.ts, d.client_order_id, d.strategy, d.code, d.side, d.volume, d.price,
       d.rule, d.plugin, d.reason, r.value, r.limit_value
FROM order_denials d
JOIN run_scopes s ON s.run_id = d.run_id
LEFT JOIN risk_decisions r ON r.rowid = (
    SELECT rowid FROM risk_decisions
    WHERE run_id = d.run_id AND client_order_id = d.client_order_id AND allowed = 0
      AND rule IS d.rule AND plugin IS d.plugin
    ORDER BY seq LIMIT 1)
WHERE (:run_id IS NULL OR d.run_id = :run_id)
ORDER BY s.run_order DESC, d.seq DESC
LIMIT :limit
"""
    return _query(db, sql, {"run_id": run_id, "limit": _check_limit(limit)})


def errors(db: Database, limit: int = 50, run_id: str | None = None) -> list[dict[str, Any]]:
    """Order errors, cancel errors and plugin errors together, newest first.

    Keys: ``kind`` (``order_error``, ``cancel_error``, ``plugin_error``),
    ``run_id, seq, ts, client_order_id, order_id``, ``source`` (the strategy,
    or the failing plugin), ``hook, error_id, error_type, message, faulted``,
    ``detail`` (the traceback of a plugin error).
    """
    sql = """
SELECT e.* FROM (
    SELECT 'order_error' AS kind, run_id, seq, ts, client_order_id, order_id, strategy AS source,
           NULL AS hook, error_id, NULL AS error_type, error_msg AS message, NULL AS faulted,
           NULL AS detail
    FROM order_errors
    UNION ALL
    SELECT 'cancel_error', run_id, seq, ts, client_order_id, order_id, strategy, NULL, error_id,
           NULL, error_msg, NULL, NULL
    FROM cancel_errors
    UNION ALL
    SELECT 'plugin_error', run_id, seq, ts, NULL, NULL, plugin, hook, NULL, error_type, error,
           faulted, traceback
    FROM plugin_errors
) e
JOIN run_scopes s ON s.run_id = e.run_id
WHERE (:run_id IS NULL OR e.run_id = :run_id)
ORDER BY s.run_order DESC, e.seq DESC
LIMIT :limit
"""
    return _query(db, sql, {"run_id": run_id, "limit": _check_limit(limit)})


def connections(db: Database, limit: int = 50, run_id: str | None = None) -> list[dict[str, Any]]:
    """Connection events (connected, disconnected, reconnecting, ...), newest first.

    Keys: ``run_id, seq, ts, kind, session_id, detail``.
    """
    sql = """
SELECT c.run_id, c.seq, c.ts, c.kind, c.session_id, c.detail
FROM connection_events c JOIN run_scopes s ON s.run_id = c.run_id
WHERE (:run_id IS NULL OR c.run_id = :run_id)
ORDER BY s.run_order DESC, c.seq DESC
LIMIT :limit
"""
    return _query(db, sql, {"run_id": run_id, "limit": _check_limit(limit)})


def runs(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """Runs, newest first, with start, stop and why (``settings``/``summary`` decoded from JSON), and
    what their equity marks say.

    Keys: ``run_id, run_order, started_at, stopped_at, mode, config_path,
    account, engine_version, settings, stop_reason, summary``, then from the
    equity marks (``None`` without any): ``first_day, last_day, days,
    start_equity, end_equity, pnl`` (exact decimal strings) and ``total_return``
    (float), and from the settings ``config_fingerprint, data_fingerprint`` and
    ``params`` (strategy name -> its params). ``stopped_at`` is ``None`` for a
    run that is still going or crashed.
    """
    sql = """
SELECT o.*, r.days, r.start_equity, r.end_equity,
       (SELECT substr(MIN(ts), 1, 10) FROM equity_marks m WHERE m.run_id = o.run_id) AS first_day,
       (SELECT substr(MAX(ts), 1, 10) FROM equity_marks m WHERE m.run_id = o.run_id) AS last_day
FROM run_overview o LEFT JOIN run_results r ON r.run_id = o.run_id
ORDER BY o.run_order DESC LIMIT :limit"""
    rows = _query(db, sql, {"limit": _check_limit(limit)})
    for row in rows:
        row["settings"] = _json(row["settings"])
        row["summary"] = _json(row["summary"])
        start, end = row["start_equity"], row["end_equity"]
        row["pnl"] = str(_dec(end) - _dec(start)) if start is not None and end is not None else None
        row["total_return"] = float(_dec(end) / _dec(start) - 1) if start is not None and _dec(start) > 0 else None
        settings = row["settings"] if isinstance(row["settings"], dict) else {}
        row["config_fingerprint"] = settings.get("config_fingerprint")
        row["data_fingerprint"] = settings.get("data_fingerprint")
        row["params"] = {name: entry.get("params") for name, entry in (settings.get("strategies") or {}).items()}
    return rows


def latest_run_id(db: Database) -> str | None:
    """The run written last, or ``None`` for an empty database."""
    row = next(db.query("SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 1"), None)
    return None if row is None else row["run_id"]


def order_story(db: Database, client_order_id: str, run_id: str | None = None) -> list[dict[str, Any]]:
    """Every event about one order, in event order: decisions, denial or intent, submission,
    status updates, fills, errors, cancels.

    Each item: ``event`` (the event name, e.g. ``order_update``), ``table``,
    ``run_id, seq, ts`` and ``details`` (the row's other columns). Broker
    errors that carry no client order id are matched by the order's
    ``order_id`` within the same run. Empty list for an unknown order.
    """
    if not isinstance(client_order_id, str) or not client_order_id:
        raise ValueError(f"order_story: client_order_id must be a non-empty string, got {client_order_id!r}")
    return [item for _, _, item in _ordered_story(db, client_order_id, run_id)]


def _ordered_story(db: Database, client_order_id: str, run_id: str | None) -> list[tuple[int, int, dict[str, Any]]]:
    """:func:`order_story`'s items with their sort key (the run's order, the event's seq)."""
    story: list[tuple[int, int, dict[str, Any]]] = []
    for table in _STORY_TABLES:
        sql = (
            f"SELECT t.*, s.run_order FROM [{table}] t JOIN run_scopes s ON s.run_id = t.run_id "
            "WHERE t.client_order_id = :coid AND (:run_id IS NULL OR t.run_id = :run_id)"
        )
        story.extend(_story_item(table, row) for row in db.query(sql, {"coid": client_order_id, "run_id": run_id}))
    story.extend(_unmatched_broker_errors(db, story))
    story.sort(key=lambda item: (item[0], item[1]))
    return story


def parent_story(db: Database, parent_id: str, run_id: str | None = None) -> list[dict[str, Any]]:
    """Every event about the children of one execution algorithm's parent (``ctx.execute``), in event order.

    Children are the order intents whose note begins ``parent=<parent_id> `` (the engine writes it for
    every child); each item is an :func:`order_story` item with ``child`` (its client order id) added.
    Empty list when no child names this parent.
    """
    if not isinstance(parent_id, str) or not parent_id:
        raise ValueError(f"parent_story: parent_id must be a non-empty string, got {parent_id!r}")
    pattern = "parent=" + parent_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %"
    children = [row["client_order_id"] for row in db.query(
        "SELECT client_order_id FROM order_intents WHERE note LIKE :pattern ESCAPE '\\' "
        "AND (:run_id IS NULL OR run_id = :run_id) ORDER BY rowid", {"pattern": pattern, "run_id": run_id})]
    story: list[tuple[int, int, dict[str, Any]]] = []
    for child in dict.fromkeys(children):
        story.extend((run_order, seq, {**item, "child": child})
                     for run_order, seq, item in _ordered_story(db, child, run_id))
    story.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in story]


def _story_item(table: str, row: dict[str, Any]) -> tuple[int, int, dict[str, Any]]:
    run_order = row.pop("run_order")
    envelope = {key: row.pop(key) for key in ("run_id", "seq", "ts")}
    item = {"event": _EVENT_OF_TABLE[table], "table": table, **envelope, "details": row}
    return run_order, envelope["seq"], item


def _unmatched_broker_errors(
    db: Database, story: list[tuple[int, int, dict[str, Any]]]
) -> list[tuple[int, int, dict[str, Any]]]:
    """Order/cancel errors with no client order id whose (run_id, order_id) belongs to this order."""
    order_keys = {
        (item["run_id"], item["details"].get("order_id"))
        for _, _, item in story
        if item["details"].get("order_id") is not None
    }
    found = []
    for table in ("order_errors", "cancel_errors"):
        sql = (
            f"SELECT t.*, s.run_order FROM [{table}] t JOIN run_scopes s ON s.run_id = t.run_id "
            "WHERE t.client_order_id IS NULL AND t.run_id = ? AND t.order_id = ?"
        )
        for run_id, order_id in sorted(order_keys):
            found.extend(_story_item(table, row) for row in db.query(sql, [run_id, order_id]))
    return found


def run_summary(db: Database, run_id: str) -> dict[str, Any]:
    """Totals of one run: orders, final statuses, fills, volume, turnover, fees, denials, errors.

    :raises AuditRunNotFoundError: no run with this id.
    """
    run = next(db.query("SELECT * FROM run_overview WHERE run_id = ?", [run_id]), None)
    if run is None:
        raise AuditRunNotFoundError(f"audit: no run {run_id!r} in this database")
    summary: dict[str, Any] = {
        "run_id": run_id, "mode": run["mode"], "started_at": run["started_at"],
        "stopped_at": run["stopped_at"], "stop_reason": run["stop_reason"],
    }
    marks = db.execute("SELECT start_equity, end_equity FROM run_results WHERE run_id = ?", [run_id]).fetchone()
    if marks is not None and marks[0] is not None:
        summary.update(start_equity=marks[0], end_equity=marks[1], pnl=str(_dec(marks[1]) - _dec(marks[0])))
    summary.update(_count_rows(db, run_id))
    summary.update(_fill_summary(db, run_id))
    summary["order_statuses"] = _final_statuses(db, run_id)
    summary["faulted_plugins"] = [
        row["plugin"] for row in db.query(
            "SELECT DISTINCT plugin FROM plugin_errors WHERE run_id = ? AND faulted = 1 ORDER BY plugin", [run_id]
        )
    ]
    return summary


_COUNTS: dict[str, str] = {
    "orders": "SELECT count(*) FROM order_intents WHERE run_id = ?",
    "external_orders": "SELECT count(*) FROM order_intents WHERE run_id = ? AND external = 1",
    "risk_decisions": "SELECT count(*) FROM risk_decisions WHERE run_id = ?",
    "denials": "SELECT count(*) FROM order_denials WHERE run_id = ?",
    "failed_submissions": "SELECT count(*) FROM order_submissions WHERE run_id = ? AND result < 0",
    "order_errors": "SELECT count(*) FROM order_errors WHERE run_id = ?",
    "cancel_requests": "SELECT count(*) FROM cancel_requests WHERE run_id = ?",
    "cancel_errors": "SELECT count(*) FROM cancel_errors WHERE run_id = ?",
    "plugin_errors": "SELECT count(*) FROM plugin_errors WHERE run_id = ?",
    "disconnects": "SELECT count(*) FROM connection_events WHERE run_id = ? AND kind = 'disconnected'",
}


def _count_rows(db: Database, run_id: str) -> dict[str, int]:
    return {key: db.execute(sql, [run_id]).fetchone()[0] for key, sql in _COUNTS.items()}


def _fill_summary(db: Database, run_id: str) -> dict[str, Any]:
    count = repeats = volume = 0
    turnover = fees = _ZERO
    sql = "SELECT is_repeat, volume, amount, commission FROM fill_facts WHERE run_id = ?"
    for row in db.query(sql, [run_id]):
        if row["is_repeat"]:
            repeats += 1
            continue
        count += 1
        volume += row["volume"] or 0
        turnover += _dec(row["amount"])
        fees += _dec(row["commission"])
    return {
        "fills": count, "repeat_fills": repeats, "filled_volume": volume,
        "turnover": str(turnover), "fees": str(fees),
    }


def _final_statuses(db: Database, run_id: str) -> dict[str, int]:
    """Status label -> number of this run's orders whose latest update in the run has it."""
    sql = """
SELECT status_label FROM (
    SELECT status_label, ROW_NUMBER() OVER (PARTITION BY client_order_id ORDER BY seq DESC) AS newest
    FROM order_updates WHERE run_id = ?
) WHERE newest = 1
"""
    return dict(Counter(row["status_label"] for row in db.query(sql, [run_id])))


def _query(db: Database, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return list(db.query(sql, params))


def _check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"audit query: limit must be an int >= 1, got {limit!r}")
    return limit


def _dec(value: Any) -> Decimal:
    return _ZERO if value in (None, "") else Decimal(str(value))


def _json(value: str | None) -> Any:
    return None if value is None else json.loads(value)
