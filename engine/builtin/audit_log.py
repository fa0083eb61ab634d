"""Built-in plugin ``audit``: the SQLite audit writer (see :mod:`engine.audit`)."""

from __future__ import annotations

from ..audit import AuditWriter
from ..audit.instance_lock import InstanceLock, account_lock_path
from ..config import EngineConfig


def make_plugin(config: EngineConfig) -> AuditWriter:
    settings = config.audit
    settings.path.parent.mkdir(parents=True, exist_ok=True)
    locks = ()
    if config.mode == "live" and config.account_id:  # one live engine per broker account
        locks = (InstanceLock(account_lock_path(settings.path, config.account_id.get_secret_value()),
                              f"account {config.masked_account()}"),)
    return AuditWriter(settings.path, batch_size=settings.batch_size, flush_interval=settings.flush_interval,
                       synchronous=settings.synchronous_for(config.mode),
                       durable_wait=settings.durable_wait_for(config.mode), locks=locks)
