"""Connect, notice a loss, back off, reconnect, resubscribe: the broker session's one owner.

Everything here runs on the engine thread (the start-up connect on the thread that
calls ``Engine.run``, which becomes the engine thread). Each attempt is one
``connection_events`` row and one log line with the cause and MiniQMT's code; no
traceback, because a refused connect is an expected condition, not a bug.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from loguru import logger

from ..broker import BrokerError
from ..events import ConnectionChanged, Event
from .backoff import Backoff

if TYPE_CHECKING:
    from ..broker import XtGateway, XtMarketData
    from ..broker.snapshot import BrokerSnapshot
    from ..config.models import ConnectionSettings
    from .supervisor import LiveSupervisor


class StartAborted(Exception):
    """The run was asked to stop while the start-up connect was still retrying."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"stopped ({reason}) while waiting to connect to the broker")
        self.reason = reason


def describe_failure(exc: BaseException) -> str:
    """The cause in one line, with MiniQMT's return code when the SDK gave one."""
    code = getattr(exc, "code", None)
    text = str(exc) or type(exc).__name__
    return f"{text} (MiniQMT code {code})" if code is not None else text


class BrokerConnection:
    """The broker session: start-up connect, disconnect, back-off, reconnect, resubscribe.

    :param gateway: the order gateway (its trader is the session).
    :param market: the market data side (resubscribed after a reconnect, unsubscribed at close).
    :param subscribe: the mode's first market-data subscription (``Runtime.subscribe``).
    :param clock: the engine clock; reconnect attempts are planned on it.
    :param emit: records an event (``connection_events``).
    :param settings: ``connection:`` of the config.
    :param on_reconnected: ``(snapshot, attempts)``, called after a successful reconnect with the
        broker's fresh snapshot: the engine reconciles, releases the disconnect halt, sends queued cancels.
    """

    def __init__(self, gateway: XtGateway, market: XtMarketData, *, subscribe: Callable[[], None], clock: Any,
                 emit: Callable[[Event], None], settings: ConnectionSettings,
                 on_reconnected: Callable[[BrokerSnapshot, int], None]) -> None:
        self._gateway = gateway
        self._market = market
        self._subscribe = subscribe
        self._clock = clock
        self._emit = emit
        self._settings = settings
        self._on_reconnected = on_reconnected
        self._backoff = Backoff(settings)
        self._reconnect_at: dt.datetime | None = None
        self._attempts = 0
        self._stop_requested = threading.Event()
        self._stop_reason = ""
        self.supervisor: LiveSupervisor | None = None

    # -- what others ask ----------------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self._gateway.session_id

    @property
    def reconnecting(self) -> bool:
        """A disconnect was noticed and the session is not renewed yet."""
        return self._reconnect_at is not None

    @property
    def connected(self) -> bool:
        """A live trader exists and no reconnect is pending."""
        return self._gateway.trader is not None and self._reconnect_at is None

    # -- start-up -------------------------------------------------------------------

    def open(self) -> BrokerSnapshot:
        """Connect, subscribe market data and load the broker's snapshot (the readiness gate).

        A :class:`BrokerError` (refused connect, account not subscribed, account not ready) is retried
        with the reconnect back-off for ``connection.connect_retry_seconds`` of wall-clock time; each
        attempt is recorded. Anything else is not a connection condition and is raised at once.

        :raises BrokerError: the last attempt's error once the time is spent.
        :raises StartAborted: :meth:`interrupt` was called while waiting.
        """
        started = time.monotonic()
        deadline = started + self._settings.connect_retry_seconds
        attempt = 0
        while True:
            attempt += 1
            try:
                self._gateway.connect()
                self._subscribe()
                snapshot = self._gateway.load_snapshot()
            except BrokerError as exc:
                self._gateway.close()
                left = deadline - time.monotonic()
                cause = describe_failure(exc)
                if left <= 0:
                    spent = time.monotonic() - started
                    self._record("failed", f"start-up attempt {attempt}: {cause}; giving up")
                    logger.error("broker connect attempt {} failed: {}; giving up after {} attempt(s) in {:.0f} s "
                                 "(connection.connect_retry_seconds: {:g})", attempt, cause, attempt, spent,
                                 self._settings.connect_retry_seconds)
                    raise
                wait = min(self._backoff.delay(attempt - 1), left)
                self._record("failed", f"start-up attempt {attempt}: {cause}; next in {wait:.1f} s")
                logger.warning("broker connect attempt {} failed: {}; next in {:.1f} s (giving up in {:.0f} s)",
                               attempt, cause, wait, left)
                if self._stop_requested.wait(wait):
                    raise StartAborted(self._stop_reason) from None
                continue
            if self.supervisor is not None:
                self.supervisor.started(self._clock.now())
            return snapshot

    def interrupt(self, reason: str) -> None:
        """Stop waiting between start-up attempts (any thread); a later :meth:`open` raises :class:`StartAborted`."""
        self._stop_reason = reason
        self._stop_requested.set()

    def close(self) -> None:
        """Unsubscribe market data and close the session (the end of a run)."""
        try:
            self._market.unsubscribe_all()
        finally:
            self._gateway.close()

    # -- during the run (engine thread) ----------------------------------------------------

    def lost(self, detail: str) -> None:
        """The broker went away: record it and plan the first reconnect attempt on the engine clock."""
        self._record("disconnected", detail)
        self._attempts = 0
        self._reconnect_at = self._clock.now() + dt.timedelta(seconds=self._backoff.delay(0))

    def monitor(self) -> None:
        """The engine's monitor step: reconnect when it is time, otherwise let the supervisor look."""
        if self._reconnect_at is not None:
            if self._clock.now() >= self._reconnect_at:
                self._attempt_reconnect()
            return
        if self.supervisor is not None:
            self.supervisor.check()

    def renew(self, why: str) -> None:
        """Drop the session and reconnect at once with a new one (the daily re-initialisation)."""
        self._record("disconnected", why)
        self._attempts = 0
        self._attempt_reconnect()

    def _attempt_reconnect(self) -> None:
        self._attempts += 1
        self._record("reconnecting", f"attempt {self._attempts}")
        try:
            self._gateway.close()
            self._gateway.connect()
            self._market.resubscribe()
            snapshot = self._gateway.load_snapshot()
        except Exception as exc:  # noqa: BLE001 - any failure means: try again later
            self._gateway.close()  # nothing is sent to a session that did not come up whole
            delay = self._backoff.delay(self._attempts)
            self._reconnect_at = self._clock.now() + dt.timedelta(seconds=delay)
            cause = describe_failure(exc)
            logger.warning("reconnect attempt {} failed: {}; next in {:.1f} s", self._attempts, cause, delay)
            self._record("failed", cause)
            return
        self._reconnect_at = None
        if self.supervisor is not None:
            self.supervisor.started(self._clock.now())
        self._on_reconnected(snapshot, self._attempts)

    def _record(self, kind: str, detail: str) -> None:
        self._emit(ConnectionChanged(kind=kind, session_id=self._gateway.session_id, detail=detail))
