"""The execution state of one engine: each strategy's rebalance in flight (and, later, its stops).

Owned by the built-in ``execution`` plugin (:mod:`engine.builtin.execution`), which
forwards the order and market hooks to it on the engine thread; strategy contexts
reach it through ``ctx.rebalance`` / ``ctx.order_target``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .targets import TargetRun

if TYPE_CHECKING:
    from ..models import Fill, Order

__all__ = ["ExecutionService"]


class ExecutionService:
    """Rebalances waiting for their sells, by strategy (a new rebalance supersedes the strategy's previous one)."""

    def __init__(self) -> None:
        self.rebalances: dict[str, TargetRun] = {}

    def start_rebalance(self, run: TargetRun) -> TargetRun:
        previous = self.rebalances.get(run.strategy)
        if previous is not None:
            previous.supersede()
        self.rebalances[run.strategy] = run
        return run.start()

    def on_order(self, order: Order | Fill | dict) -> None:
        """An order update or a fill (anything with a ``client_order_id``)."""
        for run in list(self.rebalances.values()):
            run.on_order(order)
        self._drop_finished()

    def on_prices(self) -> None:
        """A tick or a moment's bars arrived: runs whose sells are done send their buys."""
        for run in list(self.rebalances.values()):
            run.on_prices()
        self._drop_finished()

    def _drop_finished(self) -> None:
        for strategy in [s for s, r in self.rebalances.items() if not r.active]:
            del self.rebalances[strategy]
