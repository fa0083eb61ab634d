"""The notify plugin against a local HTTP server: the right events to the right channels, one message for
a storm, rate limits, and a channel that hangs or fails never holding the engine up."""

from __future__ import annotations

import sqlite3

import pytest
from pydantic import SecretStr

from engine.builtin.notify.channels import AppriseChannel
from engine.builtin.notify.plugin import Notifier
from engine.builtin.notify.settings import NotifyChannel, NotifySettings
from engine.config import ConfigError
from engine.control import ControlStore
from engine.events import ConnectionChanged, OrderDenied, TradingStateChanged
from live_paper import STRATEGY, LivePaperRun, wait_for

_seq = iter(range(1, 1_000_000))


def stamped(event, ts="2026-03-10T10:00:00"):
    event.run_id, event.seq, event.ts = "r1", next(_seq), ts
    return event


def notifier(recorder, channels, clock, **settings):
    specs = [NotifyChannel(name=name, url=SecretStr(recorder.url("ok", name)), **options)
             for name, options in channels.items()]
    config = NotifySettings(channels=specs, **settings)
    return Notifier(config, {s.name: AppriseChannel(s) for s in specs}, clock=clock)


def test_a_storm_of_100_disconnects_is_one_message(recorder):
    plugin = notifier(recorder, {"ops": {}}, clock=lambda: 0.0)  # time stands still: the storm is one burst
    for n in range(100):
        plugin.track_event(stamped(ConnectionChanged(kind="disconnected", detail=f"lost {n}")))
        plugin.track_event(stamped(TradingStateChanged(scope="account", previous="ACTIVE", current="HALTED",
                                                       cause="disconnect")))
        plugin.track_event(stamped(ConnectionChanged(kind="reconnected", detail="")))
        plugin.track_event(stamped(TradingStateChanged(scope="account", previous="HALTED", current="ACTIVE",
                                                       cause="reconnected")))
    plugin.close()
    [message] = [m for m in recorder.of("ops") if m["title"].startswith("Connection")]
    assert message["title"] == "Connection x400" and message["type"] == "failure"
    assert "disconnected 100 times" in message["message"] and "reconnected 100 times" in message["message"]
    assert "... and 390 more" in message["message"]
    assert plugin.grouper.grouped == 399 and plugin.sent["ops"] == 2  # and the chain head at the end


def test_a_repeating_subject_is_quiet_for_the_repeat_window_then_summarised(recorder):
    now = [0.0]
    plugin = notifier(recorder, {"ops": {"events": ["disconnect", "reconnect"]}}, clock=lambda: now[0],
                      group_seconds=1, repeat_seconds=60)

    def handled(count):  # the worker took every event so far (the fake clock moves only after that)
        assert wait_for(lambda: plugin.worker.stats.handled >= count, timeout=10)

    plugin.track_event(stamped(ConnectionChanged(kind="disconnected")))
    handled(1)
    now[0] = 1.5
    plugin.track_event(stamped(ConnectionChanged(kind="reconnected")))  # wakes the worker: the first group is due
    assert recorder.wait(lambda r: len(r.of("ops")) == 1)
    assert recorder.of("ops")[0]["title"] == "Connection x2"
    for n in range(5):
        plugin.track_event(stamped(ConnectionChanged(kind="disconnected")))
    handled(2 + 5 + 1)  # the first message's delivery is an item too
    now[0] = 30.0
    plugin.track_event(stamped(ConnectionChanged(kind="reconnected")))
    handled(2 + 5 + 1 + 1)
    assert len(recorder.of("ops")) == 1  # quiet until 61.5
    now[0] = 62.0
    assert recorder.wait(lambda r: len(r.of("ops")) == 2)
    assert recorder.of("ops")[1]["title"] == "Connection x6"
    plugin.close()


def test_the_rate_limit_holds_and_what_waits_goes_as_one_digest(recorder):
    plugin = notifier(recorder, {"ops": {"max_per_minute": 3, "events": ["denial"]}}, clock=lambda: 0.0, group_seconds=0)
    for n in range(30):  # thirty different rules: thirty subjects
        plugin.track_event(stamped(OrderDenied(client_order_id=f"c{n}", strategy="s", code="600000.SH", side="buy",
                                               volume=100, price="10.00", rule=f"rule_{n}", plugin="p", reason="no")))
    assert recorder.wait(lambda r: len(r.of("ops")) == 3)
    plugin.close()  # the end of the run: what waited goes now, as one digest
    messages = recorder.of("ops")
    assert len(messages) == 4 and messages[3]["title"] == "Notifications held by the rate limit (27)"
    assert all(f"rule_{n}:" in messages[3]["message"] for n in range(3, 30))


def test_an_unknown_channel_url_is_a_config_error_that_hides_the_url():
    spec = NotifyChannel(name="ops", url=SecretStr("nosuchscheme://secret-token-123"))
    with pytest.raises(ConfigError) as error:
        AppriseChannel(spec)
    assert "ops" in str(error.value) and "secret-token-123" not in str(error.value)


CONFIG = """
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db, control_poll_seconds: 0.1, heartbeat_seconds: 1}}
paper: {{feed: xtdata, codes: ['600000.SH']}}
trading_day: {{report_files: false}}
risk: {{flow: {{duplicate_per_strategy: true}}}}
plugins: {{load_entrypoints: false, disabled: [console]}}
strategies:
  - {{name: alpha, path: pulse.py, class: Pulse}}
  - {{name: beta, path: pulse.py, class: Pulse}}
notify:
  group_seconds: 0.2
  repeat_seconds: 600
  retry_attempts: 2
  retry_backoff_seconds: 0.2
  channels:
{channels}
"""


def start_run(tmp_path, channels: str) -> LivePaperRun:
    (tmp_path / "pulse.py").write_text(STRATEGY, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG.format(channels=channels), encoding="utf-8")
    run = LivePaperRun(tmp_path)
    run.start()
    return run


def test_the_right_events_reach_the_right_channels_of_a_running_engine(tmp_path, recorder):
    run = start_run(tmp_path, f"""
    - {{name: trades, url: "{recorder.url('ok', 'trades')}", events: [fill]}}
    - {{name: ops, url: "{recorder.url('ok', 'ops')}", events: [denial, trading_state, disconnect, reconnect, chain_head]}}
""")
    try:
        run.tick(expect={"alpha": "intent", "beta": "intent"})
        assert recorder.wait(lambda r: "alpha buy 600000.SH 100" in str(r.of("trades"))
                             and "beta buy 600000.SH 100" in str(r.of("trades")))
        assert all(m["title"].startswith("Fill") for m in recorder.of("trades"))

        ControlStore(tmp_path / "control.db").request("halt", strategy="alpha", reason="too keen",
                                                      requested_by="carol (operator, web from 127.0.0.1)")
        assert recorder.wait(lambda r: "strategy:alpha ACTIVE -> HALTED" in str(r.of("ops")))
        [halt] = [m for m in recorder.of("ops") if "HALTED" in m["message"]]
        assert halt["title"] == "Trading state" and "carol (operator" in halt["message"] and "too keen" in halt["message"]
        run.tick(expect={"alpha": "denial", "beta": "intent"})
        assert recorder.wait(lambda r: any(m["title"].startswith("Risk denial") and "trading_state" in m["message"]
                                           for m in r.of("ops")))

        from engine.events import ConnectionChanged as Changed

        run.on_engine_thread(lambda: [run.engine.emit(Changed(kind="disconnected", detail=f"storm {n}"))
                                      for n in range(100)])
        assert recorder.wait(lambda r: any(m["title"].startswith("Connection") for m in r.of("ops")))
    finally:
        run.stop()
    storm = [m for m in recorder.of("ops") if m["title"].startswith("Connection")]
    counts = [int(m["title"].rpartition("x")[2]) if " x" in m["title"] else 1 for m in storm]
    assert len(storm) <= 2 and sum(counts) == 100  # one message (two if the burst straddled a group's end)
    assert not any(m["title"].startswith(("Fill", "Trading")) and "fill" in m["message"] for m in recorder.of("ops"))
    [head] = [m for m in recorder.of("ops") if m["title"] == "Audit chain head"]
    assert "block" in head["message"] and "at the end of the run" in head["message"]
    assert "Risk denial" not in str(recorder.of("trades"))


def test_a_channel_that_hangs_does_not_hold_the_engine_and_its_failure_is_recorded(tmp_path, recorder):
    run = start_run(tmp_path, f"""
    - {{name: stuck, url: "{recorder.url('hold', 'stuck')}", events: [fill], timeout_seconds: 1}}
    - {{name: broken, url: "{recorder.url('fail', 'broken')}", events: [fill]}}
""")
    try:
        run.tick(expect={"alpha": "intent", "beta": "intent"})
        assert wait_for(recorder.held.is_set)  # the notifier's thread now waits on the stuck channel...
        for _ in range(5):  # ...while the engine goes on trading, tick after tick
            run.tick(expect={"alpha": "intent", "beta": "intent"})

        def alerts():
            conn = sqlite3.connect(f"{(tmp_path / 'audit.db').as_uri()}?mode=ro", uri=True)
            try:
                return [r[0] for r in conn.execute("SELECT detail FROM alerts WHERE kind = 'notify_failed'")]
            finally:
                conn.close()

        # each message: two attempts, then given up, then an alert at the next heartbeat (the ticks move the clock)
        def recorded():
            run.tick(expect={"beta": "intent"})
            found = alerts()
            return any("channel stuck" in a for a in found) and any("channel broken" in a for a in found)

        assert wait_for(recorded, timeout=60)
        assert all("127.0.0.1" not in a and str(recorder.port) not in a for a in alerts())  # the URL stays secret
        assert recorder.attempts["broken"] >= 2
    finally:
        recorder.release.set()
        run.stop()
