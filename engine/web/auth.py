"""Who may use the web app: tokens from the environment, two roles, sessions, CSRF tokens, login throttling.

* Two tokens, each from an environment variable named in ``web:``
  (``QMT_WEB_OPERATOR_TOKEN``, ``QMT_WEB_VIEWER_TOKEN`` by default): the
  operator may halt and resume, the viewer only looks. A token is compared in
  constant time and never logged, echoed or put in a URL.
* A browser logs in once (``POST /login``) and gets a random session id in an
  ``HttpOnly``, ``SameSite=Strict`` cookie; sessions live in the server's memory.
  Scripts send ``Authorization: Bearer <token>`` instead.
* Every state-changing form carries the session's CSRF token; a request
  authenticated by cookie without the matching token is refused.
* With no token configured the app serves only loopback and everyone is a
  local operator (anyone on this machine can run ``qmt-engine halt`` too);
  :func:`check_bind` refuses any other address without tokens.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping

from .settings import WebSettings

ROLES = ("viewer", "operator")
MIN_TOKEN_LENGTH = 12


class WebConfigError(ValueError):
    """The web app cannot start as configured (the message says what to set; never a token's value)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a name (given at login), a role, how they proved it, and from where."""

    name: str
    role: str
    via: str  # session | bearer | local
    client: str = ""

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"

    def requested_by(self) -> str:
        """How a command records its author: ``alice (operator, web from 127.0.0.1)``."""
        return f"{self.name} ({self.role}, web from {self.client or '?'})"


@dataclass(frozen=True)
class Tokens:
    """The configured tokens (absent = None); ``enabled`` when at least one is set."""

    operator: str | None = field(default=None, repr=False)
    viewer: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.operator or self.viewer)

    def role_for(self, token: str) -> str | None:
        """The role a presented token grants, or None (constant-time comparison with each)."""
        given = token.encode("utf-8")
        role = None
        for name, expected in (("operator", self.operator), ("viewer", self.viewer)):
            if expected and hmac.compare_digest(given, expected.encode("utf-8")):
                role = name
        return role

    def __repr__(self) -> str:
        return f"Tokens(operator={'set' if self.operator else 'unset'}, viewer={'set' if self.viewer else 'unset'})"


def load_tokens(settings: WebSettings, environ: Mapping[str, str]) -> Tokens:
    """Read the two tokens from the environment variables ``settings`` names."""
    found = {}
    for role, variable in (("operator", settings.operator_token_env), ("viewer", settings.viewer_token_env)):
        value = environ.get(variable) or None
        if value is not None and len(value) < MIN_TOKEN_LENGTH:
            raise WebConfigError(f"{variable}: the {role} token is shorter than {MIN_TOKEN_LENGTH} characters; use a "
                                 "long random one, e.g. python -c \"import secrets; print(secrets.token_urlsafe(24))\"")
        found[role] = value
    if found["operator"] and found["operator"] == found["viewer"]:
        raise WebConfigError(f"{settings.operator_token_env} and {settings.viewer_token_env} hold the same token: "
                             "a viewer could act as operator; give them different values")
    return Tokens(found["operator"], found["viewer"])


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, tokens: Tokens, settings: WebSettings) -> None:
    """Refuse to listen beyond this machine without authentication."""
    if not is_loopback(host) and not tokens.enabled:
        raise WebConfigError(
            f"refusing to listen on {host} without authentication: set {settings.operator_token_env} (and "
            f"{settings.viewer_token_env} for read-only users), or listen on 127.0.0.1 and reach it through an SSH "
            "tunnel (docs/web.md)")


@dataclass
class Session:
    id: str
    csrf: str
    name: str
    role: str
    expires: float


class Sessions:
    """Logged-in browsers, in memory (a restart of ``serve`` logs everyone out)."""

    def __init__(self, lifetime_seconds: float) -> None:
        self.lifetime = lifetime_seconds
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, name: str, role: str) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), name, role,
                          time.monotonic() + self.lifetime)
        with self._lock:
            self._expire()
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires < time.monotonic():
                del self._sessions[session_id]
                return None
            return session

    def drop(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._sessions.items() if s.expires < now]:
            del self._sessions[key]


def csrf_matches(session: Session | None, presented: str | None) -> bool:
    return session is not None and bool(presented) and hmac.compare_digest(session.csrf.encode(), presented.encode())


class LoginThrottle:
    """At most ``attempts`` failed logins per client per ``window`` seconds."""

    def __init__(self, attempts: int = 10, window: float = 60.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if t > time.monotonic() - self.window]
            self._failures[client] = recent
            return len(recent) >= self.attempts

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures.setdefault(client, []).append(time.monotonic())


def clean_name(name: str, role: str) -> str:
    """A display name for the audit: printable, at most 40 characters; the role when none was given."""
    text = "".join(ch for ch in name if ch.isprintable()).strip()[:40]
    return text or role
