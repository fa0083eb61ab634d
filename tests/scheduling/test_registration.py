"""Adding jobs from config and from plugins (register_jobs), duplicates, listing, and isolated runs."""

from __future__ import annotations

import datetime as dt

import pluggy
import pytest

from engine import hookspecs
from engine.hookspecs import hookimpl
from engine.scheduling import JobScheduler, JobSettings, ScheduleError

T = dt.datetime


class ReportPlugin:
    """A plugin that registers its own jobs and records the on_schedule calls it gets."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    @hookimpl
    def register_jobs(self, register):
        register(name="report", when="after_close", params={"format": "md"})
        register(name="poll", every="30m", target="other_strategy")

    @hookimpl
    def on_schedule(self, ctx, job, params):
        self.calls.append((job, params))


def plugin_manager(*plugins) -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        pm.register(plugin, name="reports")
    pm.check_pending()
    return pm


def test_plugin_jobs_through_the_register_jobs_hook(clock, calendar):
    plugin = ReportPlugin()
    pm = plugin_manager(plugin)
    scheduler = JobScheduler(clock=clock, calendar=calendar)
    pm.hook.register_jobs(register=scheduler.registrar_for("reports"))
    scheduler.check_registrations()

    rows = {row["name"]: row for row in scheduler.describe()}
    assert rows["report"]["target"] == "reports"  # target defaults to the registering plugin
    assert rows["report"]["source"] == "plugin 'reports'"
    assert rows["poll"]["target"] == "other_strategy"
    assert rows["report"]["next_run"] == "2026-09-30T15:05:00"

    clock.set(T(2026, 9, 30, 15, 5, 1))
    results = scheduler.run_pending(lambda job: pm.hook.on_schedule(ctx=None, job=job.name, params=job.params))
    assert [(r.name, r.outcome) for r in results] == [("report", "ok")]
    assert plugin.calls == [("report", {"format": "md"})]


def test_duplicate_names_name_both_sources(make_scheduler):
    scheduler = make_scheduler({"name": "rebalance", "at": "14:50"})
    with pytest.raises(ScheduleError, match="job name 'rebalance' is used twice: by config and by plugin 'reports'"):
        scheduler.registrar_for("reports")(name="rebalance", at="10:00")
    with pytest.raises(ScheduleError, match="used twice: by config and by config"):
        scheduler.add(JobSettings(name="rebalance", target="s", every="5m"))
    assert scheduler.registration_errors == [
        "job name 'rebalance' is used twice: by config and by plugin 'reports'"]


def test_a_registration_error_a_plugin_swallowed_still_fails_start_up(clock, calendar):
    class Careless:
        @hookimpl
        def register_jobs(self, register):
            try:
                register(name="bad", at="14:50", every="5m")
            except ScheduleError:
                pass

    scheduler = JobScheduler(clock=clock, calendar=calendar)
    plugin_manager(Careless()).hook.register_jobs(register=scheduler.registrar_for("careless"))
    with pytest.raises(ScheduleError) as info:
        scheduler.check_registrations()
    assert "plugin 'careless' registered an invalid job 'bad'" in str(info.value)
    assert "give exactly one of at, every, when (found at and every)" in str(info.value)


def test_register_in_code_needs_a_target(clock, calendar):
    scheduler = JobScheduler(clock=clock, calendar=calendar)
    with pytest.raises(ScheduleError, match="code registered an invalid job 'x': target: Field required"):
        scheduler.register(name="x", at="10:00")
    scheduler.register(name="y", at="10:00", target="s", source="tests")
    assert scheduler.describe()[0]["source"] == "tests"


def test_add_refuses_anything_but_job_settings(make_scheduler):
    with pytest.raises(ScheduleError, match="add\\(\\) takes JobSettings, got dict"):
        make_scheduler().add({"name": "x", "at": "10:00", "target": "s"})


def test_next_run_of_an_unknown_job(make_scheduler):
    with pytest.raises(ScheduleError, match="no job named 'nope' \\(known: a\\)"):
        make_scheduler({"name": "a", "at": "10:00"}).next_run("nope")


def test_a_failing_job_is_isolated_and_reported(make_scheduler, clock):
    scheduler = make_scheduler({"name": "boom", "at": "10:00"}, {"name": "fine", "at": "10:00"})
    clock.set(T(2026, 9, 30, 10, 0))

    def run(job):
        if job.name == "boom":
            raise RuntimeError("strategy exploded")

    results = {r.name: r for r in scheduler.run_pending(run)}
    assert results["boom"].outcome == "error"
    assert results["boom"].error == "RuntimeError: strategy exploded"
    assert results["fine"].outcome == "ok" and results["fine"].error == ""
    assert results["fine"].duration_ms >= 0.0
    assert results["boom"].scheduled_for == T(2026, 9, 30, 10, 0)
    rows = {row["name"]: row for row in scheduler.describe()}
    assert rows["boom"]["last_outcome"] == "error" and rows["boom"]["last_run"] == "2026-09-30T10:00:00"
    assert rows["boom"]["next_run"] == "2026-10-08T10:00:00"  # the failure does not stop the job


def test_keyboard_interrupt_is_not_swallowed(make_scheduler, clock):
    scheduler = make_scheduler({"name": "a", "at": "10:00"})
    clock.set(T(2026, 9, 30, 10, 0))

    def run(job):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        scheduler.run_pending(run)


def test_run_pending_reports_skipped_runs_first(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 10))
    scheduler = make_scheduler({"name": "rebalance", "at": "14:50"}, {"name": "now", "at": "15:10"},
                               last_runs={"rebalance": T(2026, 9, 29, 14, 50)})
    results = scheduler.run_pending(lambda job: None)
    assert [(r.name, r.outcome) for r in results] == [("rebalance", "skipped"), ("now", "ok")]
    assert results[0].error == "missed by 0:20:00 (missed: skip)"
    assert {row["name"]: row["last_outcome"] for row in scheduler.describe()} == {"rebalance": "skipped", "now": "ok"}


def test_params_are_handed_out_as_copies(make_scheduler, clock):
    scheduler = make_scheduler({"name": "a", "at": "10:00", "params": {"weights": 1}})
    clock.set(T(2026, 9, 30, 10, 0))
    [job] = scheduler.due()
    job.params["weights"] = 2
    assert job.params == {"weights": 1} and job.target == "strategy"


def test_jobs_added_after_start_wait_for_their_next_occurrence(make_scheduler, clock):
    scheduler = make_scheduler({"name": "a", "at": "10:00"})
    clock.set(T(2026, 9, 30, 12, 0))
    assert scheduler.due() == []
    scheduler.add(JobSettings(name="b", at="11:00", target="s"))
    assert scheduler.next_run("b") == T(2026, 10, 8, 11, 0)
    assert scheduler.next_due_at == T(2026, 10, 8, 10, 0)
    assert [job.name for job in scheduler.jobs] == ["a", "b"]


def test_mark_ran_is_shown_by_describe(make_scheduler):
    scheduler = make_scheduler({"name": "a", "at": "10:00"})
    scheduler.mark_ran("a", T(2026, 9, 30, 10, 0), T(2026, 9, 30, 10, 0, 2), outcome="ok")
    [row] = scheduler.describe()
    assert (row["last_run"], row["last_finished_at"], row["last_outcome"]) == (
        "2026-09-30T10:00:00", "2026-09-30T10:00:02", "ok")
    assert row["timing"] == "at 10:00:00" and row["days"] == "trading" and row["params"] == {}


def test_check_targets_names_jobs_without_a_receiving_plugin(make_scheduler):
    scheduler = make_scheduler({"name": "a", "at": "10:00", "target": "ghost"},
                               {"name": "b", "at": "10:00", "target": "real"},
                               {"name": "c", "at": "10:00", "target": "gone", "enabled": False})
    scheduler.check_targets(["real", "ghost"])
    with pytest.raises(ScheduleError) as info:
        scheduler.check_targets(["real"])
    message = str(info.value)
    assert "job 'a' (config) targets 'ghost', which is not a loaded plugin implementing on_schedule" in message
    assert "'c'" not in message and "plugins implementing on_schedule: real" in message
