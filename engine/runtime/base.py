"""What every runtime provides to the engine: the parts of one mode, assembled.

A runtime decides nothing about the connection (``engine/connection/`` owns connect,
back-off, reconnect and supervision) or about orders (``engine/core/``): it builds the
clock, the gateway, the market data and, for replays, the feed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..broker import XtGateway, XtMarketData
    from ..config.models import LiveSettings


class Runtime:
    """Clock + gateway + market data (+ an optional replay feed) for one mode.

    Subclasses set :attr:`clock`, :attr:`gateway`, :attr:`market` and
    :attr:`feed`, and implement :meth:`subscribe`. A runtime that talks to a real
    MiniQMT sets :attr:`supervised` to its ``live:`` settings, so the connection's
    owner watches the feed, proves liveness and renews the session daily.
    """

    clock: Any
    gateway: XtGateway
    market: XtMarketData
    feed: Any = None
    supervised: LiveSettings | None = None

    def subscribe(self) -> None:
        """Subscribe the mode's market data (called once the broker is connected)."""
        raise NotImplementedError

    def monitor(self, now: dt.datetime) -> None:
        """The end of each engine monitor step: per-mode work (live: flush finished bars)."""

    def stop(self) -> None:
        """Release what the mode built beyond the connection (the simulator's counter, bridges)."""
