"""The engine's domain objects: what strategies, risk plugins and the audit see.

Names say what things are: an :class:`OrderRequest` is what a strategy asks for,
an :class:`Order` is what the engine sent to the broker, a :class:`Fill` is one
execution, a :class:`RiskDecision` is one rule's verdict on one request.
"""

from .account import Account, Position
from .enums import OrderStatus, Side, TradingState
from .market import Bar, Tick
from .orders import CancelError, Fill, Order, OrderError, OrderRequest
from .risk import RiskDecision

__all__ = [
    "Account", "Bar", "CancelError", "Fill", "Order", "OrderError", "OrderRequest",
    "OrderStatus", "Position", "RiskDecision", "Side", "Tick", "TradingState",
]
