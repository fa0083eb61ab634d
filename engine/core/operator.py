"""Apply the operator's kill-switch commands and restore persisted trading states (engine thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

from ..models import TradingState

if TYPE_CHECKING:
    from .engine import Engine

OPERATOR = "operator"


def restore_trading_states(engine: Engine) -> None:
    """Start in the states the last run left (a halt survives a restart), then apply pending commands."""
    for scope, (state, cause) in engine.control.current_states().items():
        strategy = scope.partition(":")[2] if scope.startswith("strategy:") else None
        if state != TradingState.ACTIVE.value:
            engine.set_trading_state(TradingState(state), f"restored at start-up ({cause})", strategy, persist=False)
    apply_operator_commands(engine)


def apply_operator_commands(engine: Engine) -> None:
    """Apply every command not applied yet, once, in order."""
    for command in engine.control.pending_commands():
        who = f"#{command.id} by {command.requested_by}" + (f": {command.reason}" if command.reason else "")
        if command.action == "halt":
            engine.set_trading_state(TradingState.HALTED, f"{OPERATOR} halt {who}", command.strategy)
            if command.cancel_open:
                cancel_all_open_orders(engine, command.strategy)
        else:
            engine.set_trading_state(TradingState.ACTIVE, f"{OPERATOR} resume {who}", command.strategy)
        engine.control.mark_applied(command.id, engine.run_id)
        logger.warning("operator command {} applied: {}", command.id, command.action)


def cancel_all_open_orders(engine: Engine, strategy: str | None = None) -> int:
    """Ask the broker to cancel every open order of the account, or of one strategy (cancels are never blocked)."""
    sent = 0
    for order in engine.orders.open_orders(strategy=strategy):
        if engine.router.cancel(OPERATOR, order):
            sent += 1
    logger.warning("kill switch: cancel requested for {} open order(s)", sent)
    return sent
