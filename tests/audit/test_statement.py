"""day_statement: orders by final status, fills, fees, turnover and average-cost P&L from the audit alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.audit import AuditRunNotFoundError, open_audit_db
from engine.audit.queries import day_statement
from engine.audit.statement import NO_STATUS, check_day

from .scenario import write_two_days


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("two-days") / "audit.db"
    write_two_days(path)
    db = open_audit_db(path, create=False)
    try:
        yield db
    finally:
        db.close()


def by_strategy(statement: dict) -> dict[str, dict]:
    return {row["strategy"]: row for row in statement["strategies"]}


def test_default_day_is_the_latest_with_activity(two_days) -> None:
    assert day_statement(two_days)["day"] == "2025-01-03"


def test_sell_day_realises_pnl_at_average_cost(two_days) -> None:
    statement = day_statement(two_days, day="2025-01-03")
    assert statement["orders"] == 4 and statement["denials"] == 1
    assert statement["orders_by_status"] == {"filled": 2, "rejected": 1, NO_STATUS: 1}
    assert (statement["fills"], statement["filled_volume"]) == (2, 500)
    assert (statement["turnover"], statement["fees"]) == ("4950.00", "10.50")
    rows = by_strategy(statement)
    assert rows["s1"]["realised_pnl"] == "91.17"  # 2094.50 - 200 x 3005.00/300
    assert rows["s2"]["realised_pnl"] == "43.33"  # 100/300 of 2845.00 - 905.00
    assert (rows["s2"]["unmatched_sell_volume"], rows["s1"]["unmatched_sell_volume"]) == (200, 0)
    assert statement["realised_pnl"] == "134.50" and statement["unmatched_sell_volume"] == 200
    assert rows["s2"]["orders"] == 3 and rows["s1"]["sell_amount"] == "2100.00"


def test_buy_day_has_turnover_and_fees_but_no_realised_pnl(two_days) -> None:
    statement = day_statement(two_days, day="2025-01-02")
    assert statement["orders_by_status"] == {"filled": 2}
    assert (statement["turnover"], statement["fees"], statement["realised_pnl"]) == ("3900.00", "10.00", "0.00")
    assert by_strategy(statement)["s1"]["buy_volume"] == 300


def test_one_run_only(two_days) -> None:
    assert day_statement(two_days, day="2025-01-03", run_id="day-1")["orders"] == 0
    statement = day_statement(two_days, run_id="day-2")
    assert statement["day"] == "2025-01-03" and statement["realised_pnl"] == "134.50"


def test_a_day_without_activity_is_empty(two_days) -> None:
    statement = day_statement(two_days, day="2025-02-01")
    assert (statement["orders"], statement["fills"], statement["strategies"]) == (0, 0, [])


@pytest.mark.parametrize("bad", ["2025-1-3", "yesterday", "2025-02-30", ""])
def test_bad_days_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        check_day(bad)


def test_unknown_run_is_refused(two_days) -> None:
    with pytest.raises(AuditRunNotFoundError, match="nope"):
        day_statement(two_days, run_id="nope")


def test_empty_database(tmp_path: Path) -> None:
    db = open_audit_db(tmp_path / "empty.db")
    try:
        assert day_statement(db) | {"strategies": []} == day_statement(db)
        assert day_statement(db)["day"] is None
    finally:
        db.close()
