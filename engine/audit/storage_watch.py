"""Trading stops while the audit cannot write (issue 20 item 3): fail closed, then resume by itself.

The audit writer retries a batch the storage refuses (a lock held past the busy
timeout, a full disk) and says why in ``AuditWriter.storage_fault``.
:func:`watch_audit_storage` runs at the engine's periodic step, on the engine
thread: while any audit journal reports a fault the account is HALTED with the
cause ``audit_storage`` (a transient cause, like a broken broker link: it is not
written to the control file and is released when the journal writes again). The
change of state is one log line and one ``trading_state`` row each way.

A run during which the audit could not write ends with reason ``error``
(exit code 1): orders were refused and the journal lagged; an operator should
look at the log (:func:`audit_storage_failed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..core.trading_states import AUDIT_STORAGE
from ..models import TradingState

if TYPE_CHECKING:
    from ..core.trading_states import TradingStates
    from ..plugin_manager import LoadedPlugin

__all__ = ["AUDIT_STORAGE", "audit_storage_failed", "watch_audit_storage"]



def _journal_writers(plugins: Iterable[LoadedPlugin]) -> list[object]:
    return [p.obj for p in plugins if getattr(p.obj, "AUDIT_JOURNAL", False)]


def watch_audit_storage(plugins: Iterable[LoadedPlugin], trading: TradingStates) -> None:
    """Impose or release the ``audit_storage`` halt on ``trading`` from the journals' ``storage_fault``."""
    faults = [fault for fault in (getattr(w, "storage_fault", None) for w in _journal_writers(plugins)) if fault]
    held = trading.held_by(AUDIT_STORAGE)
    if faults and not held:
        trading.impose(AUDIT_STORAGE, TradingState.HALTED, f"{faults[0]}: no order until it writes again")
    elif not faults and held:
        trading.release(AUDIT_STORAGE, "the audit writes again")


def audit_storage_failed(plugins: Iterable[LoadedPlugin]) -> int:
    """How many times an audit journal of this run could not write (0: never)."""
    return sum(getattr(w, "storage_faults", 0) for w in _journal_writers(plugins))
