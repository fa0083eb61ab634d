"""Counters registered by path, so ``XtQuantTrader(path, session)`` finds the simulator's counter."""

from __future__ import annotations

import os
import threading

__all__ = ["lookup_counter", "register_counter", "unregister_counter"]

_LOCK = threading.Lock()
_COUNTERS: dict[str, object] = {}


def _key(path: object) -> str:
    return os.path.normcase(os.path.normpath(os.fspath(path)))


def register_counter(path, counter) -> None:
    """Make ``counter`` the one a ``SimXtQuantTrader(path, ...)`` without ``counter=`` trades on."""
    with _LOCK:
        _COUNTERS[_key(path)] = counter


def unregister_counter(path) -> None:
    with _LOCK:
        _COUNTERS.pop(_key(path), None)


def lookup_counter(path):
    """The counter registered for ``path``; KeyError with the known paths otherwise."""
    with _LOCK:
        counter = _COUNTERS.get(_key(path))
        known = sorted(_COUNTERS)
    if counter is None:
        raise KeyError(f"no simulator counter registered for path {path!r} "
                       f"(engine.sim.register_counter(path, counter)); registered: {known}")
    return counter
