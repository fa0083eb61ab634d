"""Built-in plugin ``metrics``: a Prometheus endpoint (orders, fills, denials, reconnects, queue depths,
tick-to-order latency, audit backlog) served from the engine process on 127.0.0.1. Off until
``metrics.port`` is set. See docs/web.md ("Metrics")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import MetricsSettings

if TYPE_CHECKING:
    from ...config import EngineConfig


def make_plugin(config: EngineConfig):
    if config.metrics.port is None:
        return None
    from .plugin import MetricsPlugin

    return MetricsPlugin(config.metrics)


__all__ = ["MetricsSettings", "make_plugin"]
