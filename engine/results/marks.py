"""Built-in plugin ``results``: the account's value over time, as ``equity_marks`` audit rows.

A report needs the equity curve, and the audit held only orders and fills. This
plugin records an :class:`~engine.events.EquityMarked` event (cash, frozen cash,
market value, total asset, P&L today, each held position with its volume, last
price, holding days and P&L, each strategy's P&L today): the points of every
report and of the equity curve and positions page of ``qmt-engine serve``.

* ``start``: in ``on_start`` (the account as loaded from the broker);
* ``intraday``: on the first heartbeat at or after each ``results.mark_every``
  boundary of engine time (09:31, 09:32... for ``1m``; the default ``auto`` is 1m
  in live and paper mode, 30m in a backtest), inside trading hours
  (09:30-11:30, 13:00-15:00), and only when the account's value or holdings
  changed since the previous mark (a quiet engine writes nothing);
* ``close``: a scheduled job ``results.close_mark`` at ``results.close_mark_at``
  (15:01) on every trading day, so each day has its closing value (a replay
  steps its clock to the job's time even without data);
* ``stop``: in ``on_stop`` (the account as the run ended).

It reads only what every plugin can read (``ctx.equity_mark``) and writes
through ``ctx.record_equity``. ``plugins.disabled: [results]`` turns
it off; reports then have no equity curve.
"""

from __future__ import annotations

import datetime as dt

from ..events import EquityMarked
from ..hookspecs import hookimpl

__all__ = ["CLOSE_MARK_JOB", "EquityMarks", "make_plugin", "mark_of"]

CLOSE_MARK_JOB = "results.close_mark"
_MORNING = (dt.time(9, 30), dt.time(11, 30))
_AFTERNOON = (dt.time(13, 0), dt.time(15, 0))


def _in_session(moment: dt.datetime) -> bool:
    t = moment.time()
    return _MORNING[0] <= t <= _MORNING[1] or _AFTERNOON[0] <= t <= _AFTERNOON[1]


def mark_of(ctx, kind: str) -> EquityMarked:
    """An equity mark of the account as ``ctx`` sees it now (:meth:`engine.context.StrategyContext.equity_mark`)."""
    return ctx.equity_mark(kind)


class EquityMarks:
    """Records equity marks (see the module docstring).

    :param every: the intraday interval (None: no intraday marks).
    :param close_at: the time of the daily closing mark.
    """

    def __init__(self, every: dt.timedelta | None, close_at: dt.time) -> None:
        self._every = every
        self._close_at = close_at
        self._next = dt.datetime.min
        self._last_state: tuple | None = None

    @hookimpl
    def register_jobs(self, register) -> None:
        register(name=CLOSE_MARK_JOB, at=self._close_at.strftime("%H:%M:%S"))

    @hookimpl
    def on_start(self, ctx) -> None:
        self._record(ctx, "start")

    @hookimpl
    def on_heartbeat(self, ctx, now: dt.datetime) -> None:
        if now < self._next or self._every is None:
            return
        midnight = dt.datetime.combine(now.date(), dt.time())
        self._next = midnight + ((now - midnight) // self._every + 1) * self._every
        if _in_session(now):
            self._record(ctx, "intraday", only_if_changed=True)

    @hookimpl
    def on_schedule(self, ctx, job: str, params: dict) -> None:
        if job == CLOSE_MARK_JOB:
            self._record(ctx, "close")

    @hookimpl
    def on_stop(self, ctx, reason: str) -> None:
        self._record(ctx, "stop")

    def _record(self, ctx, kind: str, *, only_if_changed: bool = False) -> None:
        mark = mark_of(ctx, kind)
        state = (mark.total_asset, mark.frozen_cash, mark.positions, mark.strategies)
        if only_if_changed and state == self._last_state:
            return
        self._last_state = state
        ctx.record_equity(mark)


def make_plugin(config) -> EquityMarks:
    settings = config.results
    return EquityMarks(settings.mark_interval(config.mode), settings.close_mark_at)
