"""The end of a run, and what happens when a plugin fails: recorded, logged, never fatal."""

from __future__ import annotations

import queue
import time
from typing import TYPE_CHECKING

from loguru import logger

from ..audit.storage_watch import audit_storage_failed
from ..dispatch import HookFailure
from ..events import PluginFailed, RunStopped
from ..plugin_manager import close_loaded
from .operator import cancel_all_open_orders
from .router import JournalError
from .run_stats import RunSummary

if TYPE_CHECKING:
    from .engine import Engine


def record_plugin_failure(engine: Engine, failure: HookFailure) -> None:
    """Log a plugin's exception and record it as a ``plugin_error`` (not through a failing event sink)."""
    # the plugin's own frames only (not the CLI's, nor the dispatcher's): a short, readable traceback
    logger.error("plugin {} raised {} in {} (failure {} in a row{})\n{}", failure.plugin, type(failure.error).__name__,
                 failure.hook, failure.consecutive_failures, "; now FAULTED and skipped" if failure.faulted else "",
                 failure.traceback.rstrip())
    engine.stats.plugin_errors += 1
    if engine._recording_failure or failure.hook == "track_event":
        return  # an event sink failed: recording it through the sinks could loop
    engine._recording_failure = True
    try:
        engine.emit(PluginFailed(
            plugin=failure.plugin, hook=failure.hook, error_type=type(failure.error).__name__,
            error=str(failure.error), traceback=failure.traceback, hook_input=failure.hook_input,
            consecutive_failures=failure.consecutive_failures, faulted=failure.faulted,
        ))
    finally:
        engine._recording_failure = False


def shutdown(engine: Engine, reason: str, elapsed: float) -> RunSummary:
    """Stop strategies, optionally cancel open orders, disconnect, record the run's end, close plugins."""
    if engine.config.engine.cancel_open_on_stop and reason != "error":
        _cancel_open_before_stop(engine)
    engine._accepting_orders = False
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
        engine._drain()
    except Exception:  # noqa: BLE001
        logger.exception("error while handling the last broker messages")
    if reason != "error" and audit_storage_failed(engine):
        logger.error("the audit could not write during this run (orders were refused meanwhile): the run ends "
                     "in error; see the 'audit cannot write' lines above")
        reason = "error"
    summary = engine.stats.summary(engine, reason, elapsed)
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
        if not cancel_all_open_orders(engine):
            return
        deadline = time.monotonic() + engine.config.engine.stop_timeout_seconds
        while engine.orders.open_orders() and time.monotonic() < deadline:
            try:
                engine._handle(engine.inbound.get(timeout=0.05))
            except queue.Empty:
                pass
        left = engine.orders.open_orders()
        if left:
            logger.error("{} order(s) still open at stop: {}", len(left), ", ".join(o.client_order_id for o in left))
    except Exception:  # noqa: BLE001 - shutting down must go on
        logger.exception("cancelling open orders at stop failed")


def close_plugins(engine: Engine) -> None:
    """``close()`` every built-in and file plugin that has one (the audit writer flushes here)."""
    close_loaded(engine.plugins)
