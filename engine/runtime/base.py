"""What every runtime provides to the engine."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from loguru import logger

from ..core.reconcile import resolve_unknown_submit, stale_submissions
from ..events import ConnectionChanged
from ..core.trading_states import DISCONNECT

if TYPE_CHECKING:
    from ..broker import XtGateway, XtMarketData
    from ..core.engine import Engine


class Runtime:
    """Clock + gateway + market data (+ an optional replay feed) for one mode.

    Subclasses set :attr:`clock`, :attr:`gateway`, :attr:`market` and
    :attr:`feed`, and implement :meth:`subscribe`.
    """

    clock: Any
    gateway: XtGateway
    market: XtMarketData
    feed: Any = None

    #: Reconnect back-off: first delay, factor, cap (seconds), +/- jitter fraction.
    backoff_first, backoff_factor, backoff_cap, backoff_jitter = 1.0, 2.0, 60.0, 0.2

    def __init__(self) -> None:
        self._reconnect_at: dt.datetime | None = None
        self._reconnect_attempts = 0
        self._jitter = random.Random(0)

    def start(self) -> None:
        """Connect the broker and subscribe market data (before the snapshot is loaded)."""
        self.gateway.connect()
        self.subscribe()

    def subscribe(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        try:
            self.market.unsubscribe_all()
        finally:
            self.gateway.close()

    # -- connection supervision (engine thread) -------------------------------

    def on_disconnect(self, engine: Engine) -> None:
        """Plan the first reconnect attempt."""
        self._reconnect_attempts = 0
        self._reconnect_at = self.clock.now() + dt.timedelta(seconds=self._delay(0))

    @property
    def reconnecting(self) -> bool:
        return self._reconnect_at is not None

    def monitor(self, engine: Engine) -> None:
        """Called by the engine's monitor step: reconnect when it is time; settle unanswered submits."""
        if self._reconnect_at is not None:
            if self.clock.now() >= self._reconnect_at:
                self._try_reconnect(engine)
            return
        for order in stale_submissions(engine, engine.config.engine.submit_timeout_seconds):
            resolve_unknown_submit(engine, order, f"no answer from the broker within "
                                                  f"{engine.config.engine.submit_timeout_seconds:g} s")

    def reconnect_now(self, engine: Engine, why: str) -> None:
        """Drop the session and reconnect at once with a new one (daily re-initialisation)."""
        engine.emit(ConnectionChanged(kind="disconnected", session_id=self.gateway.session_id, detail=why))
        self._reconnect_attempts = 0
        self._try_reconnect(engine)

    def _try_reconnect(self, engine: Engine) -> None:
        from ..core.reconcile import reconcile_with_broker

        self._reconnect_attempts += 1
        engine.emit(ConnectionChanged(kind="reconnecting", session_id=self.gateway.session_id,
                                      detail=f"attempt {self._reconnect_attempts}"))
        try:
            self.gateway.close()
            self.gateway.connect()
            self.market.resubscribe()
            snapshot = self.gateway.load_snapshot()
        except Exception as exc:  # noqa: BLE001 - any failure means: try again later
            delay = self._delay(self._reconnect_attempts)
            self._reconnect_at = self.clock.now() + dt.timedelta(seconds=delay)
            logger.warning("reconnect attempt {} failed ({}); next in {:.1f}s", self._reconnect_attempts, exc, delay)
            engine.emit(ConnectionChanged(kind="failed", session_id=self.gateway.session_id, detail=str(exc)))
            return
        self._reconnect_at = None
        self.connection_renewed()
        differences = reconcile_with_broker(engine, snapshot)
        engine.emit(ConnectionChanged(kind="reconnected", session_id=self.gateway.session_id,
                                      detail=f"after {self._reconnect_attempts} attempt(s); {differences} difference(s) reconciled"))
        engine.trading.release(DISCONNECT, "reconnected")
        engine.router.send_queued_cancels()
        engine.notify("on_reconnect", attempts=self._reconnect_attempts)

    def connection_renewed(self) -> None:
        """A new session is up (after a reconnect); subclasses reset their supervision here."""

    def _delay(self, attempt: int) -> float:
        base = min(self.backoff_first * self.backoff_factor ** attempt, self.backoff_cap)
        return base * (1 + self._jitter.uniform(-self.backoff_jitter, self.backoff_jitter))
