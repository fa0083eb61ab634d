"""Built-in plugin ``account_snapshots``: the account and its positions into the audit, every few minutes.

Each snapshot is an ``account_snapshots`` row (cash, total asset, P&L today,
the positions with holding days and P&L, each strategy's P&L today): the
points of the day's equity curve and the positions page of ``qmt-engine serve``.
One is taken at the start of a run, every ``audit.snapshot_seconds`` of engine
time (on the heartbeat, so no finer than ``engine.heartbeat_seconds``), and at
the end. By mode: every 60 s in live and paper runs, off in backtests (set
``audit.snapshot_seconds`` to turn them on there).
"""

from __future__ import annotations

import datetime as dt

from ..config import EngineConfig
from ..hookspecs import hookimpl


class AccountSnapshots:
    def __init__(self, every_seconds: float) -> None:
        self.every = dt.timedelta(seconds=every_seconds)
        self._next: dt.datetime | None = None

    @hookimpl
    def on_start(self, ctx) -> None:
        ctx.record_account_snapshot()
        self._next = ctx.now + self.every

    @hookimpl
    def on_heartbeat(self, ctx, now: dt.datetime) -> None:
        if self._next is not None and now >= self._next:
            self._next = now + self.every
            ctx.record_account_snapshot()

    @hookimpl
    def on_stop(self, ctx) -> None:
        ctx.record_account_snapshot()


def make_plugin(config: EngineConfig) -> AccountSnapshots | None:
    every = config.audit.snapshot_seconds_for(config.mode)
    return AccountSnapshots(every) if every else None


__all__ = ["AccountSnapshots", "make_plugin"]
