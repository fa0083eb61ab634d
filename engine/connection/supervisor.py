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
from typing import TYPE_CHECKING, Any, Callable

from loguru import logger

from ..calendar import TradingCalendar, in_trading_session
from ..events import AlertRaised, Event

if TYPE_CHECKING:
    from ..broker import XtGateway, XtMarketData
    from ..config.models import LiveSettings
    from .broker_connection import BrokerConnection


class LiveSupervisor:
    """Watches a live session from the engine's monitor step (only while no reconnect is pending).

    :param connection: the session's owner (renewed for the daily re-initialisation).
    :param put: the engine queue's ``put``: a failed liveness query becomes a ``disconnected``
        message, its answer an ``asset`` message, handled like the broker's own pushes.
    :param last_data_at: when the engine last received market data (None: never).
    """

    def __init__(self, connection: BrokerConnection, gateway: XtGateway, market: XtMarketData, *,
                 settings: LiveSettings, clock: Any, emit: Callable[[Event], None], put: Callable[[tuple], None],
                 last_data_at: Callable[[], dt.datetime | None], calendar: TradingCalendar | None = None) -> None:
        self._connection = connection
        self._gateway = gateway
        self._market = market
        self._settings = settings
        self._clock = clock
        self._emit = emit
        self._put = put
        self._last_data_at = last_data_at
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

    def check(self) -> None:
        now = self._clock.now()
        self._watch_feed(now)
        self._check_liveness(now)
        self._daily_reinit(now)

    def _watch_feed(self, now: dt.datetime) -> None:
        if not in_trading_session(self._calendar, now):
            self._watch_from = None
            return
        if self._watch_from is None:  # a session just began: watch from now
            self._watch_from = now
        last = self._last_data_at()
        since = max(last, self._watch_from) if last is not None else self._watch_from
        silent = (now - since).total_seconds()
        if silent >= self._settings.data_timeout_seconds:
            detail = f"no market data for {silent:.0f} s in trading hours; resubscribing"
            logger.warning(detail)
            self._emit(AlertRaised(kind="market_data_silent", detail=detail))
            self._market.resubscribe()
            self._watch_from = now

    def _check_liveness(self, now: dt.datetime) -> None:
        if self._next_liveness is not None and now < self._next_liveness:
            return
        self._next_liveness = now + dt.timedelta(seconds=self._settings.liveness_seconds)
        asset = self._gateway.query_asset()
        if asset is None:
            self._put(("disconnected", "liveness query got no answer"))
        else:  # the answer is the account's cash as the broker has it now: apply it like a push
            self._put(("asset", asset))

    def _daily_reinit(self, now: dt.datetime) -> None:
        at = self._settings.daily_reinit
        if at is None or self._reinit_done_on == now.date() or now.time() < at:
            return
        self._reinit_done_on = now.date()
        if in_trading_session(self._calendar, now):
            return  # started late in the day: never re-initialise during trading hours
        self._emit(AlertRaised(kind="daily_reinit", detail=f"daily re-initialisation at {at:%H:%M}: new session"))
        self._connection.renew("daily re-initialisation")
