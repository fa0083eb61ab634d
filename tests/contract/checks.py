"""Assertions shared by the scenarios: threads, audit rows, the broker's own view."""

from __future__ import annotations

from .harness import LiveRun, audit_rows


def assert_engine_thread_only(run: LiveRun) -> None:
    """Every hook ran on the engine thread, and every SDK call came from it (never from a callback thread)."""
    assert run.engine_thread is not None
    hook_threads = {thread for _, _, thread in run.recorder.calls}
    assert hook_threads == {run.engine_thread}, f"hooks ran on threads {hook_threads}, engine thread {run.engine_thread}"
    sdk_calls = [c for c in run.broker.calls if c.thread_id != run.engine_thread]
    assert not sdk_calls, f"SDK calls not made on the engine thread: {sdk_calls[:5]}"
    callback = run.engine.gateway.callback
    if callback is not None:
        assert run.engine_thread not in callback.thread_ids, "an SDK callback ran on the engine thread"


def connection_kinds(run: LiveRun) -> list[str]:
    rows = audit_rows(run.audit_path, "connection_events", "run_id = ?", (run.engine.run_id,))
    return [row["kind"] for row in rows]


def rows_of(run: LiveRun, table: str, where: str = "1=1", params: tuple = ()) -> list[dict]:
    """This run's rows of an audit table."""
    return audit_rows(run.audit_path, table, f"run_id = ? AND ({where})", (run.engine.run_id, *params))


def broker_orders(run: LiveRun) -> list:
    """The counter's orders today (the broker's truth), by order id."""
    return sorted(run.broker.counter.query_orders(), key=lambda o: o.order_id)
