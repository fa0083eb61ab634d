"""Test plugins for execution tests."""

from __future__ import annotations

from engine import hookimpl
from tests.backtest.conftest import Recorder


class AtBars(Recorder):
    """A Recorder whose actions run once per moment, on ``on_bars`` (every code's bar already seen)."""

    @hookimpl
    def on_bar(self, ctx, bar):
        self.bars.append(bar)

    @hookimpl
    def on_bars(self, ctx, bars):
        action = self.actions.get(bars[0].time)
        if action is not None:
            action(ctx)
