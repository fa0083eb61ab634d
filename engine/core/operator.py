"""Apply the operator's kill-switch commands and restore persisted trading states (engine thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

from ..events import AlertRaised
from ..models import TradingState
from .trading_states import OPERATOR

if TYPE_CHECKING:
    from .engine import Engine


def restore_trading_states(engine: Engine) -> None:
    """Start with the causes the last run left (a halt survives a restart), then apply pending commands."""
    engine.trading.restore()
    apply_operator_commands(engine)


def apply_operator_commands(engine: Engine) -> None:
    """Apply every command not applied yet, once, in order; in any connection state.

    A command naming a strategy this engine does not run is refused (recorded as an alert and
    marked done, so it is not retried), naming the strategies it does run."""
    known = engine.strategy_names
    for command in engine.control.pending_commands():
        who = f"#{command.id} by {command.requested_by}" + (f": {command.reason}" if command.reason else "")
        if command.strategy is not None and command.strategy not in known:
            detail = (f"operator {command.action} {who} refused: no strategy named {command.strategy!r} in this engine; "
                      f"known: {', '.join(sorted(known)) or '(none)'}")
            logger.error(detail)
            engine.emit(AlertRaised(kind="operator_command_refused", detail=detail))
        elif command.action == "halt":
            engine.trading.impose(OPERATOR, TradingState.HALTED, f"{OPERATOR} halt {who}", command.strategy)
            if command.cancel_open:
                cancel_all_open_orders(engine, command.strategy)
        else:
            released = engine.trading.release_decisions(f"{OPERATOR} resume {who}", command.strategy)
            left = engine.trading.describe(command.strategy)
            if left:
                logger.warning("operator resume {}: released {}; still {} ({})", who, ", ".join(released) or "nothing",
                               engine.trading.state_of(command.strategy).value, left)
        engine.control.mark_applied(command.id, engine.run_id)
        logger.warning("operator command {} applied: {}", command.id, command.action)


def cancel_all_open_orders(engine: Engine, strategy: str | None = None) -> int:
    """Ask the broker to cancel every open order of the account, or of one strategy (cancels are never blocked).

    While the broker is not connected the cancels are queued and sent after the reconnect."""
    asked = 0
    for order in engine.orders.open_orders(strategy=strategy):
        if engine.router.cancel(OPERATOR, order):
            asked += 1
    logger.warning("kill switch: cancel requested for {} open order(s)", asked)
    return asked
