"""The risk gate: every order request is asked of the trading state and every risk plugin.

One denial blocks the order; every answer is recorded (one ``risk_decision``
event each, in order, after all answered). Fail closed: a risk plugin that
raises, is FAULTED, or answers anything but a :class:`RiskDecision` with a real
``True``/``False`` is a denial.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..events import RiskDecisionMade
from ..models import OrderRequest, RiskDecision, Side, TradingState
from .text import audit_text

if TYPE_CHECKING:
    from ..account import AccountLedger
    from .inputs import OrderDeskInputs

__all__ = ["RiskGate", "reduces_position"]


def reduces_position(ledger: AccountLedger, request: OrderRequest) -> bool:
    """A sell within the T+1 sellable volume: risk-reducing, never blocked by exposure or loss rules."""
    return request.side is Side.SELL and request.volume <= ledger.sellable(request.code)


class RiskGate:
    def __init__(self, inputs: OrderDeskInputs) -> None:
        self._inputs = inputs

    def check(self, request: OrderRequest) -> RiskDecision | None:
        """Ask the trading state and every risk plugin; record every answer; return the first denial, if any."""
        inputs = self._inputs
        answers: list[tuple[Any, str, str, Any, Any, str]] = []  # (allowed, rule, reason, value, limit, plugin)
        trading = inputs.trading
        state = trading.for_strategy(request.strategy)
        if state is TradingState.HALTED:
            answers.append((False, "trading_state", f"trading is HALTED ({trading.describe(None) or trading.describe(request.strategy)})",
                            state.value, "ACTIVE", "engine"))
        elif state is TradingState.REDUCING and not reduces_position(inputs.ledger, request):
            answers.append((False, "trading_state", "trading is REDUCING: only sells within the sellable volume",
                            state.value, "ACTIVE", "engine"))
        dispatch = inputs.dispatch
        faulted = dispatch.faulted
        if faulted:
            for impl in dispatch.implementations("check_order"):
                if impl.plugin in faulted:  # fail closed: a broken risk rule still says no
                    answers.append((False, "plugin_faulted", f"risk plugin {impl.plugin!r} is FAULTED after repeated errors; "
                                    "orders stay blocked until the engine restarts with it fixed", None, None, impl.plugin))
        for plugin, result, failure in dispatch.collect("check_order", request=request):
            if failure is not None:
                answers.append((False, "plugin_error", f"risk plugin {plugin!r} raised {type(failure.error).__name__}: "
                                f"{failure.error}", None, None, plugin))
            elif isinstance(result, RiskDecision) and type(result.allowed) is bool:
                answers.append((result.allowed, result.rule, result.reason, result.value, result.limit, plugin))
            elif isinstance(result, RiskDecision):  # RiskDecision("no"), RiskDecision(nan): not a real allow
                answers.append((False, "bad_decision", f"check_order returned RiskDecision(allowed={result.allowed!r}, "
                                f"rule={result.rule!r}): allowed must be True or False; treated as a denial",
                                None, None, plugin))
            elif result is not None:
                answers.append((False, "bad_decision", f"check_order returned {type(result).__name__}, expected "
                                "RiskDecision or None", None, None, plugin))
        denial = None
        emit, client_order_id, strategy, code = inputs.emit, request.client_order_id, request.strategy, request.code
        side, volume, price = request.side.value, request.volume, audit_text(request.price)
        for allowed, rule, reason, value, limit, plugin in answers:
            emit(RiskDecisionMade(
                client_order_id=client_order_id, strategy=strategy, code=code, side=side, volume=volume, price=price,
                allowed=allowed, rule=rule, plugin=plugin, reason=reason, value=audit_text(value), limit=audit_text(limit),
            ))
            if denial is None and not allowed:
                denial = RiskDecision(allowed, rule, reason, value, limit, plugin)
        return denial
