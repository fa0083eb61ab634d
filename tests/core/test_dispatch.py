"""The guarded hook caller: isolation, order, argument subsets, FAULTED after N failures."""

from __future__ import annotations

import pytest

from engine import hookimpl
from engine.dispatch import HookDispatcher
from engine.plugin_manager import make_plugin_manager


class Recorder:
    def __init__(self, name, calls):
        self.name, self.calls = name, calls

    @hookimpl
    def on_tick(self, ctx, tick):
        self.calls.append((self.name, ctx, tick))


class Failing:
    def __init__(self):
        self.attempts = 0

    @hookimpl
    def on_tick(self, tick):
        self.attempts += 1
        raise ValueError(f"bad tick {tick}")


def make(plugins, max_failures=3):
    pm = make_plugin_manager()
    for name, plugin in plugins:
        pm.register(plugin, name=name)
    failures = []
    dispatcher = HookDispatcher(pm, context_for=lambda name: f"ctx:{name}", on_failure=failures.append,
                                max_consecutive_failures=max_failures)
    return dispatcher, failures


def test_each_plugin_gets_its_own_context_and_a_failure_does_not_stop_the_others():
    calls = []
    dispatcher, failures = make([("a", Recorder("a", calls)), ("bad", Failing()), ("b", Recorder("b", calls))])
    dispatcher.notify("on_tick", tick=1)
    assert calls == [("b", "ctx:b", 1), ("a", "ctx:a", 1)]
    [failure] = failures
    assert (failure.plugin, failure.hook, failure.consecutive_failures, failure.faulted) == ("bad", "on_tick", 1, False)
    assert "ValueError: bad tick 1" in failure.traceback
    assert failure.hook_input == "{'tick': 1}"


def test_plugin_is_faulted_after_n_consecutive_failures_and_then_skipped():
    failing = Failing()
    dispatcher, failures = make([("bad", failing)], max_failures=3)
    for i in range(5):
        dispatcher.notify("on_tick", tick=i)
    assert failing.attempts == 3
    assert [f.faulted for f in failures] == [False, False, True]
    assert dispatcher.faulted == {"bad"}


def test_a_success_resets_the_consecutive_count():
    class Flaky:
        def __init__(self):
            self.n = 0

        @hookimpl
        def on_tick(self, tick):
            self.n += 1
            if self.n % 2:
                raise RuntimeError("odd")

    dispatcher, failures = make([("flaky", Flaky())], max_failures=2)
    for i in range(6):
        dispatcher.notify("on_tick", tick=i)
    assert dispatcher.faulted == set()
    assert [f.consecutive_failures for f in failures] == [1, 1, 1]


def test_control_flow_exceptions_pass_through():
    class Interrupting:
        @hookimpl
        def on_tick(self, tick):
            raise KeyboardInterrupt

    dispatcher, failures = make([("k", Interrupting())])
    with pytest.raises(KeyboardInterrupt):
        dispatcher.notify("on_tick", tick=0)
    assert failures == []


def test_tryfirst_and_trylast_are_respected():
    calls = []

    class Last:
        @hookimpl(trylast=True)
        def on_tick(self, tick):
            calls.append("last")

    class First:
        @hookimpl(tryfirst=True)
        def on_tick(self, tick):
            calls.append("first")

    class Plain:
        @hookimpl
        def on_tick(self, tick):
            calls.append("plain")

    dispatcher, _ = make([("first", First()), ("last", Last()), ("plain", Plain())])
    dispatcher.notify("on_tick", tick=0)
    assert calls == ["first", "plain", "last"]


def test_collect_returns_results_and_failures_and_call_plugin_targets_one():
    class Answer:
        @hookimpl
        def check_order(self, request):
            return f"ok {request}"

    class Exploding:
        @hookimpl
        def check_order(self, ctx, request):
            raise RuntimeError("boom")

        @hookimpl
        def on_schedule(self, ctx, job, params):
            return (ctx, job, params)

    dispatcher, failures = make([("answer", Answer()), ("exploding", Exploding())])
    results = dispatcher.collect("check_order", request="r")
    assert [(plugin, result) for plugin, result, _ in results] == [("exploding", None), ("answer", "ok r")]
    assert results[0][2] is failures[0]
    assert dispatcher.call_plugin("exploding", "on_schedule", job="j", params={}) == (True, ("ctx:exploding", "j", {}))
    assert dispatcher.call_plugin("answer", "on_schedule", job="j", params={}) == (False, None)


def test_tracing_logs_every_call_with_its_duration(caplog):
    calls = []
    pm = make_plugin_manager()
    pm.register(Recorder("a", calls), name="a")
    dispatcher = HookDispatcher(pm, context_for=lambda name: name, on_failure=lambda f: None, trace=True)
    dispatcher.notify("on_tick", tick=1)
    assert any(record.getMessage().startswith("trace: a.on_tick took ") for record in caplog.records)


@pytest.mark.parametrize("trace", [False, True])
def test_notify_each_calls_every_plugin_per_value_in_order_with_the_same_isolation(trace):
    calls, failing = [], Failing()
    dispatcher, failures = make([("a", Recorder("a", calls)), ("bad", failing), ("b", Recorder("b", calls))],
                                max_failures=2)
    dispatcher._trace = trace
    dispatcher.notify_each("on_tick", "tick", [1, 2, 3])
    assert calls == [("b", "ctx:b", 1), ("a", "ctx:a", 1), ("b", "ctx:b", 2), ("a", "ctx:a", 2),
                     ("b", "ctx:b", 3), ("a", "ctx:a", 3)]
    assert failing.attempts == 2 and dispatcher.faulted == {"bad"}
    assert [(f.plugin, f.hook_input, f.faulted) for f in failures] == [("bad", "{'tick': 1}", False),
                                                                       ("bad", "{'tick': 2}", True)]


class Sometimes:
    def __init__(self):
        self.seen = []

    @hookimpl
    def on_tick(self, tick):
        self.seen.append(tick)
        if tick % 2:
            raise ValueError("odd")


def test_a_success_between_failures_resets_the_count_in_notify_each():
    plugin = Sometimes()
    dispatcher, failures = make([("flaky", plugin)], max_failures=2)
    dispatcher.notify_each("on_tick", "tick", [1, 2, 3, 4, 5])
    assert plugin.seen == [1, 2, 3, 4, 5] and dispatcher.faulted == set()
    assert [f.consecutive_failures for f in failures] == [1, 1, 1]
