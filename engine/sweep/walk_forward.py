"""Walk-forward splits: the periods each parameter set is backtested on, in-sample and out-of-sample.

Without ``walk_forward:`` a parameter set runs once (phase ``full``) on the base configuration's data.
With ``train``/``test`` it runs twice: ``train`` (in-sample, IS) and ``test`` (out-of-sample, OOS).
With ``rolling: {start, end, train_months, test_months, step_months}`` it runs on every window's
train and test periods: window 1 trains ``start`` .. ``start + train_months``, tests the next
``test_months``; the next window starts ``step_months`` later, and the last is the one whose test
period still ends by ``end``.

A parameter set's objective is the mean of its in-sample objectives (what the sampler optimises and
the ranking uses); the out-of-sample mean is shown beside it and never used to choose, so
over-fitting shows as a gap between the two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from .spec import SweepSpec, WalkForwardSettings

__all__ = ["Period", "periods"]


@dataclass(frozen=True)
class Period:
    """One backtest period of a parameter set: ``phase`` full | train | test."""

    phase: str
    window: tuple[str, str, str] | None  # (window name, start, end) for backtest.start / end

    @property
    def name(self) -> str:
        return self.window[0] if self.window else "full"


def periods(spec: SweepSpec) -> list[Period]:
    """The periods every parameter set runs on (see the module docstring)."""
    if spec.walk_forward is None:
        return [Period("full", None)]
    return _split(spec.walk_forward)


def _split(settings: WalkForwardSettings) -> list[Period]:
    if settings.rolling is None:
        assert settings.train is not None and settings.test is not None
        return [Period("train", ("w1", settings.train.start.isoformat(), settings.train.end.isoformat())),
                Period("test", ("w1", settings.test.start.isoformat(), settings.test.end.isoformat()))]
    rolling = settings.rolling
    step = rolling.step_months or rolling.test_months
    out: list[Period] = []
    start, number = rolling.start, 1
    while True:
        train_end = start + relativedelta(months=rolling.train_months) - dt.timedelta(days=1)
        test_start = train_end + dt.timedelta(days=1)
        test_end = test_start + relativedelta(months=rolling.test_months) - dt.timedelta(days=1)
        if test_end > rolling.end:
            break
        name = f"w{number}"
        out += [Period("train", (name, start.isoformat(), train_end.isoformat())),
                Period("test", (name, test_start.isoformat(), test_end.isoformat()))]
        start, number = start + relativedelta(months=step), number + 1
    if not out:
        raise ValueError(f"walk_forward.rolling: {rolling.start} .. {rolling.end} is shorter than one window of "
                         f"{rolling.train_months} + {rolling.test_months} months")
    return out
