"""A real browser against a live paper run: the overview follows the trading, an operator halts a strategy
from the page and the engine stops sending its orders (checked in the audit), a viewer cannot.

The engine runs in this process (paper mode on pushed quotes, as ``paper.feed: xtdata`` does on a MiniQMT
machine, with a clock the test moves); ``qmt-engine serve`` runs as its own process on 127.0.0.1; Debian's
headless Chromium drives the pages. Screenshots go to test-artifacts/web-*.png.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from engine.control import ControlStore
from engine.models import TradingState
from live_paper import STRATEGY, LivePaperRun, free_port, wait_for

from .conftest import OPERATOR_TOKEN, TOKENS, VIEWER_TOKEN

pytestmark = pytest.mark.slow

CODE = "600000.SH"

CONFIG = """
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
results: {{mark_every: 1s}}
engine: {{control_path: control.db, control_poll_seconds: 0.1, heartbeat_seconds: 1}}
paper:
  feed: xtdata
  codes: ['{code}']
  positions: [{{code: '{code}', volume: 1000, avg_price: 9.50}}]
trading_day: {{report_files: false}}
risk: {{flow: {{duplicate_per_strategy: true}}}}   # two strategies buy the same lot on the same tick
web: {{poll_seconds: 0.2}}
plugins: {{load_entrypoints: false, disabled: [console]}}
strategies:
  - {{name: alpha, path: pulse.py, class: Pulse}}
  - {{name: beta, path: pulse.py, class: Pulse}}
"""


@pytest.fixture
def live_setup(tmp_path):
    (tmp_path / "pulse.py").write_text(STRATEGY, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG.format(code=CODE), encoding="utf-8")
    run = LivePaperRun(tmp_path)
    run.start()
    port = free_port()
    log = open(tmp_path / "serve.log", "w", encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--config", str(tmp_path / "config.yaml"),
                               "--port", str(port), "--access-log"], stdout=log, stderr=subprocess.STDOUT,
                              env={**os.environ, **TOKENS}, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                return response.status == 200
        except OSError:
            return server.poll() is not None  # ended: fail below with its log

    try:
        assert wait_for(healthy, timeout=60) and server.poll() is None, (tmp_path / "serve.log").read_text()
        yield run, base, tmp_path
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()
        run.stop()


def audit_rows(folder: Path, sql: str, *params):
    conn = sqlite3.connect(f"{(folder / 'audit.db').as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def wait_in_page(page, predicate: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression in the page until it is true (the page's CSP forbids eval, which
    Playwright's wait_for_function needs; evaluate goes through the debugger protocol instead)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"the page never got to: {predicate}"
        page.wait_for_timeout(50)


def log_in(browser, base, token, name, **options):
    page = browser.open(f"{base}/login", **options)
    page.fill("input[name=token]", token)
    page.fill("input[name=name]", name)
    page.click("button")
    page.wait_for_url(f"{base}/")
    wait_in_page(page, "document.getElementById('live-status').dataset.state === 'live'")
    return page


def test_operator_watches_and_halts_a_strategy_a_viewer_cannot(browser, live_setup):
    run, base, folder = live_setup
    page = log_in(browser, base, OPERATOR_TOKEN, "alice")
    orders_before = int(page.text_content("#count-orders"))
    page.evaluate("window.__samePage = true")

    # the overview follows the trading without a reload
    for _ in range(3):
        run.tick(expect={"alpha": "intent", "beta": "intent"})
    wait_in_page(page, f"Number(document.getElementById('count-orders').textContent) >= {orders_before + 6}")
    wait_in_page(page, "Number(document.getElementById('count-fills').textContent) >= 6")
    assert page.evaluate("window.__samePage === true") and int(page.get_attribute("body", "data-updates")) >= 1
    page.wait_for_selector("svg.chart.equity polyline")
    browser.screenshot(page, "web-overview-live")

    # the operator halts alpha: confirmation, then the engine applies it
    page.click('tr[data-scope="strategy:alpha"] a[data-action="halt"]')
    page.wait_for_selector("#confirm")
    assert "Halt strategy alpha" in page.text_content(".question")
    page.fill("input[name=reason]", "halted from the browser test")
    browser.screenshot(page, "web-confirm-halt")
    page.click("#confirm-button")
    page.wait_for_url(f"{base}/?done=*")
    assert wait_for(lambda: run.engine.strategy_states.get("alpha") is TradingState.HALTED)
    page.wait_for_selector('tr[data-scope="strategy:alpha"] .state-halted')
    assert "alice (operator, web from 127.0.0.1)" in page.text_content('tr[data-scope="strategy:alpha"] .cause')
    assert browser.console_errors(page) == []

    # the engine sends no more of alpha's orders; beta trades on
    for _ in range(3):
        run.tick(expect={"alpha": "denial", "beta": "intent"})
    [(halt_seq, cause)] = audit_rows(folder, "SELECT seq, cause FROM trading_states WHERE scope = 'strategy:alpha' "
                                             "AND current = 'HALTED'")
    assert "operator halt #1 by alice (operator, web from 127.0.0.1): halted from the browser test" in cause
    after = dict(audit_rows(folder, "SELECT strategy, COUNT(*) FROM order_intents WHERE seq > ? GROUP BY strategy",
                            halt_seq))
    assert after.get("alpha", 0) == 0 and after["beta"] >= 3
    def denied():  # denials are written in batches: wait for the writer
        return audit_rows(folder, "SELECT COUNT(*) FROM order_denials WHERE strategy = 'alpha' AND seq > ? "
                                  "AND rule = 'trading_state'", halt_seq)[0][0]

    assert wait_for(lambda: denied() >= 3), denied()
    denied = denied()
    wait_in_page(page, f"Number(document.getElementById('count-denials').textContent) >= {denied}")
    browser.screenshot(page, "web-overview-halted")

    # a viewer sees the same page without the actions, and cannot act
    viewer = log_in(browser, base, VIEWER_TOKEN, "bob")
    assert viewer.locator("a[data-action]").count() == 0 and "You are a viewer" in viewer.text_content("main")
    browser.screenshot(viewer, "web-overview-viewer")
    csrf = viewer.get_attribute('form[action="/logout"] input[name=csrf_token]', "value")
    refused = viewer.request.post(f"{base}/actions/halt", form={"strategy": "beta", "confirm": "yes",
                                                                  "csrf_token": csrf})
    assert refused.status == 403
    assert viewer.goto(f"{base}/actions/confirm?action=halt&strategy=beta").status == 403
    commands = [row for row in ControlStore(folder / "control.db").history(50) if row["kind"] == "command"]
    assert [c["requested_by"] for c in commands] == ["alice (operator, web from 127.0.0.1)"]
    run.tick(expect={"beta": "intent"})  # beta was never halted

    # the other pages, in Chinese, and on a phone-sized screen
    for path, name in (("/positions", "positions"), ("/orders", "orders"), ("/denials", "denials")):
        page.goto(f"{base}{path}")
        browser.screenshot(page, f"web-{name}")
    page.goto(f"{base}/runs")
    page.click("table a")  # the running run: its figures and a link to its full report
    assert page.locator("#metrics").count() == 1
    browser.screenshot(page, "web-run")
    page.click("#report-link")
    page.wait_for_selector(".js-plotly-plot")  # the report's charts drew
    browser.screenshot(page, "web-run-report")
    page.goto(f"{base}/?lang=zh")
    assert "委托" in page.text_content("main") and "风控拒单" in page.text_content("main")
    browser.screenshot(page, "web-overview-zh")
    phone = log_in(browser, base, VIEWER_TOKEN, "carol", viewport=(390, 844))
    browser.screenshot(phone, "web-overview-phone")
    assert browser.console_errors(page) == [] and browser.console_errors(phone) == []

    served = (folder / "serve.log").read_text(encoding="utf-8")
    assert "GET /" in served  # the access log was on...
    assert OPERATOR_TOKEN not in served and VIEWER_TOKEN not in served  # ...and shows no token
