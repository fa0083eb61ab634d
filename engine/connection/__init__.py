"""The broker connection's one owner.

:class:`BrokerConnection` connects at start-up (retrying with back-off), notices a
disconnect, reconnects with a new session, resubscribes market data and hands the
broker's fresh snapshot to the engine for reconciliation. :class:`LiveSupervisor`
(live mode) watches the feed, proves the connection lives and renews the session
daily. ``engine/runtime/`` only assembles a mode (clock, gateway, market data, feed);
it no longer decides anything about the connection.
"""

from .backoff import Backoff
from .broker_connection import BrokerConnection
from .supervisor import LiveSupervisor

__all__ = ["Backoff", "BrokerConnection", "LiveSupervisor"]
