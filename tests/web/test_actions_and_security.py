"""Halt / resume from the web: confirmation, CSRF, roles, who asked; the audit database is never written;
the app will not listen beyond loopback without tokens."""

from __future__ import annotations

import sqlite3

import pytest

from engine.config import load_config
from engine.control import ControlStore
from engine.web.app import create_app
from engine.web.auth import WebConfigError
from engine.web.reader import AuditReader

from .conftest import OPERATOR_TOKEN, TOKENS, VIEWER_TOKEN, file_digest
from .test_pages_and_api import API, PAGES, csrf_of, login


def commands(folder):
    return ControlStore(folder / "control.db").pending_commands()


def test_an_operator_halts_a_strategy_through_the_confirmation_page(make_client, run_copy):
    client = make_client()
    login(client, OPERATOR_TOKEN, name="alice")
    overview = client.get("/").text
    assert 'href="/actions/confirm?action=halt&amp;strategy=dip_buyer"' in overview
    page = client.get("/actions/confirm", params={"action": "halt", "strategy": "dip_buyer"})
    assert page.status_code == 200 and "Halt strategy dip_buyer" in page.text
    assert commands(run_copy) == []  # looking at the confirmation writes nothing
    form = {"strategy": "dip_buyer", "reason": "too many fills", "confirm": "yes", "csrf_token": csrf_of(page.text)}
    done = client.post("/actions/halt", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/?done=")
    [command] = commands(run_copy)
    assert (command.action, command.strategy, command.cancel_open, command.reason) == ("halt", "dip_buyer", False,
                                                                                      "too many fills")
    assert command.requested_by == "alice (operator, web from testclient)"
    assert "#1 halt dip_buyer (alice (operator" in client.get("/").text  # shown as pending until the engine applies it

    cancel = client.get("/actions/confirm", params={"action": "halt_cancel"})
    client.post("/actions/halt_cancel", data={"confirm": "yes", "csrf_token": csrf_of(cancel.text)})
    resume = client.get("/actions/confirm", params={"action": "resume", "strategy": "ma_cross"})
    client.post("/actions/resume", data={"strategy": "ma_cross", "confirm": "yes", "csrf_token": csrf_of(resume.text)})
    assert [(c.action, c.strategy, c.cancel_open) for c in commands(run_copy)] == [
        ("halt", "dip_buyer", False), ("halt", None, True), ("resume", "ma_cross", False)]


def test_actions_need_the_csrf_token_the_confirmation_and_the_same_origin(make_client, run_copy):
    client = make_client()
    login(client, OPERATOR_TOKEN)
    csrf = csrf_of(client.get("/actions/confirm", params={"action": "halt"}).text)
    assert client.post("/actions/halt", data={"confirm": "yes"}).status_code == 403
    assert client.post("/actions/halt", data={"confirm": "yes", "csrf_token": "forged"}).status_code == 403
    assert client.post("/actions/halt", data={"csrf_token": csrf}).status_code == 400  # not confirmed
    assert client.post("/actions/halt", data={"confirm": "yes", "csrf_token": csrf},
                       headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/actions/halt", data={"strategy": "dip_buyr", "confirm": "yes", "csrf_token": csrf}).status_code == 400
    assert client.post("/actions/explode", data={"confirm": "yes", "csrf_token": csrf}).status_code == 400
    # the API from a logged-in browser needs the same token in a header
    assert client.post("/api/actions/halt", json={"confirm": True}).status_code == 403
    assert client.post("/api/actions/halt", json={"confirm": True}, headers={"X-CSRF-Token": csrf}).status_code == 202
    assert len(commands(run_copy)) == 1


def test_a_viewer_cannot_act(make_client, run_copy):
    client = make_client()
    login(client, VIEWER_TOKEN, name="bob")
    csrf = csrf_of(client.get("/").text)  # the logout form's token: a valid one for this session
    assert client.get("/actions/confirm", params={"action": "halt"}).status_code == 403
    assert client.post("/actions/halt", data={"confirm": "yes", "csrf_token": csrf}).status_code == 403
    assert client.post("/api/actions/halt", json={"confirm": True}, headers={"X-CSRF-Token": csrf}).status_code == 403
    bearer = {"Authorization": f"Bearer {VIEWER_TOKEN}"}
    assert client.post("/api/actions/resume", json={"confirm": True}, headers=bearer).status_code == 403
    assert commands(run_copy) == []


def test_the_api_acts_with_an_operator_token(make_client, run_copy):
    client = make_client()
    bearer = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    assert client.post("/api/actions/halt", json={"strategy": "ma_cross"}, headers=bearer).status_code == 400  # confirm
    unknown = client.post("/api/actions/halt", json={"strategy": "nope", "confirm": True}, headers=bearer)
    assert unknown.status_code == 400 and "known: ma_cross, dip_buyer" in unknown.text
    assert client.post("/api/actions/resume", json={"cancel_open": True, "confirm": True}, headers=bearer).status_code == 400
    assert client.post("/api/actions/explode", json={"confirm": True}, headers=bearer).status_code == 404
    done = client.post("/api/actions/halt", json={"strategy": "ma_cross", "cancel_open": True, "reason": "test",
                                                  "confirm": True}, headers=bearer)
    assert done.status_code == 202 and done.json()["requested_by"] == "operator (operator, web from testclient)"
    [command] = commands(run_copy)
    assert (command.action, command.strategy, command.cancel_open) == ("halt", "ma_cross", True)


def test_the_server_never_writes_the_audit_database(make_client, run_copy):
    audit = run_copy / "audit.db"
    before = file_digest(audit)
    client = make_client()
    login(client, OPERATOR_TOKEN)
    for path in PAGES + API:
        assert client.get(path).status_code == 200
    csrf = csrf_of(client.get("/").text)
    client.post("/actions/halt", data={"confirm": "yes", "csrf_token": csrf})
    assert file_digest(audit) == before
    with AuditReader(audit).connect() as conn:  # and its connections cannot write, even by mistake
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
            conn.execute("INSERT INTO alerts (run_id, seq, ts, kind) VALUES ('x', 1, 'x', 'x')")


def test_no_tokens_means_loopback_only_and_a_local_operator(make_client, run_copy):
    client = make_client(environ={})
    page = client.get("/")
    assert page.status_code == 200 and "local · operator" in page.text
    assert client.post("/actions/halt", data={"confirm": "yes"}).status_code == 403  # CSRF still required
    confirm = client.get("/actions/confirm", params={"action": "halt"}).text
    client.post("/actions/halt", data={"confirm": "yes", "csrf_token": csrf_of(confirm)})
    assert commands(run_copy)[0].requested_by == "local (operator, web from testclient)"
    # a page fetched through another name (DNS rebinding) is refused
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    config = load_config(run_copy / "config.yaml", environ={})
    with pytest.raises(WebConfigError, match="refusing to listen on 0.0.0.0 without authentication"):
        create_app(config, environ={}, host="0.0.0.0")
    create_app(config, environ=TOKENS, host="0.0.0.0")  # with tokens it may


def test_bad_tokens_stop_the_app_without_showing_them(run_copy):
    config = load_config(run_copy / "config.yaml", environ={})
    with pytest.raises(WebConfigError) as short:
        create_app(config, environ={"QMT_WEB_OPERATOR_TOKEN": "abc123"})
    assert "QMT_WEB_OPERATOR_TOKEN" in str(short.value) and "abc123" not in str(short.value)
    same = "same-token-for-both-roles"
    with pytest.raises(WebConfigError) as twice:
        create_app(config, environ={"QMT_WEB_OPERATOR_TOKEN": same, "QMT_WEB_VIEWER_TOKEN": same})
    assert same not in str(twice.value)
    app = create_app(config, environ=TOKENS)
    assert OPERATOR_TOKEN not in repr(app.state.web.tokens) and VIEWER_TOKEN not in repr(app.state.web.tokens)
