"""``metrics:`` in config.yaml: the Prometheus endpoint of the built-in plugin ``metrics`` (off until a port is set)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MetricsSettings(BaseModel):
    """``metrics:`` a Prometheus text-format endpoint served by the engine process itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port: int | None = Field(None, ge=0, le=65535, description="serve /metrics on this port (0: any free port); "
                             "none = no metrics plugin")
    host: str = Field("127.0.0.1", description="the address to listen on (loopback: reach it through an SSH tunnel "
                      "or a proxy)")


__all__ = ["MetricsSettings"]
