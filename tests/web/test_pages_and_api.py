"""Every page and every API endpoint, for both roles, on a real paper run's audit database."""

from __future__ import annotations

import re

import pytest

from .conftest import OPERATOR_TOKEN, VIEWER_TOKEN

PAGES = ["/", "/positions", "/orders", "/fills", "/denials", "/jobs", "/runs"]
API = ["/api/whoami", "/api/overview", "/api/positions", "/api/orders", "/api/fills", "/api/denials", "/api/jobs",
       "/api/runs"]


def login(client, token, name=""):
    response = client.post("/login", data={"token": token, "name": name, "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("token, role", [(OPERATOR_TOKEN, "operator"), (VIEWER_TOKEN, "viewer")], ids=["operator", "viewer"])
def test_every_page_renders_for_both_roles(make_client, token, role):
    client = make_client()
    login(client, token, name="alice")
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert f"alice · {role}" in response.text
    overview = client.get("/").text
    assert "ma_cross" in overview and "dip_buyer" in overview and 'class="chart equity"' in overview
    assert ('data-action="halt"' in overview) is (role == "operator")  # only an operator sees the buttons
    orders = client.get("/orders").text
    client_id = re.search(r'href="/orders/([^"]+)"', orders).group(1)
    story = client.get(f"/orders/{client_id}")
    assert story.status_code == 200 and "order_intent" in story.text and "risk_decision" in story.text
    assert "max_position_value" in client.get("/denials").text  # the rule and its reason
    assert "trading_day.post_close" in client.get("/jobs").text
    positions = client.get("/positions").text
    assert 'id="positions"' in positions and "600000.SH" in positions
    run_id = client.get("/api/runs").json()[0]["run_id"]
    run = client.get(f"/runs/{run_id}")
    assert run.status_code == 200 and "2026-03-" in run.text  # its daily statements
    assert 'id="metrics"' in run.text and "Max drawdown" in run.text  # engine.results' figures
    report = client.get(f"/runs/{run_id}/report")
    assert report.status_code == 200 and "Equity" in report.text and run_id in report.text
    assert client.get("/runs/no-such-run/report").status_code == 404
    assert client.get("/orders/no-such-order").status_code == 404
    assert client.get("/runs/no-such-run").status_code == 404


@pytest.mark.parametrize("token, role", [(OPERATOR_TOKEN, "operator"), (VIEWER_TOKEN, "viewer")], ids=["operator", "viewer"])
def test_every_api_endpoint_answers_a_bearer_token(make_client, token, role):
    client = make_client()
    headers = {"Authorization": f"Bearer {token}"}
    for path in API:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
    assert client.get("/api/whoami", headers=headers).json()["role"] == role
    overview = client.get("/api/overview", headers=headers).json()
    assert overview["run"]["mode"] == "paper" and overview["counts"]["orders"] > 0 and overview["curve"]
    assert [row["scope"] for row in overview["trading_states"]] == ["account", "strategy:ma_cross", "strategy:dip_buyer"]
    orders = client.get("/api/orders", headers=headers).json()
    assert orders and {"client_order_id", "status_label", "filled_volume", "avg_price", "fees"} <= set(orders[0])
    story = client.get(f"/api/orders/{orders[0]['client_order_id']}", headers=headers).json()
    assert [item["event"] for item in story][:1] == ["risk_decision"]
    denial = client.get("/api/denials", headers=headers).json()[0]
    assert denial["rule"] and denial["reason"]
    positions = client.get("/api/positions", headers=headers).json()["positions"]
    assert {"code", "volume", "holding_days", "pnl", "pnl_pct"} <= set(positions[0])
    run_id = client.get("/api/runs", headers=headers).json()[0]["run_id"]
    run = client.get(f"/api/runs/{run_id}", headers=headers).json()
    assert run["summary"]["run_id"] == run_id and run["statements"]


def test_missing_and_wrong_tokens_are_refused(make_client):
    client = make_client()
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    for path in API:
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer not-the-token-at-all"}).status_code == 401
    assert client.get("/events").status_code == 401
    wrong = client.post("/login", data={"token": "not-the-token-at-all"}, follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong token" in wrong.text and "qmt_session" not in wrong.headers.get("set-cookie", "")
    assert client.get("/", follow_redirects=False).status_code == 303  # still not logged in


def test_repeated_wrong_logins_are_throttled(make_client):
    client = make_client()
    codes = [client.post("/login", data={"token": f"wrong-{n:02d}-xxxxxxxx"}).status_code for n in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    # even the right token waits out the window now
    assert client.post("/login", data={"token": OPERATOR_TOKEN}, follow_redirects=False).status_code == 429


def test_logout_ends_the_session(make_client):
    client = make_client()
    login(client, VIEWER_TOKEN)
    page = client.get("/").text
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf_of(page)}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_labels_in_chinese_by_setting_and_per_browser(make_client, run_copy):
    client = make_client()
    login(client, VIEWER_TOKEN)
    english = client.get("/").text
    assert "Orders" in english and "委托" not in english
    chinese = client.get("/?lang=zh").text
    for word in ("委托", "成交", "持仓", "资金", "风控拒单", "模拟"):  # 模拟: the paper mode, translated too
        assert word in chinese
    assert "<b>paper</b>" not in chinese
    account_row = re.search(r'<tr data-scope="account">(.*?)</tr>', chinese, re.S).group(1)
    assert re.search(r'<span class="num[^"]*">-?[0-9][0-9,]*\.[0-9]{2}</span>', account_row), account_row  # P&L today
    assert "风控拒单" in client.get("/denials").text  # the choice sticks (cookie)
    text = (run_copy / "config.yaml").read_text(encoding="utf-8") + "web: {language: zh}\n"
    (run_copy / "config.yaml").write_text(text, encoding="utf-8")
    fresh = make_client()
    login(fresh, VIEWER_TOKEN)
    assert "持仓" in fresh.get("/positions").text


def test_pages_carry_security_headers_and_the_api_is_documented(make_client):
    client = make_client()
    login(client, VIEWER_TOKEN)
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    schema = client.get("/openapi.json").json()
    for path in ("/api/overview", "/api/orders/{client_order_id}", "/api/actions/{action}", "/api/positions"):
        assert path in schema["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static-docs/swagger-ui-bundle.js" in docs.text  # served here, no CDN
    assert client.get("/static-docs/swagger-ui-bundle.js").status_code == 200


def test_a_missing_audit_database_is_a_notice_not_a_crash(make_client, run_copy):
    (run_copy / "audit.db").unlink()
    client = make_client()
    login(client, VIEWER_TOKEN)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200 and "no audit database" in response.text
    assert client.get("/api/overview", headers={"Authorization": f"Bearer {VIEWER_TOKEN}"}).status_code == 503
