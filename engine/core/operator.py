"""The operator's kill switch on the engine thread: persisted halts restored, pending commands applied."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from loguru import logger

from ..control import ControlStore
from ..events import AlertRaised, Event
from ..models import TradingState
from .trading_states import OPERATOR, TradingStates

if TYPE_CHECKING:
    from ..orders import OrderDesk

__all__ = ["OperatorCommands"]


class OperatorCommands:
    """Applies ``qmt-engine halt`` / ``resume`` commands from the control file, once each, in order.

    :param control: the control file (pending commands, applied marks).
    :param trading: the trading states the commands change.
    :param orders: the order desk (``halt --cancel-open`` cancels through it; queued while disconnected).
    :param emit: records refused commands as alerts.
    :param run_id: this run (recorded with each applied command).
    :param strategy_names: every loaded plugin's name: what ``--strategy`` may name.
    """

    def __init__(self, control: ControlStore, trading: TradingStates, orders: OrderDesk,
                 emit: Callable[[Event], None], run_id: str, strategy_names: frozenset[str]) -> None:
        self._control, self._trading, self._orders, self._emit = control, trading, orders, emit
        self._run_id, self._known = run_id, strategy_names

    def restore(self) -> None:
        """Start with the causes the last run left (a halt survives a restart), then apply pending commands."""
        self._trading.restore()
        self.apply_pending()

    def apply_pending(self) -> None:
        """Apply every command not applied yet, once, in order; in any connection state.

        A command naming a strategy this engine does not run is refused (recorded as an alert and
        marked done, so it is not retried), naming the strategies it does run."""
        trading = self._trading
        for command in self._control.pending_commands():
            who = f"#{command.id} by {command.requested_by}" + (f": {command.reason}" if command.reason else "")
            if command.strategy is not None and command.strategy not in self._known:
                detail = (f"operator {command.action} {who} refused: no strategy named {command.strategy!r} in this "
                          f"engine; known: {', '.join(sorted(self._known)) or '(none)'}")
                logger.error(detail)
                self._emit(AlertRaised(kind="operator_command_refused", detail=detail))
            elif command.action == "halt":
                trading.impose(OPERATOR, TradingState.HALTED, f"{OPERATOR} halt {who}", command.strategy)
                if command.cancel_open:
                    self._orders.cancel_all_open(OPERATOR, command.strategy)
            else:
                released = trading.release_decisions(f"{OPERATOR} resume {who}", command.strategy)
                left = trading.describe(command.strategy)
                if left:
                    logger.warning("operator resume {}: released {}; still {} ({})", who, ", ".join(released) or "nothing",
                                   trading.state_of(command.strategy).value, left)
            self._control.mark_applied(command.id, self._run_id)
            logger.warning("operator command {} applied: {}", command.id, command.action)
