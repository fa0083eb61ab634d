"""Scheduled jobs in a paper replay: engine time, lunch-break and after-close jobs, isolation, registration."""

from __future__ import annotations

import pytest

from engine import hookimpl
from engine.scheduling import ScheduleError


class Scheduled:
    def __init__(self, fail_on: str | None = None):
        self.calls, self.fail_on = [], fail_on

    @hookimpl
    def on_schedule(self, ctx, job, params):
        self.calls.append((job, ctx.now, params))
        if job == self.fail_on:
            raise RuntimeError(f"{job} broke")


class Registers:
    @hookimpl
    def register_jobs(self, register):
        register(name="code_job", at="14:50", params={"from": "code"})

    @hookimpl
    def on_schedule(self, ctx, job, params):
        ctx.state.setdefault("runs", []).append((job, ctx.now.time().isoformat()))


JOBS = """
jobs:
  - {name: ten, target: sched, at: "10:00", params: {weight: 0.5}}
  - {name: noon, target: sched, at: "12:00"}
  - {name: report, target: sched, when: after_close}
"""


def test_jobs_fire_at_engine_time_each_trading_day_even_without_ticks(engine_factory, audit_rows):
    sched = Scheduled()
    engine_factory(JOBS, plugins=[("sched", sched)]).run()
    by_job = {}
    for job, when, params in sched.calls:
        by_job.setdefault(job, []).append(when.isoformat(sep=" "))
    assert by_job["ten"] == ["2026-03-09 10:00:00", "2026-03-10 10:00:00", "2026-03-11 10:00:00"]
    assert by_job["noon"] == ["2026-03-09 12:00:00", "2026-03-10 12:00:00", "2026-03-11 12:00:00"]  # lunch: no tick
    assert by_job["report"] == ["2026-03-09 15:05:00", "2026-03-10 15:05:00", "2026-03-11 15:05:00"]  # last day too
    assert sched.calls[0][2] == {"weight": 0.5}
    rows = [r for r in audit_rows("job_runs") if not r["job"].startswith(("trading_day.", "results."))]
    assert len(rows) == 9 and {r["outcome"] for r in rows} == {"ok"}
    assert all(r["duration_ms"] >= 0 for r in rows)


def test_a_failing_job_is_isolated_and_recorded(engine_factory, audit_rows):
    sched = Scheduled(fail_on="noon")
    summary = engine_factory(JOBS, plugins=[("sched", sched)]).run()
    assert summary.reason == "completed"
    outcomes = [(r["job"], r["outcome"]) for r in audit_rows("job_runs")]
    assert outcomes.count(("noon", "error")) == 3 and outcomes.count(("ten", "ok")) == 3
    errors = audit_rows("plugin_errors")
    assert errors and errors[0]["hook"] == "on_schedule" and "noon broke" in errors[0]["error"]
    assert "noon broke" in [r for r in audit_rows("job_runs") if r["outcome"] == "error"][0]["error"]


def test_plugins_register_jobs_in_code(engine_factory, audit_rows):
    plugin = Registers()
    engine = engine_factory(plugins=[("registers", plugin)])
    engine.run()
    runs = engine.context_for("registers").state["runs"]
    assert runs == [("code_job", "14:50:00")] * 3


def test_a_job_for_an_unknown_target_is_a_startup_error(engine_factory):
    with pytest.raises(ScheduleError, match="targets 'nobody'"):
        engine_factory("jobs:\n  - {name: j, target: nobody, at: '10:00'}\n")


def test_the_trading_day_routine_writes_a_statement_each_day(engine_factory, audit_rows, tmp_path):
    from .plugins import BuyThenSell

    engine_factory("trading_day: {report_dir: reports}\n", plugins=[("trader", BuyThenSell())]).run()
    steps = [(r["job"], r["scheduled_for"][11:16], r["outcome"]) for r in audit_rows("job_runs")]
    assert ("trading_day.pre_open_check", "09:15", "ok") in steps and ("trading_day.post_close", "15:05", "ok") in steps
    statements = audit_rows("daily_statements")
    assert [s["day"] for s in statements] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    import json

    first = json.loads(statements[0]["statement"])
    assert first["strategies"]["trader"]["fills"] == 1 and first["strategies"]["trader"]["bought"] != "0.00"
    assert first["reconciliation_differences"] == 0
    report = (tmp_path / "reports" / "statement-2026-03-09.md").read_text(encoding="utf-8")
    assert report.startswith("# Daily statement 2026-03-09") and "| trader | 1 | 1 |" in report


def test_a_job_missed_while_the_engine_was_down_runs_late_or_is_skipped(live_engine, tmp_path):
    """The first run records the 09:35 jobs; the next day the engine starts at 10:00: the run_late job
    (within max_late) runs at once, the skip job is recorded as skipped; both from the audit's job_runs."""
    import datetime as dt

    from .conftest import wait_for

    jobs = ("jobs:\n  - {name: late_ok, target: sched, at: '09:35', missed: run_late, max_late: 1h}\n"
            "  - {name: skipper, target: sched, at: '09:35', missed: skip}\n")
    sched = Scheduled()
    engine, clock, log, _ = live_engine(dt.datetime(2026, 3, 10, 9, 34), jobs_yaml=jobs, plugins=(("sched", sched),))
    clock.advance(minutes=2)
    assert wait_for(lambda: len(sched.calls) == 2)
    live_engine.stop(engine)

    sched2 = Scheduled()
    engine2, _clock, log2, _ = live_engine(dt.datetime(2026, 3, 11, 10, 0), jobs_yaml=jobs, plugins=(("sched", sched2),))
    assert wait_for(lambda: len(log2.of("job_run")) == 2)
    runs = {e.job: e for e in log2.of("job_run")}
    assert runs["late_ok"].outcome == "ok" and "(ran late)" in runs["late_ok"].error
    assert runs["skipper"].outcome == "skipped"
    assert [job for job, _, _ in sched2.calls] == ["late_ok"]


@pytest.mark.parametrize(("mode", "setting", "expected"), [
    ("backtest", None, False), ("paper", None, True), ("live", None, True), ("backtest", True, True),
    ("paper", False, False),
])
def test_statement_files_by_mode_unless_set(mode, setting, expected):
    from engine.builtin.trading_day import make_plugin
    from engine.config.models import EngineConfig, TradingDaySettings

    config = EngineConfig(mode=mode, trading_day=TradingDaySettings(report_files=setting))
    assert make_plugin(config).report_files is expected


def test_without_statement_files_the_statement_is_still_in_the_audit(engine_factory, audit_rows, tmp_path):
    from .plugins import BuyThenSell

    engine_factory("trading_day: {report_dir: reports, report_files: false}\n", plugins=[("trader", BuyThenSell())]).run()
    assert [s["day"] for s in audit_rows("daily_statements")] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert not (tmp_path / "reports").exists()
