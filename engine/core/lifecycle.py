"""The end of a run, and what happens when a plugin fails: recorded, logged, never fatal."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from loguru import logger

from ..audit.storage_watch import audit_storage_failed
from ..dispatch import HookFailure
from ..events import Event, JournalError, PluginFailed, RunStopped
from ..plugin_manager import close_loaded
from .run_stats import RunStats, RunSummary
from .trading_states import OPERATOR

if TYPE_CHECKING:
    from .engine import Engine


class PluginFailureRecorder:
    """Logs a plugin's exception and records it as a ``plugin_error`` (never through a failing event sink).

    :param emit: records the ``plugin_error`` event.
    :param stats: counts the failure.
    """

    def __init__(self, emit: Callable[[Event], None], stats: RunStats) -> None:
        self._emit, self._stats = emit, stats
        self._recording = False

    def __call__(self, failure: HookFailure) -> None:
        # the plugin's own frames only (not the CLI's, nor the dispatcher's): a short, readable traceback
        logger.error("plugin {} raised {} in {} (failure {} in a row{})\n{}", failure.plugin,
                     type(failure.error).__name__, failure.hook, failure.consecutive_failures,
                     "; now FAULTED and skipped" if failure.faulted else "", failure.traceback.rstrip())
        self._stats.plugin_errors += 1
        if self._recording or failure.hook == "track_event":
            return  # an event sink failed: recording it through the sinks could loop
        self._recording = True
        try:
            self._emit(PluginFailed(
                plugin=failure.plugin, hook=failure.hook, error_type=type(failure.error).__name__,
                error=str(failure.error), traceback=failure.traceback, hook_input=failure.hook_input,
                consecutive_failures=failure.consecutive_failures, faulted=failure.faulted,
            ))
        finally:
            self._recording = False


def shutdown(engine: Engine, reason: str, elapsed: float) -> RunSummary:
    """Stop strategies, optionally cancel open orders, disconnect, record the run's end, close plugins."""
    if engine.config.engine.cancel_open_on_stop and reason != "error":
        _cancel_open_before_stop(engine)
    engine.close_order_gate()
    engine.notify("on_stop", reason=reason)
    try:
        engine.plugin_states.save_changed()
    except Exception:  # noqa: BLE001 - the run record matters more than a state save
        logger.exception("saving ctx.state at the stop failed")
    try:
        engine.connection.close()
    except Exception as exc:  # noqa: BLE001 - a failing broker shutdown must not lose the run record
        logger.warning("closing the broker connection failed: {}: {}", type(exc).__name__, exc)
    try:
        engine.runtime.stop()
    except Exception:  # noqa: BLE001 - the run record matters more
        logger.exception("error while stopping the {} runtime", engine.config.mode)
    try:
        engine.drain()
    except Exception:  # noqa: BLE001
        logger.exception("error while handling the last broker messages")
    if reason != "error" and audit_storage_failed(engine.plugins):
        logger.error("the audit could not write during this run (orders were refused meanwhile): the run ends "
                     "in error; see the 'audit cannot write' lines above")
        reason = "error"
    summary = engine.summary(reason, elapsed)
    try:
        engine.emit(RunStopped(reason=reason, summary=summary.as_dict()))
    except JournalError as exc:
        logger.error("the end of the run could not be recorded: {}", exc)
    finally:
        close_plugins(engine)
    logger.info("run {} ended ({}): {}", engine.run_id, reason, summary.one_line())
    return summary


def _cancel_open_before_stop(engine: Engine) -> None:
    """Send cancels for every open order, then handle broker pushes until they are confirmed or time runs out."""
    try:
        if not engine.orders.cancel_all_open(OPERATOR):
            return
        deadline = time.monotonic() + engine.config.engine.stop_timeout_seconds
        while engine.orders.open_orders() and time.monotonic() < deadline:
            engine.handle_next(timeout=0.05)
        left = engine.orders.open_orders()
        if left:
            logger.error("{} order(s) still open at stop: {}", len(left), ", ".join(o.client_order_id for o in left))
    except Exception:  # noqa: BLE001 - shutting down must go on
        logger.exception("cancelling open orders at stop failed")


def close_plugins(engine: Engine) -> None:
    """``close()`` every built-in and file plugin that has one (the audit writer flushes here)."""
    close_loaded(engine.plugins)
