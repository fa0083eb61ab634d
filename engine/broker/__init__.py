"""The broker side: one gateway that drives the real ``XtQuantTrader`` or the simulator.

* :class:`XtGateway` calls the trader (connect, subscribe, order, cancel, queries)
  from the engine thread only.
* :class:`GatewayCallback` receives the SDK's pushes on the SDK's worker thread
  and only puts them on the engine's queue.
* :class:`XtMarketData` subscribes quotes through ``xtdata`` (or the
  simulator's ``SimXtData``), serialising every call into it, and hands
  normalised ticks to the engine's queue.
"""

from .callback import GatewayCallback
from .gateway import BrokerError, XtGateway
from .market_data import XtMarketData

__all__ = ["BrokerError", "GatewayCallback", "XtGateway", "XtMarketData"]
