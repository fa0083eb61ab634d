"""Fixtures for the audit tests: real SQLite files in tmp_path, a stamping event factory."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loguru import logger

from engine.audit import AuditWriter, open_audit_db
from engine.events import EVENT_TYPES, Event

#: Plausible field values for one event of every type (the envelope is stamped separately).
SAMPLE_FIELDS: dict[str, dict[str, Any]] = {
    "run_started": {"mode": "live", "config_path": "config.yaml", "account": "8800001234",
                    "engine_version": "0.1.0", "settings": {"max_order_value": "50000.00"}},
    "run_stopped": {"reason": "completed", "summary": {"orders": 1, "fees": "5.00"}},
    "risk_decision": {"client_order_id": "c-1", "strategy": "ma_cross", "code": "600000.SH",
                      "side": "buy", "volume": 100, "price": "10.50", "allowed": True,
                      "rule": "max_order_value", "plugin": "default_risk", "reason": "",
                      "value": "1050.00", "limit": "50000.00"},
    "order_denied": {"client_order_id": "c-1", "strategy": "ma_cross", "code": "600000.SH",
                     "side": "buy", "volume": 100, "price": "10.50", "rule": "max_order_value",
                     "plugin": "default_risk", "reason": "too big"},
    "order_intent": {"client_order_id": "c-1", "strategy": "ma_cross", "code": "600000.SH",
                     "side": "buy", "volume": 100, "price": "10.50", "price_type": 11},
    "order_submitted": {"client_order_id": "c-1", "request_seq": 7, "result": 7, "detail": ""},
    "order_update": {"client_order_id": "c-1", "order_id": 1001, "order_sysid": "S1", "status": 50,
                     "status_label": "reported", "previous_status": 48, "traded_volume": 0},
    "fill": {"trade_id": "T1", "client_order_id": "c-1", "order_id": 1001, "strategy": "ma_cross",
             "code": "600000.SH", "side": "buy", "price": "10.50", "volume": 100,
             "amount": "1050.00", "commission": "5.00", "traded_time": "2025-01-02T09:31:00"},
    "order_error": {"client_order_id": "c-1", "order_id": 1001, "strategy": "ma_cross",
                    "error_id": -61, "error_msg": "资金不足"},
    "cancel_request": {"client_order_id": "c-1", "order_id": 1001, "strategy": "ma_cross", "result": 0},
    "cancel_error": {"client_order_id": "c-1", "order_id": 1001, "strategy": "ma_cross",
                     "error_id": -1, "error_msg": "order already final"},
    "connection": {"kind": "connected", "session_id": 123456, "detail": ""},
    "plugin_error": {"plugin": "ma_cross", "hook": "on_tick", "error_type": "ZeroDivisionError",
                     "error": "division by zero", "traceback": "Traceback ...",
                     "hook_input": "Tick(600000.SH)", "consecutive_failures": 1, "faulted": False},
    "job_run": {"job": "close_out", "target": "ma_cross", "scheduled_for": "2025-01-02T14:55:00",
                "outcome": "ok", "duration_ms": 1.5, "error": ""},
    "trading_state": {"scope": "account", "previous": "ACTIVE", "current": "HALTED",
                      "cause": "daily loss limit"},
    "reconciliation": {"kind": "position", "subject": "600000.SH", "engine_value": "100",
                       "broker_value": "200", "action": "took the broker's position"},
    "alert": {"kind": "market_data_silent", "detail": "no tick for 60 s in trading hours"},
    "daily_statement": {"day": "2025-01-02", "statement": {"account": {"pnl": "12.30"}, "strategies": {}}},
    "equity_mark": {"kind": "intraday", "cash": "998940.00", "frozen_cash": "0.00", "market_value": "1055.00",
                    "total_asset": "999995.00", "pnl_today": "-5.00",
                    "positions": '{"600000.SH":{"volume":100,"price":"10.55","avg_price":"10.5525","pnl":"-0.25"}}',
                    "strategies": '{"ma_cross":"-5.00"}'},
    "strategy_state": {"strategy": "ma_cross", "state": '{"signals":3}'},
}


class EventFactory:
    """Builds events of one run and stamps run_id, a monotonic seq and an advancing ts."""

    def __init__(self, run_id: str = "run-1", start: dt.datetime = dt.datetime(2025, 1, 2, 9, 30)) -> None:
        self.run_id = run_id
        self.seq = 0
        self.clock = start

    def __call__(self, name: str, **fields: Any) -> Event:
        event = EVENT_TYPES[name](**{**SAMPLE_FIELDS[name], **fields})
        return self.stamp(event)

    def stamp(self, event: Event) -> Event:
        self.seq += 1
        self.clock += dt.timedelta(seconds=1)
        event.run_id, event.seq, event.ts = self.run_id, self.seq, self.clock.isoformat()
        return event


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


@pytest.fixture
def events() -> EventFactory:
    return EventFactory()


@pytest.fixture
def writer(db_path: Path) -> Iterator[AuditWriter]:
    """A writer with a long flush interval: batched rows reach the file only on flush/close/full batch."""
    audit = AuditWriter(db_path, batch_size=500, flush_interval=30.0)
    try:
        yield audit
    finally:
        audit.close()  # raises if a test left a write error unconsumed


@pytest.fixture
def reader(db_path: Path, writer: AuditWriter) -> Iterator[sqlite3.Connection]:
    """A second, independent connection to the writer's file (what the CLI or datasette would see)."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def log_messages() -> Iterator[list[str]]:
    """Loguru records (level and message) emitted during the test."""
    messages: list[str] = []
    sink_id = logger.add(lambda m: messages.append(f"{m.record['level'].name} {m.record['message']}"), level="DEBUG")
    try:
        yield messages
    finally:
        logger.remove(sink_id)


@pytest.fixture
def audit_db(db_path: Path):
    db = open_audit_db(db_path)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(scope="module")
def day_db(tmp_path_factory: pytest.TempPathFactory):
    """The trading day of ``scenario.py`` in a real file, opened read-side (create=False)."""
    from .scenario import write_trading_day

    path = tmp_path_factory.mktemp("day") / "audit.db"
    write_trading_day(path)
    db = open_audit_db(path, create=False)
    try:
        yield db
    finally:
        db.close()
