"""Operator actions from the web: halt / resume / halt with cancel-open, for the account or one strategy.

The only thing the web process ever writes: a command in the control file,
exactly what ``qmt-engine halt`` / ``resume`` write, with who asked. The engine
applies it within ``engine.control_poll_seconds`` and records the trading-state
change (with the author in its cause) in the audit database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..control import ControlStore
from .auth import Principal

ACTIONS = ("halt", "halt_cancel", "resume")


class ActionError(ValueError):
    """A request the web app refuses (unknown action or strategy); the message says what is known."""


@dataclass(frozen=True)
class Action:
    action: str  # halt | halt_cancel | resume
    strategy: str | None = None
    reason: str = ""

    @property
    def control_action(self) -> str:
        return "resume" if self.action == "resume" else "halt"

    @property
    def cancel_open(self) -> bool:
        return self.action == "halt_cancel"


class ControlActions:
    """Validates actions against the configured strategies and queues them in the control file."""

    def __init__(self, control_path: Path, strategies: list[str]) -> None:
        self.control_path = control_path
        self.strategies = strategies

    def parse(self, action: str, strategy: str | None, reason: str = "") -> Action:
        if action not in ACTIONS:
            raise ActionError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        strategy = (strategy or "").strip() or None
        if strategy is not None and strategy not in self.strategies:
            known = ", ".join(self.strategies) or "none configured"
            raise ActionError(f"unknown strategy {strategy!r}; known: {known}")
        return Action(action, strategy, " ".join(reason.split())[:200])

    def submit(self, action: Action, principal: Principal) -> int:
        """Queue the command; returns its id. Only operators get here (the routes check)."""
        if not principal.is_operator:
            raise PermissionError("only an operator may halt or resume")
        store = ControlStore(self.control_path)
        return store.request(action.control_action, cancel_open=action.cancel_open, reason=action.reason,
                             strategy=action.strategy, requested_by=principal.requested_by())

    def pending(self) -> list[dict]:
        """Commands no engine has applied yet (empty when there is no control file)."""
        if not self.control_path.exists():
            return []
        return [{"id": c.id, "at": c.at, "action": c.action, "strategy": c.strategy, "cancel_open": c.cancel_open,
                 "requested_by": c.requested_by, "reason": c.reason}
                for c in ControlStore(self.control_path).pending_commands()]
