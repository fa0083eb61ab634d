"""``ctx.state`` that survives a restart: saved to the audit database when it changes, restored at start-up.

Owner of every plugin's ``ctx.state`` between runs. The engine asks it to
:meth:`StrategyStates.restore` before ``on_start`` and to :meth:`StrategyStates.save_changed`
from the monitor step (at most once a second of wall time), at each day roll and
at the stop. A save is a ``strategy_states`` row holding the state as JSON text,
written only when the text differs from the last one saved.

What may be put in ``ctx.state``: JSON values (str, int, float, bool, None, lists,
and dicts with string keys), nested as deep as needed. Anything else (a Decimal,
a datetime, an object) makes the save fail with an error naming the plugin; the
state is then not saved until it is JSON again.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Iterable

from loguru import logger

from ..events import StrategyStateSaved

__all__ = ["StrategyStates"]


class StrategyStates:
    """Saves and restores each plugin's ``ctx.state``.

    :param contexts: returns the ``(name, state dict)`` of every plugin context made so far.
    :param emit: the engine's event emitter (the audit writer records the saves).
    :param enabled: False in backtests and paper replays (no later run continues their account).
    :param every_seconds: the least wall time between two change checks of the monitor step.
    """

    def __init__(self, contexts: Callable[[], Iterable[tuple[str, dict]]], emit: Callable[[Any], None], *,
                 enabled: bool, every_seconds: float = 1.0) -> None:
        self._contexts = contexts
        self._emit = emit
        self.enabled = enabled
        self._every = every_seconds
        self._next_check = 0.0
        self._saved: dict[str, str] = {}
        self._failing: set[str] = set()

    def restore(self, saved: dict[str, dict], state_of: Callable[[str], dict]) -> list[str]:
        """Put each strategy's saved state into its ``ctx.state``; returns the names restored."""
        restored = []
        for name, state in saved.items():
            target = state_of(name)
            target.clear()
            target.update(state)
            self._saved[name] = _text(state)
            restored.append(name)
        return restored

    def tick(self) -> None:
        """The monitor step: check for changes at most every ``every_seconds`` of wall time."""
        if self.enabled and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + self._every
            self.save_changed()

    def save_changed(self) -> int:
        """Save every state whose JSON differs from its last save; returns how many were saved."""
        if not self.enabled:
            return 0
        saved = 0
        for name, state in list(self._contexts()):
            if not state and name not in self._saved:
                continue
            try:
                text = _text(state)
            except (TypeError, ValueError) as exc:
                if name not in self._failing:
                    self._failing.add(name)
                    logger.error("ctx.state of {} is not JSON ({}); it is not saved until it is", name, exc)
                continue
            self._failing.discard(name)
            if self._saved.get(name) != text:
                self._emit(StrategyStateSaved(strategy=name, state=text))
                self._saved[name] = text
                saved += 1
        return saved


def _text(state: dict) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False, allow_nan=False)
