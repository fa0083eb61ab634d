"""The FastAPI application of ``qmt-engine serve``: shared state, authentication, security headers.

:func:`create_app` builds it from an :class:`~engine.config.EngineConfig` (the
audit path, the control path, the strategies and ``web:``) and the
environment (the tokens). Pages are in :mod:`.pages`, the JSON API in
:mod:`.api`, live updates in :mod:`.live`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

from fastapi import HTTPException, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from .. import __version__
from ..config import EngineConfig
from .actions import ControlActions
from .auth import LoginThrottle, Principal, Session, Sessions, Tokens, check_bind, csrf_matches, load_tokens
from .labels import LANGUAGES, STATES, SIDES, labels
from .reader import AuditReader
from .settings import WebSettings

HERE = Path(__file__).parent
SESSION_COOKIE = "qmt_session"
LANG_COOKIE = "qmt_lang"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


@dataclass
class WebState:
    """What every route needs, in ``app.state.web``."""

    settings: WebSettings
    reader: AuditReader
    actions: ControlActions
    tokens: Tokens
    sessions: Sessions
    throttle: LoginThrottle
    templates: Jinja2Templates
    mode: str
    strategies: list[str]
    config_path: str


def create_app(config: EngineConfig, *, environ: Mapping[str, str] | None = None, host: str | None = None) -> Any:
    """The web app for ``config``. Raises :class:`~engine.web.auth.WebConfigError` when it must not start
    (a token too short, or a non-loopback ``host`` without tokens)."""
    settings = config.web
    tokens = load_tokens(settings, os.environ if environ is None else environ)
    check_bind(host or settings.host, tokens, settings)
    strategies = [s.name for s in config.strategies if s.enabled]
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(version=__version__, languages=LANGUAGES)
    state = WebState(settings, AuditReader(config.audit.path), ControlActions(config.engine.control_path, strategies),
                     tokens, Sessions(settings.session_hours * 3600), LoginThrottle(), templates, config.mode,
                     strategies, str(config.source_path or ""))
    app = FastAPIOffline(title="qmt-engine", version=__version__,
                         description="Read the state of a running qmt-engine (from its audit database) and halt or "
                                     "resume it. Send `Authorization: Bearer <token>`; see docs/web.md.",
                         static_url="/static-docs")
    app.state.web = state
    allowed = [*LOOPBACK_HOSTS, *settings.allowed_hosts]
    if tokens.enabled and not settings.allowed_hosts:
        allowed = ["*"]  # behind authentication any Host may reach the login page
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith(("/docs", "/redoc", "/static-docs")):
            response.headers.setdefault("Content-Security-Policy", _CSP)
        if not request.url.path.startswith(("/static", "/events")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from . import api, live, pages

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(live.router)
    return app


# -- request helpers shared by the routers ------------------------------------------------------


def web(request: Request) -> WebState:
    return request.app.state.web


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


def authenticate(request: Request) -> Principal | None:
    """Who sent this request: a bearer token, a session cookie, or (no tokens configured) a local operator.

    :raises HTTPException: 401 for a bearer token that matches no role.
    """
    state = web(request)
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        role = state.tokens.role_for(header[7:].strip()) if state.tokens.enabled else None
        if role is None:
            raise HTTPException(401, "wrong or unknown token", headers={"WWW-Authenticate": "Bearer"})
        return Principal(role, role, "bearer", client_of(request))
    session = session_of(request)
    if session is not None:
        return Principal(session.name, session.role, "session", client_of(request))
    if not state.tokens.enabled:
        return Principal("local", "operator", "local", client_of(request))
    return None


def session_of(request: Request) -> Session | None:
    return web(request).sessions.get(request.cookies.get(SESSION_COOKIE))


def require_api_principal(request: Request) -> Principal:
    principal = authenticate(request)
    if principal is None:
        raise HTTPException(401, "log in or send Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"})
    return principal


def require_page_principal(request: Request) -> Principal:
    principal = authenticate(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "log in first", headers={"Location": f"/login?next={quote(target)}"})
    return principal


def check_unsafe(request: Request, principal: Principal, presented_csrf: str | None) -> None:
    """A state-changing request: the operator role, the same origin, and (without a bearer token) the CSRF token."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "cross-origin request refused")
    if principal.via != "bearer" and not csrf_matches(session_of(request), presented_csrf):
        raise HTTPException(403, "missing or wrong CSRF token (reload the page and try again)")
    if not principal.is_operator:
        raise HTTPException(403, "only an operator may do this; you are a viewer")


def language_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else web(request).settings.language


def render(request: Request, template: str, principal: Principal | None, context: dict[str, Any],
           status_code: int = 200) -> Response:
    """A page in the user's language; a local operator gets a session (for the CSRF token) on first sight."""
    state = web(request)
    language = language_of(request)
    session = session_of(request)
    new_session = None
    if session is None and principal is not None and principal.via == "local":
        session = new_session = state.sessions.create("local", "operator")
    page = {"request": request, "t": labels(language), "lang": language, "sides": SIDES[language],
            "states": STATES[language], "principal": principal, "csrf": session.csrf if session else "",
            "auth_enabled": state.tokens.enabled, "mode": state.mode, "path": request.url.path,
            "fragment": request.query_params.get("fragment") == "1", **context}
    response = state.templates.TemplateResponse(request, template, page, status_code=status_code)
    if new_session is not None:
        set_session_cookie(request, response, new_session)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, httponly=True, samesite="strict")
    return response


def set_session_cookie(request: Request, response: Response, session: Session) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="strict", secure=secure,
                        max_age=int(web(request).sessions.lifetime))
