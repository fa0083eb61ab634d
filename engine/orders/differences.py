"""Where the engine and the broker disagree: one ``reconciliation`` event and one log line each."""

from __future__ import annotations

from typing import Any, Callable

from loguru import logger

from ..events import Event, ReconciliationDifference

__all__ = ["DifferenceRecorder"]


class DifferenceRecorder:
    """Records one ``reconciliation`` event (and a log line) per difference, and counts them.

    :param emit: records an event (``(Event) -> None``).
    :param label: what found the differences (``reconcile``, ``resolve``, ``journal recovery``), for the log.
    """

    def __init__(self, emit: Callable[[Event], None], label: str) -> None:
        self._emit, self._label = emit, label
        self.count = 0

    def __call__(self, kind: str, subject: str, engine_value: Any, broker_value: Any, action: str) -> None:
        self.count += 1
        self._emit(ReconciliationDifference(kind=kind, subject=subject, engine_value=str(engine_value),
                                            broker_value=str(broker_value), action=action))
        logger.warning("{} {} {}: engine {} / broker {} -> {}", self._label, kind, subject, engine_value,
                       broker_value, action)
