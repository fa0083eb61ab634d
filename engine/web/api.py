"""The JSON API under the pages (``/api/...``, documented at ``/docs``): the same data, for scripts.

Authenticate with ``Authorization: Bearer <token>`` (or a logged-in browser's
cookie plus the ``X-CSRF-Token`` header for actions). Amounts are decimal
strings, exactly as the engine recorded them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from ..audit.errors import AuditRunNotFoundError
from .actions import ActionError
from .app import check_unsafe, require_api_principal, web
from .auth import Principal
from .pages import strategy_rows
from .reader import AuditUnavailable

router = APIRouter(prefix="/api", tags=["api"])
Reader = Depends(require_api_principal)


def _data(load) -> Any:
    try:
        return load()
    except AuditUnavailable as exc:
        raise HTTPException(503, str(exc)) from None


@router.get("/whoami")
def whoami(principal: Principal = Reader) -> dict[str, Any]:
    """The caller's name and role (``viewer`` or ``operator``)."""
    return {"name": principal.name, "role": principal.role, "via": principal.via}


@router.get("/overview")
def overview(request: Request, principal: Principal = Reader) -> dict[str, Any]:
    """Mode, run, connection, session phase, trading states with causes, today's counts, equity curve, alerts."""
    state = web(request)
    data = _data(state.reader.overview)
    data["trading_states"] = strategy_rows(state.strategies, data.get("states", {}),
                                           (data.get("account") or {}).get("strategies", {}))
    data["pending_commands"] = state.actions.pending()
    return data


@router.get("/positions")
def positions(request: Request, principal: Principal = Reader) -> dict[str, Any]:
    """The latest account snapshot: funds and positions with holding days and P&L."""
    return _data(web(request).reader.positions)


@router.get("/orders")
def orders(request: Request, limit: int = 100, principal: Principal = Reader) -> list[dict[str, Any]]:
    """The current run's orders, newest first, each with its latest status, filled volume and fees."""
    return _data(lambda: web(request).reader.orders(max(1, min(limit, 1000))))


@router.get("/orders/{client_order_id}")
def order_story(request: Request, client_order_id: str, principal: Principal = Reader) -> list[dict[str, Any]]:
    """Every event of one order: risk decisions, intent, submission, status updates, fills, errors, cancels."""
    story = _data(lambda: web(request).reader.order_story(client_order_id))
    if not story:
        raise HTTPException(404, f"no order {client_order_id!r}")
    return story


@router.get("/fills")
def fills(request: Request, limit: int = 100, principal: Principal = Reader) -> list[dict[str, Any]]:
    """The current run's executions, newest first."""
    return _data(lambda: web(request).reader.fills(max(1, min(limit, 1000))))


@router.get("/denials")
def denials(request: Request, limit: int = 100, principal: Principal = Reader) -> list[dict[str, Any]]:
    """The current run's risk denials with the rule, reason, measured value and limit."""
    return _data(lambda: web(request).reader.denials(max(1, min(limit, 1000))))


@router.get("/jobs")
def jobs(request: Request, principal: Principal = Reader) -> dict[str, Any]:
    """Scheduled jobs of the current run: per job counts and last outcome, and the latest runs."""
    return _data(web(request).reader.jobs)


@router.get("/runs")
def runs(request: Request, limit: int = 50, principal: Principal = Reader) -> list[dict[str, Any]]:
    """Runs, newest first, with start, stop, why and the summary totals."""
    return _data(lambda: web(request).reader.runs(max(1, min(limit, 1000))))


@router.get("/runs/{run_id}")
def run(request: Request, run_id: str, principal: Principal = Reader) -> dict[str, Any]:
    """One run's summary and its daily statements."""
    reader = web(request).reader
    try:
        return _data(lambda: {"summary": reader.run_summary(run_id), "statements": reader.statements(run_id)})
    except AuditRunNotFoundError:
        raise HTTPException(404, f"no run {run_id!r}") from None


class ActionRequest(BaseModel):
    """An operator command; ``confirm`` must be true (the API's confirmation step)."""

    strategy: str | None = Field(None, description="one strategy; none = the whole account")
    reason: str = Field("", description="why; recorded with the state change")
    cancel_open: bool = Field(False, description="halt only: also cancel the open orders")
    confirm: bool = Field(False, description="must be true")


@router.post("/actions/{action}", status_code=202)
def act(request: Request, action: str, body: ActionRequest, principal: Principal = Reader) -> dict[str, Any]:
    """``halt`` or ``resume`` the account or one strategy (operators only). Returns the command id; the
    engine applies it within a second and records it in the audit database with who asked."""
    check_unsafe(request, principal, request.headers.get("x-csrf-token"))
    if action not in ("halt", "resume"):
        raise HTTPException(404, f"unknown action {action!r}: halt or resume")
    if action == "resume" and body.cancel_open:
        raise HTTPException(400, "cancel_open applies to halt only")
    if not body.confirm:
        raise HTTPException(400, "confirm must be true")
    state = web(request)
    try:
        parsed = state.actions.parse("halt_cancel" if body.cancel_open else action, body.strategy, body.reason)
    except ActionError as exc:
        raise HTTPException(400, str(exc)) from None
    command_id = state.actions.submit(parsed, principal)
    return {"command_id": command_id, "action": parsed.control_action, "strategy": parsed.strategy,
            "cancel_open": parsed.cancel_open, "requested_by": principal.requested_by()}
