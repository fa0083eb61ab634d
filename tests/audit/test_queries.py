"""The read-only queries on the small realistic day of ``scenario.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from engine.audit import AuditRunNotFoundError, open_audit_db, queries


def test_runs_newest_first_with_stop(day_db: Database) -> None:
    rows = queries.runs(day_db, limit=10)
    assert [r["run_id"] for r in rows] == ["paper-1", "live-2", "live-1"]
    live1 = rows[2]
    assert live1["stop_reason"] == "signal" and live1["summary"] == {"orders": 3}
    assert live1["account"] == "******1234"
    assert live1["started_at"] == "2025-01-02T09:30:01" and live1["stopped_at"] is not None
    assert rows[0]["stopped_at"] is None
    assert queries.runs(day_db, limit=1)[0]["run_id"] == "paper-1"


def test_latest_run_id(day_db: Database, tmp_path: Path) -> None:
    assert queries.latest_run_id(day_db) == "paper-1"
    empty = open_audit_db(tmp_path / "empty.db")
    try:
        assert queries.latest_run_id(empty) is None
        assert queries.recent_orders(empty) == []
    finally:
        empty.close()


def test_recent_orders(day_db: Database) -> None:
    rows = {r["client_order_id"]: r for r in queries.recent_orders(day_db, run_id="live-1")}
    assert list(rows) == ["c-4", "c-3", "c-1"]  # newest first; the denied c-2 never became an order
    c1 = rows["c-1"]
    assert (c1["status"], c1["status_label"], c1["traded_volume"]) == (56, "filled", 300)
    assert c1["filled_volume"] == 300 and c1["fees"] == "10.00"
    assert c1["avg_price"] == "10.5067"  # (2100.00 + 1052.00) / 300
    assert c1["price"] == "10.50" and c1["order_id"] == 1001
    c3 = rows["c-3"]
    assert c3["status_label"] == "rejected" and c3["status_msg"] == "资金不足"
    assert c3["filled_volume"] == 0 and c3["avg_price"] is None and c3["fees"] == "0"
    c4 = rows["c-4"]  # the restart's update is the latest word; the re-read fill counts once
    assert c4["status_label"] == "partly cancelled" and c4["filled_volume"] == 100 and c4["avg_price"] == "9.8000"


def test_recent_orders_all_runs_and_limit(day_db: Database) -> None:
    everything = queries.recent_orders(day_db)
    assert [r["client_order_id"] for r in everything] == ["p-1", "c-4", "c-3", "c-1"]
    assert everything[0]["status"] is None and everything[0]["filled_volume"] == 100
    assert len(queries.recent_orders(day_db, limit=2)) == 2
    with pytest.raises(ValueError, match="limit"):
        queries.recent_orders(day_db, limit=0)


def test_fills_count_each_execution_once(day_db: Database) -> None:
    rows = queries.fills(day_db, limit=50)
    assert [(r["run_id"], r["trade_id"]) for r in rows] == [
        ("paper-1", "T1"), ("live-1", "T3"), ("live-1", "T2"), ("live-1", "T1")]
    assert all(r["is_repeat"] == 0 for r in rows)
    with_repeats = queries.fills(day_db, limit=50, include_repeats=True)
    repeat = [r for r in with_repeats if r["is_repeat"]]
    assert [(r["run_id"], r["trade_id"], r["first_seen_run_id"]) for r in repeat] == [("live-2", "T3", "live-1")]
    assert queries.fills(day_db, run_id="live-2") == []
    assert [r["price"] for r in queries.fills(day_db, run_id="live-1", limit=1)] == ["9.80"]


def test_denials_with_value_and_limit(day_db: Database) -> None:
    rows = queries.denials(day_db)
    assert len(rows) == 1
    denial = rows[0]
    assert denial["client_order_id"] == "c-2" and denial["rule"] == "max_order_value"
    assert (denial["value"], denial["limit_value"]) == ("60000.00", "50000.00")
    assert denial["reason"] == "order value 60000.00 > 50000.00"
    assert queries.denials(day_db, run_id="live-2") == []


def test_errors_of_all_kinds(day_db: Database) -> None:
    rows = queries.errors(day_db, run_id="live-1")
    assert [(r["kind"], r["source"]) for r in rows] == [
        ("cancel_error", "ma_cross"), ("plugin_error", "bad_strategy"), ("plugin_error", "bad_strategy"),
        ("order_error", "ma_cross")]
    order_error = rows[-1]
    assert (order_error["client_order_id"], order_error["error_id"], order_error["message"]) == ("c-3", -61, "资金不足")
    faulted = rows[1]
    assert faulted["faulted"] == 1 and faulted["error_type"] == "ZeroDivisionError" and faulted["hook"] == "on_tick"
    assert faulted["detail"] == "Traceback ..."


def test_connections(day_db: Database) -> None:
    rows = queries.connections(day_db)
    assert [r["kind"] for r in rows] == ["reconnected", "reconnecting", "disconnected", "connected"]
    assert rows[2]["detail"] == "heartbeat lost" and rows[0]["session_id"] == 2


def test_order_story_in_event_order(day_db: Database) -> None:
    story = queries.order_story(day_db, "c-4")
    assert [(s["run_id"], s["event"]) for s in story] == [
        ("live-1", "order_intent"), ("live-1", "order_submitted"), ("live-1", "order_update"),
        ("live-1", "fill"), ("live-1", "order_update"), ("live-1", "cancel_request"),
        ("live-1", "cancel_error"),  # matched by order_id 1004: the push had no client id
        ("live-2", "fill"), ("live-2", "order_update"),
    ]
    assert story[3]["details"]["trade_id"] == "T3" and story[3]["table"] == "fills"
    seqs = [s["seq"] for s in story if s["run_id"] == "live-1"]
    assert seqs == sorted(seqs)
    assert [s["event"] for s in queries.order_story(day_db, "c-4", run_id="live-2")] == ["fill", "order_update"]


def test_order_story_of_a_denied_order(day_db: Database) -> None:
    story = queries.order_story(day_db, "c-2")
    assert [s["event"] for s in story] == ["risk_decision", "risk_decision", "order_denied"]
    assert [s["details"]["allowed"] for s in story[:2]] == [1, 0]
    assert queries.order_story(day_db, "no-such-order") == []
    with pytest.raises(ValueError, match="client_order_id"):
        queries.order_story(day_db, "")


def test_run_summary(day_db: Database) -> None:
    summary = queries.run_summary(day_db, "live-1")
    assert summary["mode"] == "live" and summary["stop_reason"] == "signal"
    expected_counts = {
        "orders": 3, "external_orders": 0, "risk_decisions": 4, "denials": 1, "failed_submissions": 0,
        "order_errors": 1, "cancel_requests": 1, "cancel_errors": 1, "plugin_errors": 2, "disconnects": 1,
        "fills": 3, "repeat_fills": 0, "filled_volume": 400,
    }
    assert {key: summary[key] for key in expected_counts} == expected_counts
    assert summary["turnover"] == "4132.00" and summary["fees"] == "15.00"
    assert summary["order_statuses"] == {"filled": 1, "rejected": 1, "partly filled": 1}
    assert summary["faulted_plugins"] == ["bad_strategy"]


def test_run_summary_of_the_restart_counts_no_new_fill(day_db: Database) -> None:
    summary = queries.run_summary(day_db, "live-2")
    assert (summary["fills"], summary["repeat_fills"], summary["fees"]) == (0, 1, "0")
    assert summary["order_statuses"] == {"partly cancelled": 1}
    with pytest.raises(AuditRunNotFoundError, match="nope"):
        queries.run_summary(day_db, "nope")
