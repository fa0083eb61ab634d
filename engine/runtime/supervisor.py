"""Live connection supervision, run from the engine's monitor step (engine thread).

* **Feed watchdog**: no tick for ``live.data_timeout_seconds`` during trading
  hours raises an ``alert`` and renews the quote subscriptions.
* **Liveness**: every ``live.liveness_seconds`` a cheap query must answer;
  a query that raises or returns nothing counts as a disconnect; its answer
  (the account's asset) updates the account like an asset push.
* **Daily re-initialisation**: at ``live.daily_reinit`` (outside trading hours)
  the engine reconnects with a fresh session, as MiniQMT sessions often need.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from loguru import logger

from ..calendar import TradingCalendar, in_trading_session
from ..events import AlertRaised

if TYPE_CHECKING:
    from ..config.models import LiveSettings
    from ..core.engine import Engine
    from .base import Runtime


class LiveSupervisor:
    def __init__(self, runtime: Runtime, settings: LiveSettings, calendar: TradingCalendar | None = None) -> None:
        self._runtime = runtime
        self._settings = settings
        self._calendar = calendar or TradingCalendar()
        self._watch_from: dt.datetime | None = None
        self._next_liveness: dt.datetime | None = None
        self._reinit_done_on: dt.date | None = None

    def started(self, now: dt.datetime) -> None:
        """The connection is fresh: the feed is watched from now, and a start after today's
        re-initialisation time counts as today's re-initialisation."""
        self._watch_from = now
        at = self._settings.daily_reinit
        if at is not None and now.time() >= at:
            self._reinit_done_on = now.date()

    def check(self, engine: Engine) -> None:
        if self._runtime.reconnecting:
            return
        now = engine.clock.now()
        self._watch_feed(engine, now)
        self._check_liveness(engine, now)
        self._daily_reinit(engine, now)

    def _watch_feed(self, engine: Engine, now: dt.datetime) -> None:
        if not in_trading_session(self._calendar, now):
            self._watch_from = None
            return
        if self._watch_from is None:  # a session just began: watch from now
            self._watch_from = now
        last = engine.last_data_at
        since = max(last, self._watch_from) if last is not None else self._watch_from
        silent = (now - since).total_seconds()
        if silent >= self._settings.data_timeout_seconds:
            detail = f"no market data for {silent:.0f} s in trading hours; resubscribing"
            logger.warning(detail)
            engine.emit(AlertRaised(kind="market_data_silent", detail=detail))
            self._runtime.market.resubscribe()
            self._watch_from = now

    def _check_liveness(self, engine: Engine, now: dt.datetime) -> None:
        if self._next_liveness is not None and now < self._next_liveness:
            return
        self._next_liveness = now + dt.timedelta(seconds=self._settings.liveness_seconds)
        asset = self._runtime.gateway.query_asset()
        if asset is None:
            engine.inbound.put(("disconnected", "liveness query got no answer"))
        else:  # the answer is the account's cash as the broker has it now: apply it like a push
            engine.inbound.put(("asset", asset))

    def _daily_reinit(self, engine: Engine, now: dt.datetime) -> None:
        at = self._settings.daily_reinit
        if at is None or self._reinit_done_on == now.date() or now.time() < at:
            return
        self._reinit_done_on = now.date()
        if in_trading_session(self._calendar, now):
            return  # started late in the day: never re-initialise during trading hours
        engine.emit(AlertRaised(kind="daily_reinit", detail=f"daily re-initialisation at {at:%H:%M}: new session"))
        self._runtime.reconnect_now(engine, "daily re-initialisation")
