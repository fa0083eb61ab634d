"""``qmt-engine serve``: the status web app in its own process (docs/web.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import ConfigOption, console, load_or_exit, print_error


def serve(config: Optional[Path] = ConfigOption,
          host: Optional[str] = typer.Option(None, "--host", help="Address to listen on (default: web.host, 127.0.0.1)."),
          port: Optional[int] = typer.Option(None, "--port", "-p", help="Port (default: web.port, 8321)."),
          lang: Optional[str] = typer.Option(None, "--lang", help="Labels: en or zh (default: web.language)."),
          access_log: bool = typer.Option(False, "--access-log", help="Log every request (paths only, never tokens).")) -> None:
    """Watch and steer a running engine from a browser: reads the audit database read-only, writes only
    halt / resume commands to the control file. Tokens come from QMT_WEB_OPERATOR_TOKEN / QMT_WEB_VIEWER_TOKEN."""
    import uvicorn

    from ..web.app import create_app
    from ..web.auth import WebConfigError

    settings = load_or_exit(config)
    overrides = {k: v for k, v in (("host", host), ("port", port), ("language", lang)) if v is not None}
    if lang is not None and lang not in ("en", "zh"):
        print_error(f"--lang: expected en or zh, got {lang!r}")
        raise typer.Exit(code=2)
    web = settings.web.model_copy(update=overrides)
    settings = settings.model_copy(update={"web": web})
    try:
        app = create_app(settings)
    except WebConfigError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    auth = "tokens (viewer / operator)" if app.state.web.tokens.enabled else "none: loopback only, local operator"
    console.print(f"qmt-engine web: http://{web.host}:{web.port}/  (audit {settings.audit.path}, read-only; "
                  f"control {settings.engine.control_path}; authentication: {auth})", highlight=False)
    uvicorn.run(app, host=web.host, port=web.port, log_level="info" if access_log else "warning",
                access_log=access_log, timeout_graceful_shutdown=2, proxy_headers=True, forwarded_allow_ips="127.0.0.1")
