"""The engine's job scheduler: calendar-aware jobs on an engine-owned ``schedule`` scheduler.

Usage from the engine thread::

    scheduler = JobScheduler(clock=engine.clock, calendar=calendar, last_runs=last_runs)
    for job in config.jobs:
        scheduler.add(job)                                   # source "config"
    for plugin in plugins_implementing("register_jobs"):
        call(plugin, "register_jobs", register=scheduler.registrar_for(plugin))
    scheduler.check_registrations()                          # start-up error if any failed
    scheduler.check_targets(plugins_implementing("on_schedule"))
    ...
    # every monitor step:
    for run in scheduler.run_pending(call_on_schedule):      # ok / error / skipped, with duration
        emit(JobRan(...))

Semantics:

* Each enabled job is a :class:`~engine.scheduling.clocked.CalendarJob` on one
  :class:`~engine.scheduling.clocked.ClockScheduler` (a ``schedule.Scheduler``
  reading the engine clock). Nothing is read from the wall clock directly.
* :meth:`JobScheduler.due` is O(1) while nothing is due: it compares ``now`` with
  the earliest next run, cached after every pass.
* A clock jump over several occurrences yields one run, for the latest of them.
* An occurrence seen more than ``grace`` after its time is *missed*:
  ``missed: run_late`` runs it (``DueJob.late``) if it is at most ``max_late``
  old, otherwise - and always with ``missed: skip`` - it becomes a
  :class:`SkippedJob`.
* At start, ``last_runs`` (job name -> the ``scheduled_for`` of its last recorded
  run, any outcome) says what ran before the engine went down: an occurrence
  after it that already passed is handled as missed. A job with no recorded
  run has missed nothing.

Not thread-safe: call it from the engine thread only.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from loguru import logger
from pydantic import ValidationError

from ..calendar import TradingCalendar
from .clocked import NEVER, CalendarJob, Clock, ClockScheduler
from .errors import ScheduleError
from .outcomes import DueJob, JobRun, Outcome, SkippedJob
from .rules import OccurrenceRule, rule_for
from .settings import JobSettings

__all__ = ["JobScheduler"]


@dataclass(slots=True)
class _Entry:
    settings: JobSettings
    source: str
    rule: OccurrenceRule
    job: CalendarJob | None  # None: disabled
    last_scheduled_for: dt.datetime | None = None
    last_outcome: str | None = None
    last_finished_at: dt.datetime | None = None


def _parse_last_runs(last_runs: Mapping[str, dt.datetime | str] | None) -> dict[str, dt.datetime]:
    parsed: dict[str, dt.datetime] = {}
    for name, value in (last_runs or {}).items():
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ScheduleError(f"last_runs[{name!r}]: {value!r} is not an ISO datetime") from None
        if not isinstance(value, dt.datetime) or value.tzinfo is not None:
            raise ScheduleError(f"last_runs[{name!r}]: expected a naive exchange-local datetime, got {value!r}")
        parsed[name] = value
    return parsed


def _validation_summary(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'job'}: {err['msg']}" for err in exc.errors())


class JobScheduler:
    """Decides which jobs run at each step of the engine clock.

    :param clock: the engine clock (``now()`` -> naive exchange-local datetime).
    :param calendar: the trading calendar (build it with ``CalendarSettings.make_calendar()``).
    :param last_runs: job name -> ``scheduled_for`` of its last recorded run (datetime or
        ISO string), from the audit database's ``job_runs`` table; drives missed-job handling at start.
    :param grace: how long after its time an occurrence still counts as on time.
    """

    def __init__(self, *, clock: Clock, calendar: TradingCalendar,
                 last_runs: Mapping[str, dt.datetime | str] | None = None,
                 grace: dt.timedelta = dt.timedelta(seconds=60)) -> None:
        if grace < dt.timedelta(0):
            raise ScheduleError(f"grace must not be negative, got {grace}")
        self._clock = clock
        self._calendar = calendar
        self._last_runs = _parse_last_runs(last_runs)
        self._grace = grace
        self._schedule = ClockScheduler(clock)
        self._entries: dict[str, _Entry] = {}
        self._started = False
        self._wake_at: dt.datetime | None = None
        self._found: list[DueJob] = []
        self._skipped: deque[SkippedJob] = deque(maxlen=10_000)
        #: Every failed registration (also raised to the registering plugin); see :meth:`check_registrations`.
        self.registration_errors: list[str] = []

    # -- registration ------------------------------------------------------------

    def add(self, settings: JobSettings, *, source: str = "config") -> None:
        """Schedule a job. ``source`` (``"config"``, ``"plugin 'x'"``) appears in duplicate-name errors.

        :raises ScheduleError: the name is taken, or ``settings`` is not a ``JobSettings``.
        """
        if not isinstance(settings, JobSettings):
            raise ScheduleError(f"add() takes JobSettings, got {type(settings).__name__} (from {source})")
        existing = self._entries.get(settings.name)
        if existing is not None:
            raise ScheduleError(f"job name {settings.name!r} is used twice: by {existing.source} and by {source}")
        rule = rule_for(settings, self._calendar)
        entry = _Entry(settings, source, rule, None, self._last_runs.get(settings.name))
        if settings.enabled:
            entry.job = CalendarJob(rule, self._schedule, description=f"{settings.name}: {settings.timing_text()} "
                                                                      f"on {settings.days} days")
            entry.job.do(self._fire, settings.name)
        self._entries[settings.name] = entry
        if self._started:
            self._catch_up(entry, self._clock.now())
        self._wake_at = self._earliest_run()

    def register(self, *, source: str = "code", **fields: Any) -> None:
        """Build a :class:`JobSettings` from keyword fields (``target`` required) and :meth:`add` it."""
        self._register(fields, source)

    def registrar_for(self, plugin: str) -> Callable[..., None]:
        """The ``register`` function to hand one plugin's ``register_jobs`` hook.

        It takes the keys of a ``jobs:`` entry as keyword arguments; ``target``
        defaults to ``plugin``. A bad or duplicate job raises :class:`ScheduleError`
        and is also kept in :attr:`registration_errors`.
        """
        def register(**fields: Any) -> None:
            fields.setdefault("target", plugin)
            self._register(fields, f"plugin {plugin!r}")

        return register

    def check_registrations(self) -> None:
        """Raise :class:`ScheduleError` listing every failed registration (even ones a plugin caught)."""
        if self.registration_errors:
            raise ScheduleError("job registration failed:\n" + "\n".join(f"  - {e}" for e in self.registration_errors))

    def check_targets(self, targets: Collection[str]) -> None:
        """Raise :class:`ScheduleError` naming every enabled job whose target is not in ``targets``.

        :param targets: the names of the loaded plugins that implement ``on_schedule``.
        """
        known = set(targets)
        problems = [f"job {entry.settings.name!r} ({entry.source}) targets {entry.settings.target!r}, "
                    f"which is not a loaded plugin implementing on_schedule"
                    for entry in self._entries.values()
                    if entry.settings.enabled and entry.settings.target not in known]
        if problems:
            problems.append(f"plugins implementing on_schedule: {', '.join(sorted(known)) or 'none'}")
            raise ScheduleError("unknown job targets:\n" + "\n".join(f"  - {p}" for p in problems))

    def _register(self, fields: dict[str, Any], source: str) -> None:
        try:
            settings = JobSettings(**fields)
        except ValidationError as exc:
            message = f"{source} registered an invalid job {fields.get('name')!r}: {_validation_summary(exc)}"
            self.registration_errors.append(message)
            raise ScheduleError(message) from None
        try:
            self.add(settings, source=source)
        except ScheduleError as exc:
            self.registration_errors.append(str(exc))
            raise

    # -- running -----------------------------------------------------------------

    def start(self, now: dt.datetime | None = None) -> None:
        """Apply ``last_runs`` (missed jobs). Idempotent; the first :meth:`due` calls it."""
        if self._started:
            return
        now = now if now is not None else self._clock.now()
        for entry in self._entries.values():
            self._catch_up(entry, now)
        self._started = True
        self._wake_at = self._earliest_run()

    def due(self, now: dt.datetime | None = None) -> list[DueJob]:
        """The jobs to run now (each occurrence once). Skipped ones go to :meth:`take_skipped`.

        Cheap when nothing is due. ``now`` defaults to the clock.
        """
        now = now if now is not None else self._clock.now()
        if not self._started:
            self.start(now)
        if self._wake_at is None or now < self._wake_at:
            return []
        self._schedule.run_pending(now)
        found, self._found = self._found, []
        self._wake_at = self._earliest_run()
        return found

    def take_skipped(self) -> list[SkippedJob]:
        """The occurrences skipped since the last call (oldest first), for the audit as outcome ``skipped``."""
        skipped = list(self._skipped)
        self._skipped.clear()
        return skipped

    def mark_ran(self, name: str, scheduled_for: dt.datetime, finished_at: dt.datetime,
                 *, outcome: Outcome = "ok") -> None:
        """Record that ``name`` ran for ``scheduled_for`` (shown by :meth:`describe`)."""
        entry = self._entry(name)
        entry.last_scheduled_for = scheduled_for
        entry.last_outcome = outcome
        entry.last_finished_at = finished_at

    def run_pending(self, run: Callable[[DueJob], None], now: dt.datetime | None = None) -> list[JobRun]:
        """Run every due job through ``run`` (e.g. calling the target's ``on_schedule``).

        A ``run`` that raises is isolated: the error is logged, reported with outcome
        ``error``, and the other jobs still run. ``KeyboardInterrupt``/``SystemExit`` pass.

        :return: skipped occurrences, then the runs, each a :class:`JobRun`.
        """
        if self._started and not self._skipped and self._wake_at is None:
            return []
        due = self.due(now)
        if not due and not self._skipped:  # nothing due: the common case, once per engine step
            return []
        results = [self._skipped_run(item) for item in self.take_skipped()]
        results.extend(self._run_one(job, run) for job in due)
        return results

    # -- inspection -------------------------------------------------------------

    def has_work(self, now: dt.datetime) -> bool:
        """True when :meth:`run_pending` has something to do at ``now``: the first call (it applies
        the missed-job policy), a due job, or skipped occurrences to report. Cheap: the engine
        asks on every step."""
        return not self._started or bool(self._skipped) or (self._wake_at is not None and now >= self._wake_at)

    @property
    def next_due_at(self) -> dt.datetime | None:
        """The earliest time any job is due (``None``: nothing scheduled). A replay can step its clock here."""
        return self._wake_at if self._started else self._earliest_run()

    def next_run(self, name: str) -> dt.datetime | None:
        """When ``name`` runs next (``None`` if disabled or no occurrence within the search horizon)."""
        job = self._entry(name).job
        if job is None or job.next_run is None or job.next_run == NEVER:
            return None
        return job.next_run

    @property
    def jobs(self) -> tuple[JobSettings, ...]:
        """Every job added, in order."""
        return tuple(entry.settings for entry in self._entries.values())

    def describe(self) -> list[dict[str, Any]]:
        """One plain dict per job, for listings (next/last run as ISO strings or ``None``)."""
        rows = []
        for name, entry in self._entries.items():
            settings, next_run = entry.settings, self.next_run(name)
            rows.append({
                "name": name, "target": settings.target, "source": entry.source,
                "timing": settings.timing_text(), "days": settings.days, "missed": settings.missed,
                "max_late": settings.max_late, "enabled": settings.enabled, "params": dict(settings.params),
                "next_run": next_run.isoformat() if next_run else None,
                "last_run": entry.last_scheduled_for.isoformat() if entry.last_scheduled_for else None,
                "last_outcome": entry.last_outcome,
                "last_finished_at": entry.last_finished_at.isoformat() if entry.last_finished_at else None,
            })
        return rows

    # -- internals ----------------------------------------------------------------

    def _entry(self, name: str) -> _Entry:
        entry = self._entries.get(name)
        if entry is None:
            raise ScheduleError(f"no job named {name!r} (known: {', '.join(self._entries) or 'none'})")
        return entry

    def _earliest_run(self) -> dt.datetime | None:
        earliest = self._schedule.get_next_run()
        return None if earliest is None or earliest == NEVER else earliest

    def _catch_up(self, entry: _Entry, now: dt.datetime) -> None:
        """Schedule from ``now``, making a passed occurrence due at once if it was never handled."""
        if entry.job is None:
            return
        entry.job.next_run = entry.rule.next_after(now) or NEVER
        previous = entry.rule.latest_at_or_before(now)
        if previous is None:
            return
        last = self._last_runs.get(entry.settings.name)
        on_time = now - previous <= self._grace
        if (last is None and on_time) or (last is not None and previous > last):
            entry.job.next_run = previous

    def _fire(self, name: str) -> None:
        """Called by schedule's ``run_pending`` for a job whose next run passed: classify it."""
        entry = self._entries[name]
        now = self._schedule.now()
        settings = entry.settings
        scheduled = entry.rule.latest_at_or_before(now) or now
        lateness = now - scheduled
        if lateness <= self._grace:
            self._found.append(DueJob(settings, scheduled, False, now))
        elif settings.missed == "run_late" and lateness <= settings.max_late_delta:
            logger.info("job {} runs late: scheduled for {}, {} late (max_late {})",
                        name, scheduled, lateness, settings.max_late)
            self._found.append(DueJob(settings, scheduled, True, now))
        else:
            reason = (f"missed by {lateness} (missed: skip)" if settings.missed == "skip"
                      else f"missed by {lateness}, more than max_late {settings.max_late}")
            logger.warning("job {} scheduled for {} skipped: {}", name, scheduled, reason)
            self._skipped.append(SkippedJob(settings, scheduled, now, reason))
            entry.last_scheduled_for, entry.last_outcome = scheduled, "skipped"

    def _run_one(self, job: DueJob, run: Callable[[DueJob], None]) -> JobRun:
        started = self._clock.now()
        began = time.perf_counter()
        outcome: Outcome = "ok"
        error = ""
        try:
            run(job)
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            outcome, error = "error", f"{type(exc).__name__}: {exc}"
            logger.opt(exception=exc).error("job {} (target {}) raised {}", job.name, job.target, error)
        duration_ms = (time.perf_counter() - began) * 1000.0
        finished = self._clock.now()
        self.mark_ran(job.name, job.scheduled_for, finished, outcome=outcome)
        return JobRun(job.name, job.target, job.scheduled_for, outcome, job.late, started, finished,
                      duration_ms, error)

    def _skipped_run(self, item: SkippedJob) -> JobRun:
        return JobRun(item.name, item.settings.target, item.scheduled_for, "skipped", False,
                      item.seen_at, item.seen_at, 0.0, item.reason)
