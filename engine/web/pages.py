"""The HTML pages: overview, positions, orders (with each order's story), fills, risk denials, jobs, runs;
log in / out; the confirmation step and the halt / resume actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from ..audit.errors import AuditRunNotFoundError
from .actions import ActionError
from .app import (
    SESSION_COOKIE, check_unsafe, client_of, language_of, render, require_page_principal, session_of,
    set_session_cookie, web,
)
from .auth import Principal, clean_name
from .charts import line_chart
from .labels import labels
from .reader import AuditUnavailable

router = APIRouter(include_in_schema=False)
Viewer = Depends(require_page_principal)


def _page(request: Request, template: str, principal: Principal, load, **extra: Any):
    """Render ``template`` with ``load()``'s data, or the "no audit database yet" notice."""
    try:
        data = load()
    except AuditUnavailable as exc:
        return render(request, template, principal, {"unavailable": str(exc), **extra})
    return render(request, template, principal, {"unavailable": None, **data, **extra})


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """Liveness of the web process (no authentication; says nothing about the engine)."""
    return JSONResponse({"ok": True})


@router.get("/")
def overview(request: Request, principal: Principal = Viewer, done: int | None = None):
    state = web(request)

    def load() -> dict[str, Any]:
        data = state.reader.overview()
        account = data.get("account") or {}
        rows = strategy_rows(state.strategies, data.get("states", {}), account.get("strategies", {}),
                             account.get("pnl_today"))
        curve = data.get("curve") or []
        t = labels(language_of(request))
        charts = {"equity": line_chart([(p["ts"], p["total_asset"]) for p in curve], label=t["equity"], css_class="equity"),
                  "pnl": line_chart([(p["ts"], p["pnl_today"]) for p in curve], label=t["pnl_today"], css_class="pnl",
                                    zero_line=True)}
        return {"ov": data, "rows": rows, "charts": charts, "pending": state.actions.pending()}

    return _page(request, "overview.html", principal, load, done=done)


def strategy_rows(strategies: list[str], states: dict[str, dict], pnl: dict[str, str],
                  account_pnl: str | None = None) -> list[dict[str, Any]]:
    """The account first, then each configured strategy (and any other the audit names), with state, cause and
    P&L today (the account's from the latest equity mark)."""
    account = states.get("account", {})
    rows = [{"scope": "account", "strategy": None, "state": account.get("state", "ACTIVE"),
             "cause": account.get("cause", ""), "since": account.get("since", ""), "pnl": account_pnl}]
    names = list(strategies) + sorted({s.partition(":")[2] for s in states if s.startswith("strategy:")} - set(strategies))
    for name in names:
        own = states.get(f"strategy:{name}", {})
        rows.append({"scope": f"strategy:{name}", "strategy": name, "state": own.get("state", "ACTIVE"),
                     "cause": own.get("cause", ""), "since": own.get("since", ""), "pnl": pnl.get(name)})
    return rows


@router.get("/positions")
def positions(request: Request, principal: Principal = Viewer):
    return _page(request, "positions.html", principal, lambda: web(request).reader.positions())


@router.get("/orders")
def orders(request: Request, principal: Principal = Viewer, limit: int = 100):
    return _page(request, "orders.html", principal, lambda: {"orders": web(request).reader.orders(_limit(limit))})


@router.get("/orders/{client_order_id}")
def order(request: Request, client_order_id: str, principal: Principal = Viewer):
    def load() -> dict[str, Any]:
        story = web(request).reader.order_story(client_order_id)
        if not story:
            raise HTTPException(404, f"no order {client_order_id!r} in the audit database")
        return {"story": story}

    return _page(request, "order.html", principal, load, client_order_id=client_order_id)


@router.get("/fills")
def fills(request: Request, principal: Principal = Viewer, limit: int = 100):
    return _page(request, "fills.html", principal, lambda: {"fills": web(request).reader.fills(_limit(limit))})


@router.get("/denials")
def denials(request: Request, principal: Principal = Viewer, limit: int = 100):
    return _page(request, "denials.html", principal, lambda: {"denials": web(request).reader.denials(_limit(limit))})


@router.get("/jobs")
def jobs(request: Request, principal: Principal = Viewer):
    return _page(request, "jobs.html", principal, lambda: web(request).reader.jobs())


@router.get("/runs")
def runs(request: Request, principal: Principal = Viewer):
    return _page(request, "runs.html", principal, lambda: {"runs": web(request).reader.runs()})


@router.get("/runs/{run_id}")
def run(request: Request, run_id: str, principal: Principal = Viewer):
    reader = web(request).reader

    def load() -> dict[str, Any]:
        try:
            summary = reader.run_summary(run_id)
        except AuditRunNotFoundError:
            raise HTTPException(404, f"no run {run_id!r} in the audit database") from None
        return {"summary": summary, "statements": reader.statements(run_id), "metrics": reader.run_metrics(run_id)}

    return _page(request, "run.html", principal, load, run_id=run_id)


_REPORT_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
               "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
def run_report(request: Request, run_id: str, principal: Principal = Viewer):
    """The run's full report (engine.results: metrics, equity and drawdown charts, round trips), as
    ``qmt-engine report`` writes it, computed from the read-only audit database."""
    try:
        # the report is self-contained (plotly's JavaScript and the charts inline): its own policy allows
        # inline script and style, and nothing from anywhere else
        return HTMLResponse(web(request).reader.report_html(run_id), headers={"Content-Security-Policy": _REPORT_CSP})
    except AuditRunNotFoundError:
        raise HTTPException(404, f"no run {run_id!r} in the audit database") from None
    except AuditUnavailable as exc:
        raise HTTPException(503, str(exc)) from None


# -- logging in and out ---------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", None, {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, token: str = Form(""), name: str = Form(""), next: str = Form("/")):
    state = web(request)
    client = client_of(request)
    if not state.tokens.enabled:
        return RedirectResponse(_safe_next(next), status_code=303)
    t = labels(language_of(request))
    if state.throttle.blocked(client):
        return render(request, "login.html", None, {"next": _safe_next(next), "error": t["too_many"]}, status_code=429)
    role = state.tokens.role_for(token)
    if role is None:
        state.throttle.failed(client)
        return render(request, "login.html", None, {"next": _safe_next(next), "error": t["bad_token"]}, status_code=401)
    session = state.sessions.create(clean_name(name, role), role)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, session)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form(""), principal: Principal = Viewer):
    session = session_of(request)
    if session is None or csrf_token != session.csrf:
        raise HTTPException(403, "missing or wrong CSRF token")
    web(request).sessions.drop(session.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _safe_next(target: str) -> str:
    """Only paths on this site (never an absolute URL: no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _limit(limit: int) -> int:
    return max(1, min(int(limit), 1000))


# -- actions ----------------------------------------------------------------------------------------


@router.get("/actions/confirm")
def confirm(request: Request, action: str, strategy: str | None = None, principal: Principal = Viewer):
    if not principal.is_operator:
        raise HTTPException(403, "only an operator may halt or resume; you are a viewer")
    state = web(request)
    try:
        parsed = state.actions.parse(action, strategy)
    except ActionError as exc:
        raise HTTPException(400, str(exc)) from None
    t = labels(language_of(request))
    what = t["strategy_named"].format(name=parsed.strategy) if parsed.strategy else t["the_account"]
    return render(request, "confirm.html", principal, {"action": parsed, "what": what,
                                                       "question": t[f"confirm_{parsed.action}"].format(what=what)})


@router.post("/actions/{action}")
def act(request: Request, action: str, strategy: str = Form(""), reason: str = Form(""), confirm: str = Form(""),
        csrf_token: str = Form(""), principal: Principal = Viewer):
    check_unsafe(request, principal, csrf_token)
    state = web(request)
    try:
        parsed = state.actions.parse(action, strategy, reason)
    except ActionError as exc:
        raise HTTPException(400, str(exc)) from None
    if confirm != "yes":
        raise HTTPException(400, "not confirmed: submit the confirmation form")
    command_id = state.actions.submit(parsed, principal)
    return RedirectResponse(f"/?done={command_id}", status_code=303)
