"""The audit database deleted or replaced while the engine writes it (issue 20 item 4).

SQLite keeps writing to the file it opened. If the path is unlinked, or a
different file is moved onto it, every later commit goes to a file nobody will
find, and a restart would open (or create) a different one. The writer compares
the path's device and inode with those it opened (:class:`FileIdentity`) before
every batch. On a change it stops orders for the rest of the run and leaves a
marker ``<database>.replaced``; :func:`refuse_if_replaced` makes the next writer
refuse to start while the marker is there.

The operator's step: find out what happened to the file (restore it from a
backup, or keep the new one), then ``qmt-engine audit accept-replaced`` removes
the marker (docs/audit.md, "What each fault does").
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AuditDatabaseReplacedError
from .private_file import PRIVATE_MODE

__all__ = ["FileIdentity", "marker_path", "refuse_if_replaced"]

MARKER_SUFFIX = ".replaced"


def marker_path(database: str | Path) -> Path:
    """``<database>.replaced``: left when the database was deleted or replaced under a writer."""
    return Path(f"{database}{MARKER_SUFFIX}")


def refuse_if_replaced(database: str | Path) -> None:
    """Raise while the marker of ``database`` exists (an operator has not decided yet).

    :raises AuditDatabaseReplacedError: naming the file, what happened and the operator's step.
    """
    marker = marker_path(database)
    try:
        text = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return
    raise AuditDatabaseReplacedError(
        f"{database}: refusing to start: {text or 'the database was deleted or replaced during a run'} "
        f"(marker {marker}). Restore the database from a backup or decide to keep the file now at that "
        f"path, then run `qmt-engine audit accept-replaced --db {database}` to remove the marker")


@dataclass
class FileIdentity:
    """Device and inode of the file at a path when it was opened."""

    path: Path
    device: int
    inode: int
    lost: bool = field(default=False)

    @classmethod
    def of(cls, path: str | Path) -> FileIdentity:
        info = os.stat(path)
        return cls(Path(path), info.st_dev, info.st_ino)

    def check(self) -> str | None:
        """``None`` while the path names the opened file; else what happened ("was deleted", "was replaced")."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self.lost = True
            return "was deleted"
        if (info.st_dev, info.st_ino) != (self.device, self.inode):
            self.lost = True
            return "was replaced by another file"
        return None

    def leave_marker(self, message: str) -> Path:
        """Write the marker (0600) with ``message`` and the time; returns its path."""
        marker = marker_path(self.path)
        when = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(f"{message} (found {when})\n")
        return marker
