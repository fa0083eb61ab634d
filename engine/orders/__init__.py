"""Orders: one owner (:class:`OrderDesk`, ``desk.py``) for the book, routing, risk and the broker's answers.

``book.py`` indexes orders by every id a broker record can carry and holds the status
machine; ``router.py`` is the only way to the broker (risk gate, durable intent, gateway);
``risk_gate.py`` asks the trading state and every risk plugin; ``broker_events.py`` turns
the broker's pushes into state, audit rows and hooks; ``unknown_outcomes.py`` resolves
submits the broker never answered; ``inputs.py`` is all the desk sees of the engine.
"""

from .desk import OrderDesk
from .inputs import OrderDeskInputs

__all__ = ["OrderDesk", "OrderDeskInputs"]
