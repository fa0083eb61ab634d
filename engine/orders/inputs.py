"""What the order path needs from the rest of the engine, and nothing more.

The order desk never sees the :class:`~engine.core.engine.Engine`; it is given
these, built once by the engine. Each is a narrow interface owned elsewhere:
the audit and hooks (``emit``, ``notify``), the clock, the broker gateway, the
account's ledger, the trading states, the hook dispatcher (risk plugins).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from ..account import AccountLedger
    from ..core.run_stats import RunStats
    from ..core.trading_states import TradingStates
    from ..dispatch import HookDispatcher
    from ..events import Event

__all__ = ["OrderDeskInputs"]


class _Clock(Protocol):
    def now(self) -> dt.datetime: ...


@dataclass(frozen=True)
class OrderDeskInputs:
    """The order desk's collaborators.

    :ivar emit: record an event (``(Event) -> None``; raises ``JournalError`` when a durable one
        cannot be journalled).
    :ivar notify: call a notification hook on every plugin (``(hook, **kwargs) -> None``).
    :ivar clock: the engine clock (``now()``).
    :ivar gateway: the broker gateway (``submit``, ``cancel``, ``authorize``, ``query_orders``,
        ``query_trades``).
    :ivar ledger: the account's owner (fills, sells in flight, sellable volume).
    :ivar stats: the run's counters.
    :ivar trading: the trading states (account and per strategy).
    :ivar dispatch: the guarded hook dispatcher (``check_order`` answers, faulted plugins).
    :ivar require_engine_thread: ``(action) -> None``, raises when not on the engine thread or
        the run is not accepting orders.
    :ivar broker_connected: ``() -> bool``: a live trader exists and no reconnect is pending.
    :ivar last_price: ``(code) -> float | None``: the last tick's price, or the last known one.
    """

    emit: Callable[["Event"], None]
    notify: Callable[..., None]
    clock: _Clock
    gateway: Any
    ledger: "AccountLedger"
    stats: "RunStats"
    trading: "TradingStates"
    dispatch: "HookDispatcher"
    require_engine_thread: Callable[[str], None]
    broker_connected: Callable[[], bool]
    last_price: Callable[[str], float | None]
