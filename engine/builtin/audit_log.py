"""Built-in plugin ``audit``: the SQLite audit writer (see :mod:`engine.audit`)."""

from __future__ import annotations

from ..audit import AuditWriter
from ..config import EngineConfig


def make_plugin(config: EngineConfig) -> AuditWriter:
    settings = config.audit
    settings.path.parent.mkdir(parents=True, exist_ok=True)
    return AuditWriter(settings.path, batch_size=settings.batch_size, flush_interval=settings.flush_interval,
                       synchronous=settings.synchronous_for(config.mode),
                       durable_wait=settings.durable_wait_for(config.mode))
