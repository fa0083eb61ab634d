"""Protective orders and algorithm states kept where a restart finds them: the strategy's ``ctx.state``.

After every change the execution service writes the strategy's active protective
orders and algorithms, as JSON values, to ``ctx.state["_execution"]``. The engine
saves each plugin's ``ctx.state`` to the audit database and restores it before
``on_start`` after a restart. In ``on_start`` the strategy calls
``ctx.resume_execution()`` to take them over. Each protective order and algorithm
is resumed or ended, as the call says. The orders of today are re-adopted from
the broker at start-up, so every child and every stop's sell is found again by its
client id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .algos import BUILTIN_ALGORITHMS
from .stops import ProtectiveOrder

if TYPE_CHECKING:
    from ..context import StrategyContext
    from .algorithm import ExecAlgorithm

__all__ = ["STATE_KEY", "Resumed", "resume", "save"]

STATE_KEY = "_execution"


class Resumed:
    """What :func:`resume` did: ``stops`` and ``algorithms`` taken over, the ``rebalance`` issued again (a
    :class:`~engine.execution.TargetRun`, or None), ``ended`` (kind, id, why)."""

    def __init__(self) -> None:
        self.stops: list[ProtectiveOrder] = []
        self.algorithms: list[ExecAlgorithm] = []
        self.rebalance = None
        self.ended: list[tuple[str, str, str]] = []

    def __repr__(self) -> str:
        return f"Resumed(stops={len(self.stops)}, algorithms={len(self.algorithms)}, ended={len(self.ended)})"


def save(ctx: StrategyContext, stops: Iterable[ProtectiveOrder], algorithms: Iterable[ExecAlgorithm],
         rebalance=None) -> None:
    """Write the strategy's active protective orders, algorithms and waiting rebalance to its ``ctx.state``."""
    record = {"stops": [s.to_state() for s in stops if s.active],
              "algorithms": [state for a in algorithms if a.active and (state := a.to_state())]}
    if rebalance is not None and rebalance.active and rebalance.resume_params is not None:
        record["rebalance"] = rebalance.resume_params
    if record["stops"] or record["algorithms"] or record.get("rebalance"):
        ctx.state[STATE_KEY] = record
    else:
        ctx.state.pop(STATE_KEY, None)


def resume(ctx: StrategyContext, *, stops: bool, algorithms: bool,
           rebalance: bool = True) -> tuple[Resumed, list[tuple], dict | None]:
    """Rebuild what an earlier run saved in ``ctx.state``: the report (stops rebuilt, what was ended), the
    algorithms to resume with their saved state, as ``(algorithm, state)`` pairs, and the parameters of a
    rebalance to issue again (or None)."""
    record = ctx.state.get(STATE_KEY) or {}
    report = Resumed()
    pending = []
    for state in record.get("stops", []):
        if stops:
            report.stops.append(ProtectiveOrder.from_state(ctx, state))
        else:
            report.ended.append(("stop", state["id"], "resume_execution(stops=False)"))
    for state in record.get("algorithms", []):
        cls = BUILTIN_ALGORITHMS.get(state["kind"])
        if algorithms and cls is not None:
            algo = cls.from_state(state)
            report.algorithms.append(algo)
            pending.append((algo, state))
        else:
            why = "resume_execution(algorithms=False)" if cls is not None else f"unknown kind {state['kind']!r}"
            report.ended.append(("algorithm", state["parent_id"], why))
    again = record.get("rebalance")
    if again and not rebalance:
        report.ended.append(("rebalance", ",".join(again["weights"]) or "(all sold)", "resume_execution(rebalance=False)"))
        again = None
    for kind, ident, why in report.ended:
        ctx.log.info("{} {} from an earlier run ended: {}", kind, ident, why)
    return report, pending, again
