"""The ``jobs:`` and ``calendar:`` sections of config.yaml (pydantic v2, frozen, unknown keys rejected).

One ``jobs:`` entry::

    - name: rebalance          # unique among all jobs (config and plugins)
      target: my_strategy      # the plugin/strategy whose on_schedule is called
      at: "14:50"              # exactly one of at / every / when
      days: trading            # which days (default: trading days)
      params: {weight: 0.5}    # handed to on_schedule
      missed: skip             # or run_late (with max_late)

Field values keep the user's spelling normalised (``"14:50"`` becomes
``"14:50:00"``, ``"90s"`` becomes ``"1m30s"``); the parsed values are
properties (:attr:`JobSettings.time_of_day`, :attr:`JobSettings.interval`...).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..calendar import TradingCalendar
from .anchors import anchored_time
from .durations import format_duration, parse_duration, parse_time_of_day

__all__ = ["CalendarSettings", "DaysName", "JobSettings", "MissedPolicy", "WhenName"]

WhenName = Literal["before_open", "open", "lunch_break", "afternoon_open", "close", "after_close"]
DaysName = Literal[
    "trading", "every_day", "weekdays",
    "first_trading_day_of_week", "last_trading_day_of_week",
    "first_trading_day_of_month", "last_trading_day_of_month",
]
MissedPolicy = Literal["skip", "run_late"]

_NAME = re.compile(r"^[\w.:-]+$")
_MAX_INTERVAL = dt.timedelta(hours=24)


class JobSettings(BaseModel):
    """One scheduled job: when it fires, on which days, what it calls and what happens if it is missed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="unique job name (letters, digits, _ . : -); recorded with every run")
    target: str = Field(min_length=1, description="the plugin or strategy whose on_schedule hook is called")
    at: str | None = Field(None, description="once a day at this time, 'HH:MM' or 'HH:MM:SS' (quote it in YAML)")
    every: str | None = Field(None, description="repeat at this interval, e.g. '30s', '5m', '1h' (1s to 24h)")
    when: WhenName | None = Field(None, description="once a day relative to the trading day's anchors")
    offset: str | None = Field(None, description="shift of a when: job from its anchor, e.g. '-10m' or '5m'")
    sessions_only: bool = Field(True, description="every: jobs fire only in 09:30-11:30 and 13:00-15:00; "
                                                  "false = the whole day")
    days: DaysName = Field("trading", description="the days the job may fire on")
    params: dict[str, Any] = Field(default_factory=dict, description="passed to on_schedule as params")
    missed: MissedPolicy = Field("skip", description="a run noticed late (engine down, clock jump): "
                                                     "skip it, or run_late within max_late")
    max_late: str = Field("30m", description="with missed: run_late, the latest a run may still start")
    enabled: bool = Field(True, description="false keeps the job listed but never fires it")

    # -- field checks (errors point at the field) -------------------------------

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"job name {value!r} may only contain letters, digits and _ . : - (no spaces)")
        return value

    @field_validator("at", mode="before")
    @classmethod
    def _check_at(cls, value: object) -> str | None:
        return None if value is None else parse_time_of_day(value).isoformat()

    @field_validator("every", mode="before")
    @classmethod
    def _check_every(cls, value: object) -> str | None:
        if value is None:
            return None
        delta = parse_duration(value)
        if not dt.timedelta(seconds=1) <= delta <= _MAX_INTERVAL:
            raise ValueError(f"every: {value!r} must be between '1s' and '24h'")
        return format_duration(delta)

    @field_validator("offset", mode="before")
    @classmethod
    def _check_offset(cls, value: object) -> str | None:
        return None if value is None else format_duration(parse_duration(value, signed=True))

    @field_validator("max_late", mode="before")
    @classmethod
    def _check_max_late(cls, value: object) -> str:
        delta = parse_duration(value)
        if delta <= dt.timedelta(0):
            raise ValueError(f"max_late: {value!r} must be longer than 0s")
        return format_duration(delta)

    # -- checks across fields (errors name the job) -----------------------------

    @model_validator(mode="after")
    def _check_timing(self) -> JobSettings:
        given = [key for key in ("at", "every", "when") if getattr(self, key) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none"
            raise ValueError(f"job {self.name!r}: give exactly one of at, every, when (found {found})")
        if self.offset is not None and self.when is None:
            raise ValueError(f"job {self.name!r}: offset only applies to when: jobs "
                             f"(for at: write the time itself)")
        if "sessions_only" in self.model_fields_set and self.every is None:
            raise ValueError(f"job {self.name!r}: sessions_only only applies to every: jobs")
        if self.when is not None:
            try:
                anchored_time(self.when, self.offset_delta)
            except ValueError as exc:
                raise ValueError(f"job {self.name!r}: {exc}") from None
        return self

    # -- parsed values -----------------------------------------------------------

    @property
    def kind(self) -> Literal["at", "every", "when"]:
        """Which timing spec the job uses."""
        return "at" if self.at is not None else "every" if self.every is not None else "when"

    @property
    def time_of_day(self) -> dt.time | None:
        """The daily fire time of an ``at:`` or ``when:`` job (``None`` for ``every:``)."""
        if self.at is not None:
            return dt.time.fromisoformat(self.at)
        if self.when is not None:
            return anchored_time(self.when, self.offset_delta)
        return None

    @property
    def interval(self) -> dt.timedelta | None:
        """The repeat interval of an ``every:`` job."""
        return None if self.every is None else parse_duration(self.every)

    @property
    def offset_delta(self) -> dt.timedelta | None:
        """The parsed ``offset`` (``None`` = the anchor's default)."""
        return None if self.offset is None else parse_duration(self.offset, signed=True)

    @property
    def max_late_delta(self) -> dt.timedelta:
        """The parsed ``max_late``."""
        return parse_duration(self.max_late)

    def timing_text(self) -> str:
        """A one-line human description: ``'at 14:50:00'``, ``'every 5m in sessions'``, ``'before_open (09:25:00)'``."""
        if self.at is not None:
            return f"at {self.at}"
        if self.every is not None:
            return f"every {self.every} {'in sessions' if self.sessions_only else 'all day'}"
        return f"{self.when} ({self.time_of_day})"


class CalendarSettings(BaseModel):
    """``calendar:`` additions to the exchange calendar (exchange-calendars XSHG)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    extra_holidays: list[dt.date] = Field(
        default_factory=list,
        description="dates to treat as closed: unscheduled closures, and the exchanges' holidays for "
                    "years past the calendar's last published day (2026-12-31)",
    )

    def make_calendar(self, **kwargs: Any) -> TradingCalendar:
        """A :class:`engine.calendar.TradingCalendar` with these extra holidays (kwargs go to it)."""
        return TradingCalendar(self.extra_holidays, **kwargs)
