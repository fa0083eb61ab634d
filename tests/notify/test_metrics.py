"""The metrics plugin: a Prometheus endpoint on 127.0.0.1 with the engine's counters, gauges and latency."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from engine.control import ControlStore
from live_paper import STRATEGY, LivePaperRun, wait_for

CONFIG = """
mode: paper
account_id: T0001
logging: {file: null}
audit: {path: audit.db}
engine: {control_path: control.db, control_poll_seconds: 0.1}
paper: {feed: xtdata, codes: ['600000.SH']}
trading_day: {report_files: false}
plugins: {load_entrypoints: false, disabled: [console]}
metrics: {port: 0}
strategies:
  - {name: alpha, path: pulse.py, class: Pulse}
"""


def scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def test_the_endpoint_counts_what_the_engine_does(tmp_path):
    (tmp_path / "pulse.py").write_text(STRATEGY, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    run = LivePaperRun(tmp_path)
    run.start()
    try:
        [metrics] = [p.obj for p in run.engine.plugins if p.name == "metrics"]
        for number in range(1, 4):
            run.tick(expect={"alpha": "intent"})
            # the simulated broker matches on its own thread, against the latest quote: wait for each fill
            # before the next (higher) quote, or a slow match sees that quote and the buy rests unfilled
            assert wait_for(lambda: scrape(metrics.port).get("qmt_fills_total{side=buy,strategy=alpha}") == number)
        ControlStore(tmp_path / "control.db").request("halt", strategy="alpha")
        assert wait_for(lambda: scrape(metrics.port).get("qmt_trading_state{scope=strategy:alpha}") == 2.0)
        run.tick(expect={"alpha": "denial"})
        samples = scrape(metrics.port)
    finally:
        run.stop()
    assert samples["qmt_orders_total{strategy=alpha}"] == 3
    assert samples["qmt_fills_total{side=buy,strategy=alpha}"] == 3
    assert samples["qmt_denials_total{rule=trading_state,strategy=alpha}"] == 1
    assert samples["qmt_connection_events_total{kind=connected}"] == 1
    assert samples["qmt_tick_to_order_seconds_count{}"] == 3 and samples["qmt_tick_to_order_seconds_sum{}"] > 0
    assert "qmt_inbound_queue_depth{}" in samples and "qmt_audit_backlog{}" in samples
    assert metrics._server is None  # closed with the run
