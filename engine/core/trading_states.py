"""The one owner of trading states: the account's and each strategy's, each a set of causes.

A scope (the account, or one strategy) is as restrictive as the most restrictive
of its causes; with none it is ACTIVE. Each cause has a kind: ``operator`` (the
kill switch), ``disconnect`` (the broker link is down), or the name of the plugin
that set it (``risk_loss``: a daily loss limit). Imposing or releasing one kind
never touches another: a reconnect releases ``disconnect`` and nothing else, so
an operator's halt given while the link was down stays.

The operator's ``resume`` is the one release of several kinds at once: it lifts
the operator's own halt and every plugin-set cause (as it always overrode a loss
halt), but never ``disconnect``, which is a fact about the link, not a decision.

Every change of a scope's causes is recorded (a ``trading_state`` event, even
when the effective state stays the same) and, for every kind but ``disconnect``,
persisted in the control file so that it survives a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from loguru import logger

from ..control import ControlStore
from ..events import Event, TradingStateChanged
from ..models import TradingState

OPERATOR = "operator"
DISCONNECT = "disconnect"
#: the audit cannot write (engine/audit/storage_watch.py)
AUDIT_STORAGE = "audit_storage"
#: kinds never written to the control file: they describe this run's connection or storage, not a decision
TRANSIENT_KINDS = frozenset({DISCONNECT, AUDIT_STORAGE})

#: how restrictive each trading state is
RESTRICTION = {TradingState.ACTIVE: 0, TradingState.REDUCING: 1, TradingState.HALTED: 2}


@dataclass(frozen=True)
class Cause:
    """Why a scope is not ACTIVE: ``kind`` (operator, disconnect, a plugin's name), the state it asks for, the detail."""

    kind: str
    state: TradingState
    detail: str


def most_restrictive(states: Iterable[TradingState]) -> TradingState:
    return max(states, key=RESTRICTION.__getitem__, default=TradingState.ACTIVE)


class TradingStates:
    """The causes of every scope, with the effective states derived from them (engine thread only).

    :param emit: records a ``trading_state`` event (the engine's ``emit``).
    :param control: the control file the persistent causes are written to.
    """

    def __init__(self, emit: Callable[[Event], None], control: ControlStore) -> None:
        self._emit = emit
        self._control = control
        #: scope (None: the account; else a strategy's name) -> {kind: Cause}
        self._causes: dict[str | None, dict[str, Cause]] = {}

    # -- reading ------------------------------------------------------------------------

    def state_of(self, strategy: str | None = None) -> TradingState:
        """The scope's own state (the account's for ``None``), from its causes alone."""
        return most_restrictive(c.state for c in self._causes.get(strategy, {}).values())

    def for_strategy(self, strategy: str) -> TradingState:
        """What applies to ``strategy``'s orders: the more restrictive of the account's state and its own."""
        return most_restrictive((self.state_of(None), self.state_of(strategy)))

    @property
    def account(self) -> TradingState:
        return self.state_of(None)

    def strategies(self) -> dict[str, TradingState]:
        """The own state of every strategy that ever had a cause."""
        return {name: self.state_of(name) for name in self._causes if name is not None}

    def causes(self, strategy: str | None = None) -> dict[str, Cause]:
        return dict(self._causes.get(strategy, {}))

    def describe(self, strategy: str | None = None) -> str:
        """The causes of a scope in words (``"operator halt #3; disconnect"``), or ``""``."""
        return "; ".join(c.detail for c in self._causes.get(strategy, {}).values())

    def held_by(self, kind: str, strategy: str | None = None) -> bool:
        return kind in self._causes.get(strategy, {})

    # -- changing -----------------------------------------------------------------------

    def impose(self, kind: str, state: TradingState, detail: str, strategy: str | None = None) -> None:
        """Add (or replace) the cause ``kind`` of a scope. ACTIVE means: release it."""
        state = TradingState(state)
        if state is TradingState.ACTIVE:
            self.release(kind, detail, strategy)
            return
        causes = self._causes.setdefault(strategy, {})
        old = causes.get(kind)
        if old is not None and old.state is state and old.detail == detail:
            return
        previous = self.state_of(strategy)
        causes[kind] = Cause(kind, state, detail)
        self._changed(strategy, kind, previous, detail, state)

    def release(self, kind: str, detail: str, strategy: str | None = None) -> bool:
        """Remove the cause ``kind`` of a scope (only that one); False when it had none."""
        causes = self._causes.get(strategy, {})
        if kind not in causes:
            return False
        previous = self.state_of(strategy)
        del causes[kind]
        self._changed(strategy, kind, previous, detail, TradingState.ACTIVE)
        return True

    def release_decisions(self, detail: str, strategy: str | None = None) -> list[str]:
        """The operator's resume: release every cause of a scope but the transient ones; the kinds released."""
        kinds = [k for k in self._causes.get(strategy, {}) if k not in TRANSIENT_KINDS]
        for kind in kinds:
            self.release(kind, detail, strategy)
        return kinds

    def restore(self) -> None:
        """Take back the persistent causes the last run left in the control file (engine start-up)."""
        for (scope, kind), (state, detail) in self._control.current_causes().items():
            if state == TradingState.ACTIVE.value:
                continue
            strategy = scope.partition(":")[2] if scope.startswith("strategy:") else None
            previous = self.state_of(strategy)
            # the cause keeps its own words (denials read as in the run that imposed it); the
            # change is recorded as a restore, and the control file already holds the cause
            self._causes.setdefault(strategy, {})[kind] = Cause(kind, TradingState(state), detail)
            current = self.state_of(strategy)
            if current is not previous:
                cause = f"restored at start-up: {self.describe(strategy)}"
                self._emit(TradingStateChanged(scope=scope, previous=previous.value, current=current.value, cause=cause))
                logger.warning("trading state of {}: {} -> {} ({})", strategy or "the account", previous.value,
                               current.value, cause)

    # -- recording ----------------------------------------------------------------------

    def _changed(self, strategy: str | None, kind: str, previous: TradingState, detail: str,
                 asked: TradingState) -> None:
        current = self.state_of(strategy)
        scope = f"strategy:{strategy}" if strategy else "account"
        remaining = self.describe(strategy)
        cause = detail if current is TradingState.ACTIVE or remaining == detail else f"{detail} (still: {remaining})"
        self._emit(TradingStateChanged(scope=scope, previous=previous.value, current=current.value, cause=cause))
        if kind not in TRANSIENT_KINDS:
            self._control.record_cause(scope, kind, asked.value, detail)
            persistent = [c for c in self._causes.get(strategy, {}).values() if c.kind not in TRANSIENT_KINDS]
            state = most_restrictive(c.state for c in persistent)
            self._control.record_state(scope, state.value, "; ".join(c.detail for c in persistent) or detail)
        logger.warning("trading state of {}: {} -> {} ({})", strategy or "the account", previous.value, current.value, cause)


__all__ = ["Cause", "DISCONNECT", "OPERATOR", "RESTRICTION", "TradingStates", "most_restrictive"]
