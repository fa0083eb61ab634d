"""Named errors of the audit database; each message names the file it is about."""

from __future__ import annotations


class AuditError(Exception):
    """Base class of every audit database error."""


class AuditDatabaseMissingError(AuditError):
    """``open_audit_db(..., create=False)`` was given a path that does not exist."""


class NotAnAuditDatabaseError(AuditError):
    """The file exists but is not a qmt-engine audit database (not SQLite, or foreign tables)."""


class AuditSchemaTooNewError(AuditError):
    """The file was migrated by a newer qmt-engine: it has migrations this code does not know."""


class AuditDatabaseDamagedError(AuditError):
    """SQLite reports the file damaged ("database disk image is malformed") while reading it."""


class AuditEventError(AuditError):
    """An event handed to the audit writer cannot be stored (unknown type, unstamped, bad value)."""


class AuditWriteError(AuditError):
    """Writing events to the audit file failed; the message names the file and the events."""


class AuditClosedError(AuditError):
    """The audit writer was closed (or its thread died) and accepts no more events."""


class AuditRunNotFoundError(AuditError):
    """A query asked about a run id that the audit database does not contain."""


class AuditSchemaOutdatedError(AuditError):
    """A read-only open found migrations still to apply (a reader never migrates the file it reads)."""


class AuditDatabaseReplacedError(AuditError):
    """The audit database was deleted or replaced while an engine wrote it; a restart waits for the operator."""
