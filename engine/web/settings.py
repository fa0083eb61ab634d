"""``web:`` in config.yaml: how ``qmt-engine serve`` listens, who may use it, in which language.

The tokens themselves are never in the file: ``operator_token_env`` and
``viewer_token_env`` name the environment variables that hold them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    """``web:`` the status web app (``qmt-engine serve``, docs/web.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", description="address to listen on; anything but loopback needs tokens")
    port: int = Field(8321, ge=0, le=65535)
    language: Literal["en", "zh"] = Field("en", description="labels: en, or zh (委托 / 成交 / 持仓 / 资金 / 风控拒单)")
    operator_token_env: str = Field("QMT_WEB_OPERATOR_TOKEN", description="environment variable with the operator token "
                                    "(may halt and resume)")
    viewer_token_env: str = Field("QMT_WEB_VIEWER_TOKEN", description="environment variable with the viewer token (read only)")
    allowed_hosts: list[str] = Field(default_factory=list, description="extra Host names the app answers to (the name a "
                                     "reverse proxy forwards); loopback names always")
    poll_seconds: float = Field(1.0, gt=0, description="how often the server looks for new audit rows (live updates)")
    session_hours: float = Field(12.0, gt=0, description="a login lasts this long")


__all__ = ["WebSettings"]
