"""engine.background.BackgroundWorker: never blocks the caller, retries with back-off, gives up and says so,
drains at close; and the twenty-line notifier of its docstring works against a real HTTP server."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

from engine.background import BackgroundWorker, RetryPolicy
from engine.models import Fill, Side


def test_submit_never_blocks_a_full_queue_drops_and_counts():
    gate, handled = threading.Event(), []
    worker = BackgroundWorker("slow", lambda item: (gate.wait(10), handled.append(item)), maxsize=2)
    assert worker.submit(0)
    assert wait_until(lambda: worker.busy)  # item 0 is being handled, blocked on the gate
    assert worker.submit(1) and worker.submit(2)
    assert worker.submit(3) is False and worker.submit(4) is False  # full: returned at once
    assert worker.stats.dropped == 2 and worker.depth == 2
    gate.set()
    assert worker.close(10)
    assert handled == [0, 1, 2] and worker.stats.handled == 3
    assert worker.submit(5) is False  # closed


def test_a_failing_item_is_retried_with_back_off_while_the_others_go_on():
    now = [0.0]
    calls, gave_up = [], []

    def handle(item):
        calls.append((item, now[0]))
        if item == "bad":
            raise ConnectionError("channel down")

    worker = BackgroundWorker("retry", handle, retry=RetryPolicy(attempts=3, backoff_seconds=2, max_backoff_seconds=3),
                              on_give_up=lambda item, error: gave_up.append((item, str(error))), clock=lambda: now[0])
    worker.submit("bad")
    worker.submit("good")
    assert wait_until(lambda: ("good", 0.0) in calls and worker.waiting_retries == 1)
    now[0] = 2.0  # the first back-off
    # the second attempt ran and was queued again (due at 2 + 3): only then may the clock move on
    assert wait_until(lambda: [c for c in calls if c[0] == "bad"] == [("bad", 0.0), ("bad", 2.0)]
                      and worker.waiting_retries == 1 and not worker.busy)
    now[0] = 4.0  # doubled (4), capped at 3: due at 5
    assert worker.waiting_retries == 1
    now[0] = 5.0
    assert wait_until(lambda: gave_up == [("bad", "channel down")])
    assert worker.stats.retried == 2 and worker.stats.failed == 1 and worker.stats.handled == 1
    assert worker.close(5)


def test_close_runs_the_queue_and_a_last_tick():
    ticks, handled = [], []
    worker = BackgroundWorker("ticks", handled.append, on_tick=lambda now: ticks.append(now) or None)
    for n in range(50):
        worker.submit(n)
    assert worker.close(10)
    assert handled == list(range(50)) and ticks[-1] == float("inf")  # on_tick saw the end: flush what you hold


REPO = Path(__file__).resolve().parents[2]
WEBHOOK = REPO / "plugins" / "fills_webhook.py"


def load_webhook_plugin():
    spec = importlib.util.spec_from_file_location("fills_webhook_under_test", WEBHOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FillsToWebhook


def test_the_documented_notifier_is_the_shipped_file_and_twenty_lines():
    doc = (REPO / "docs" / "notifications.md").read_text(encoding="utf-8")
    block = doc.split("(`plugins/fills_webhook.py`):\n\n```python\n", 1)[1].split("```", 1)[0]
    shipped = WEBHOOK.read_text(encoding="utf-8")
    assert shipped.endswith(block)
    assert len([line for line in block.splitlines() if line.strip()]) <= 20


def test_the_twenty_line_notifier_posts_fills(recorder):
    from decimal import Decimal

    plugin = load_webhook_plugin()(f"http://127.0.0.1:{recorder.port}/ok/webhook")
    plugin.on_trade(Fill(trade_id="T1", client_order_id="c-1", order_id=1, strategy="dip_buyer", code="600000.SH",
                         side=Side.BUY, price=Decimal("10.01"), volume=100, amount=Decimal("1001.00"),
                         commission=Decimal("5.00")))
    plugin.close()
    assert recorder.of("webhook") == [{"text": "dip_buyer buy 600000.SH 100 @ 10.01"}]


def wait_until(condition, timeout: float = 10.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False
