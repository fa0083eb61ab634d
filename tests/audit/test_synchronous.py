"""Durability per mode: the writer's ``PRAGMA synchronous`` is FULL for live and paper, NORMAL for backtests."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.audit import AuditWriter, open_audit_db
from engine.audit.verify import verify_chain
from engine.audit.wal import WalKeeper
from engine.builtin.audit_log import make_plugin
from engine.config.models import AuditSettings, EngineConfig

from .conftest import EventFactory

_LEVELS = {1: "normal", 2: "full"}  # PRAGMA synchronous answers a number


@pytest.fixture
def writer_levels(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ``PRAGMA synchronous`` of every writer connection, read on the writer thread once it is set up."""
    levels: list[str] = []
    original = WalKeeper.start

    def start(self: WalKeeper) -> None:
        levels.append(_LEVELS[self._conn.execute("PRAGMA synchronous").fetchone()[0]])
        original(self)

    monkeypatch.setattr(WalKeeper, "start", start)
    return levels


@pytest.mark.parametrize("synchronous", ["full", "normal"])
def test_the_writer_sets_the_level_it_is_given(db_path: Path, events: EventFactory, writer_levels: list[str],
                                               synchronous: str) -> None:
    with AuditWriter(db_path, synchronous=synchronous) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("order_intent"))  # durable: committed before track_event returns
    assert writer_levels == [synchronous]
    db = open_audit_db(db_path, create=False)
    try:
        assert verify_chain(db).ok and db.execute("SELECT count(*) FROM order_intents").fetchone()[0] == 1
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # other connections keep FULL
    finally:
        db.close()


def test_the_default_is_full(db_path: Path, writer_levels: list[str]) -> None:
    AuditWriter(db_path).close()
    assert writer_levels == ["full"]


def test_an_unknown_level_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        AuditWriter(db_path, synchronous="off")


@pytest.mark.parametrize(("mode", "setting", "expected"), [
    ("backtest", None, "normal"),
    ("paper", None, "full"),
    ("live", None, "full"),
    ("backtest", "full", "full"),
    ("live", "normal", "normal"),
])
def test_the_mode_picks_the_level_unless_set(mode: str, setting: str | None, expected: str) -> None:
    assert AuditSettings(synchronous=setting).synchronous_for(mode) == expected


@pytest.mark.parametrize(("mode", "setting", "expected"), [
    ("backtest", None, "normal"),
    ("paper", None, "full"),
    ("live", None, "full"),
    ("backtest", "full", "full"),
    ("paper", "normal", "normal"),
])
def test_the_audit_plugin_opens_the_writer_at_the_level_for_its_mode(
        tmp_path: Path, writer_levels: list[str], mode: str, setting: str | None, expected: str) -> None:
    config = EngineConfig(mode=mode, audit=AuditSettings(path=tmp_path / "audit.db", synchronous=setting))
    make_plugin(config).close()
    assert writer_levels == [expected]


@pytest.mark.parametrize(("mode", "setting", "expected"), [
    ("backtest", None, False), ("paper", None, True), ("live", None, True), ("backtest", True, True),
    ("paper", False, False),
])
def test_durable_wait_by_mode_unless_set(tmp_path: Path, mode: str, setting, expected: bool) -> None:
    settings = AuditSettings(path=tmp_path / "audit.db", durable_wait=setting)
    assert settings.durable_wait_for(mode) is expected
    writer = make_plugin(EngineConfig(mode=mode, audit=settings))
    writer.close()
    assert writer.durable_wait is expected


def test_without_durable_wait_a_durable_event_is_queued_in_order_and_written(db_path: Path,
                                                                             events: EventFactory) -> None:
    with AuditWriter(db_path, durable_wait=False, flush_interval=30) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("order_intent"))  # returns at once: queued, not yet committed
        db = open_audit_db(db_path, create=False)
        try:
            assert db.execute("SELECT count(*) FROM order_intents").fetchone()[0] == 0
        finally:
            db.close()
    db = open_audit_db(db_path, create=False)
    try:
        assert verify_chain(db).ok and db.execute("SELECT count(*) FROM order_intents").fetchone()[0] == 1
    finally:
        db.close()


def test_a_backlog_past_the_limit_makes_track_event_wait_for_the_writer(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path, batch_size=50, flush_interval=30, durable_wait=False) as audit:
        assert audit.max_backlog == 50
        audit.track_event(events("run_started"))
        for number in range(500):
            audit.track_event(events("order_update"))
            assert audit._queue.qsize() <= audit.max_backlog + 1
        assert audit.backlog_waits >= 5
    with AuditWriter(db_path, batch_size=50) as audit:
        assert audit.max_backlog == 1000  # with durable waits: 20 batches
