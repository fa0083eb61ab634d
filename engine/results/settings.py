"""``results:`` in config.yaml: equity marks, the metrics' conventions, the benchmark, the report.

Defaults (docs/results.md says why):

* ``risk_free_rate: 0.0`` a year, spread evenly over ``days_per_year: 252`` days
  (the convention of empyrical and quantstats; A-share exchanges open about 242
  days a year, set 242 for that);
* ``mark_every: auto``: an intraday equity mark every minute of engine time in
  trading hours in live and paper mode (the points of ``qmt-engine serve``'s equity
  curve), every 30 minutes in a backtest (a mark costs about 40 us of engine time);
  ``null``: daily marks only; ``close_mark_at: 15:01`` the daily one;
* no benchmark; ``benchmark: {file: index.csv}`` (columns ``date, close``, CSV or
  Parquet) or ``benchmark: {code: 000300.SH}`` (the data store, where there is one).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["BenchmarkSettings", "ResultsSettings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BenchmarkSettings(_Section):
    """``results.benchmark:`` the index a run is measured against: a file, or a code in the data store."""

    file: Path | None = Field(None, description="CSV or Parquet with columns date, close (one row per trading day)")
    code: str | None = Field(None, description="an index code in the data store, e.g. 000300.SH")
    store: Path | None = Field(None, description="the data store folder for 'code' (default: the bundled daily sample)")
    name: str | None = Field(None, description="the name shown in reports (default: the code or the file name)")

    @model_validator(mode="after")
    def _one_source(self) -> "BenchmarkSettings":
        if (self.file is None) == (self.code is None):
            raise ValueError("give exactly one of 'file' (date, close) or 'code' (from the data store)")
        return self

    @property
    def label(self) -> str:
        return self.name or self.code or (self.file.stem if self.file is not None else "benchmark")


class ResultsSettings(_Section):
    """``results:`` what the built-in plugin ``results`` records and how reports measure a run."""

    mark_every: str | None = Field("auto", description="intraday equity marks this often in trading hours (engine "
                                   "time): auto = 1m in live and paper, 30m in backtest; null: only start, close, stop")
    close_mark_at: dt.time = Field(dt.time(15, 1), description="the daily equity mark, after the close")
    risk_free_rate: float = Field(0.0, ge=-1, le=1, description="a year, as a fraction (0.02 = 2%)")
    days_per_year: int = Field(252, ge=1, le=366, description="trading days a year, to annualise")
    benchmark: BenchmarkSettings | None = Field(None, description="the index a run is compared with")
    report_dir: Path = Field(Path("var/reports"), description="where qmt-engine run writes a backtest's report")
    report_after_backtest: bool = Field(True, description="qmt-engine run writes report-<run_id>.html after a backtest")

    @field_validator("mark_every")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and value != "auto":
            from ..scheduling.durations import parse_duration

            if parse_duration(value) < dt.timedelta(seconds=1):
                raise ValueError("mark_every must be at least 1s")
        return value

    @field_validator("close_mark_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> dt.time:
        from ..scheduling.durations import parse_time_of_day

        return parse_time_of_day(value)

    def mark_interval(self, mode: str) -> dt.timedelta | None:
        """The intraday mark interval in ``mode`` (None: no intraday marks)."""
        from ..scheduling.durations import parse_duration

        if self.mark_every == "auto":
            return dt.timedelta(minutes=30 if mode == "backtest" else 1)
        return parse_duration(self.mark_every) if self.mark_every else None

    @property
    def daily_risk_free(self) -> float:
        """The risk-free return of one day: the yearly rate spread evenly over ``days_per_year``."""
        return self.risk_free_rate / self.days_per_year
