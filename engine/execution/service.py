"""The execution state of one engine: rebalances in flight, protective orders and algorithms.

Owned by the built-in ``execution`` plugin (:mod:`engine.builtin.execution`), which
forwards the order and market hooks to it on the engine thread; strategy contexts
reach it through ``ctx.rebalance``, ``ctx.attach_stop`` and ``ctx.execute``. After each
change the strategy's protective orders and algorithms are written to its ``ctx.state``
(:mod:`.journal`), so a restart can resume them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from . import journal
from .algorithm import ExecAlgorithm
from .stops import ProtectiveOrder
from .targets import TargetRun

if TYPE_CHECKING:
    from ..models import Fill, Order

__all__ = ["ExecutionService"]


class ExecutionService:
    """Rebalances waiting for their sells, by strategy (a new rebalance supersedes the strategy's previous one),
    and the protective orders by code."""

    def __init__(self) -> None:
        self.rebalances: dict[str, TargetRun] = {}
        self.stops: dict[str, list[ProtectiveOrder]] = {}
        self.algorithms: list[ExecAlgorithm] = []

    def start_algorithm(self, ctx, algo: ExecAlgorithm) -> ExecAlgorithm:
        if algo.ctx is not None:
            raise ValueError(f"{algo!r} was already started")
        self.algorithms.append(algo)
        algo.start(ctx)
        self._save({ctx})
        return algo

    def resume(self, ctx, *, stops: bool = True, algorithms: bool = True, rebalance: bool = True) -> journal.Resumed:
        """Take over the protective orders and algorithms an earlier run saved in ``ctx.state``, and issue again
        the rebalance it left waiting for its sells."""
        report, resumed_algos, again = journal.resume(ctx, stops=stops, algorithms=algorithms, rebalance=rebalance)
        for stop in report.stops:
            self.stops.setdefault(stop.code, []).append(stop)
        for algo, state in resumed_algos:
            self.algorithms.append(algo)
            algo.resume(ctx, state)
        if again is not None:
            ctx.log.info("rebalance to {} from an earlier run issued again", again["weights"])
            report.rebalance = ctx.rebalance({code: Decimal(w) for code, w in again["weights"].items()},
                                             cash_buffer=Decimal(again["cash_buffer"]), slack=Decimal(again["slack"]),
                                             tolerance=Decimal(again["tolerance"]))
        self._save({ctx})
        return report

    def _save(self, contexts) -> None:
        for ctx in contexts:
            journal.save(ctx, (s for stops in self.stops.values() for s in stops if s.ctx is ctx),
                         (a for a in self.algorithms if a.ctx is ctx), self.rebalances.get(ctx.name))

    def active_algorithms(self, strategy: str | None = None) -> list[ExecAlgorithm]:
        return [a for a in self.algorithms if a.active and (strategy is None or a.ctx.name == strategy)]

    def on_time(self, now, code: str | None = None) -> None:
        """The clock moved (a tick of ``code``, or a heartbeat with ``code`` None): algorithms act on time."""
        touched = set()
        for algo in list(self.algorithms):
            if algo.active and (code is None or code == algo.code):
                algo.on_time(now)
                touched.add(algo.ctx)
        self.algorithms = [a for a in self.algorithms if a.active or a.live_children]
        self._save(touched)

    def on_cancel_error(self, cid: str | None) -> None:
        for algo in self.algorithms:
            algo.cancel_refused(cid)

    def add_stop(self, stop: ProtectiveOrder) -> ProtectiveOrder:
        self.stops.setdefault(stop.code, []).append(stop)
        self._save({stop.ctx})
        return stop

    def active_stops(self, strategy: str | None = None, code: str | None = None) -> list[ProtectiveOrder]:
        """The armed or triggered protective orders (of one strategy, of one code)."""
        lists = [self.stops.get(code, [])] if code is not None else list(self.stops.values())
        return [s for stops in lists for s in stops if s.active and (strategy is None or s.ctx.name == strategy)]

    def on_price(self, code: str, price: float | None) -> None:
        """A tick's last price or a bar's close of ``code``: its protective orders check their levels."""
        stops = self.stops.get(code)
        if not stops or not price:
            return
        for stop in list(stops):
            stop.on_price(price)
        self.stops[code] = [s for s in stops if s.active]
        self._save({s.ctx for s in stops})

    def start_rebalance(self, run: TargetRun) -> TargetRun:
        previous = self.rebalances.get(run.strategy)
        if previous is not None:
            previous.supersede()
        self.rebalances[run.strategy] = run
        run.start()
        self._drop_finished()
        self._save({run.ctx})
        return run

    def on_order(self, order: Order | Fill | dict) -> None:
        """An order update or a fill (anything with a ``client_order_id``)."""
        cid = order["client_order_id"] if isinstance(order, dict) else order.client_order_id
        for algo in list(self.algorithms):
            if any(c.client_order_id == cid for c in algo.children):
                algo.child_changed(cid)
                self._save({algo.ctx})
        for run in list(self.rebalances.values()):
            run.on_order(order)
        self._drop_finished()

    def on_prices(self) -> None:
        """A tick or a moment's bars arrived: runs whose sells are done send their buys."""
        for run in list(self.rebalances.values()):
            run.on_prices()
        self._drop_finished()

    def _drop_finished(self) -> None:
        finished = [r for r in self.rebalances.values() if not r.active]
        for run in finished:
            del self.rebalances[run.strategy]
        self._save({run.ctx for run in finished})
