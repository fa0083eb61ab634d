"""The audit database: an append-only SQLite journal of every engine event.

* :func:`open_audit_db` opens, configures (WAL, ``synchronous=FULL``, foreign
  keys) and migrates the file; every reader and writer goes through it.
* :class:`AuditWriter` is the built-in ``track_event`` plugin that writes it.
* :mod:`engine.audit.queries` holds the read-only queries behind ``qmt-engine audit``.
* :mod:`engine.audit.schema_doc` renders the schema section of ``docs/audit.md``.
* Every table is append-only (triggers) and every row hash-chained
  (:mod:`engine.audit.chain`); :func:`engine.audit.verify.verify_chain` checks it.
* :mod:`engine.audit.statement` (a day's statement) and :mod:`engine.audit.export`
  (CSV, JSON lines, Parquet) serve ``qmt-engine audit statement|export``.
"""

from __future__ import annotations

from .database import open_audit_db
from .errors import (
    AuditClosedError, AuditDatabaseDamagedError, AuditDatabaseMissingError, AuditDatabaseReplacedError, AuditError,
    AuditEventError, AuditRunNotFoundError, AuditSchemaTooNewError, AuditWriteError, NotAnAuditDatabaseError,
)
from .migrations import MIGRATIONS
from .tables import EVENT_TABLES
from .writer import AuditWriter

__all__ = [
    "EVENT_TABLES", "MIGRATIONS", "AuditClosedError", "AuditDatabaseDamagedError", "AuditDatabaseMissingError",
    "AuditDatabaseReplacedError", "AuditError",
    "AuditEventError", "AuditRunNotFoundError", "AuditSchemaTooNewError", "AuditWriteError",
    "AuditWriter", "NotAnAuditDatabaseError", "open_audit_db",
]
