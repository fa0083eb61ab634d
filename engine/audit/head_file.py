"""The chain head file: a copy of the chain head kept next to the database, outside it.

Truncating the tail of a hash chain leaves a chain that is consistent in
itself; only a copy of the head kept elsewhere shows that rows are missing.
The writer rewrites this small file (``<database>-chainhead``) in place after
every commit, once the commit is on disk, so the file never gets ahead of the
database: after a crash it may lag by the last commit, never lead.

Format: one fixed-width ASCII line,
``qmt-audit-chainhead 1 <block> <rows> <head hash> <check>``, where ``check``
is the first 16 hex digits of the SHA-256 of the text before it (a torn or
edited line is reported as unreadable, not trusted).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .chain import ChainHead
from .private_file import open_private

HEAD_FILE_SUFFIX = "-chainhead"
_MAGIC = "qmt-audit-chainhead 1"
_WIDTH = 160


class HeadFileError(ValueError):
    """The head file exists but cannot be read as a chain head (torn, edited or foreign)."""


def head_file_path(database: str | Path) -> Path:
    """Where the head file of ``database`` lives: ``<database>-chainhead``."""
    return Path(f"{database}{HEAD_FILE_SUFFIX}")


def format_head(head: ChainHead) -> bytes:
    """The fixed-width record for ``head``."""
    text = f"{_MAGIC} {head.block} {head.position} {head.hash}"
    check = hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
    return f"{text} {check}".ljust(_WIDTH - 1).encode("ascii") + b"\n"


def read_head_file(path: str | Path) -> ChainHead | None:
    """The head recorded in ``path``; ``None`` if there is no such file.

    :raises HeadFileError: the file is not a valid head record.
    """
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None
    try:
        parts = raw.decode("ascii").split()
    except UnicodeDecodeError:
        parts = []
    if len(parts) != 6 or " ".join(parts[:2]) != _MAGIC:
        raise HeadFileError(f"{file}: not a qmt-engine audit chain head file")
    text = " ".join(parts[:5])
    if hashlib.sha256(text.encode("ascii")).hexdigest()[:16] != parts[5]:
        raise HeadFileError(f"{file}: the chain head record fails its checksum (torn write or edited)")
    try:
        return ChainHead(int(parts[2]), int(parts[3]), parts[4])
    except ValueError as exc:
        raise HeadFileError(f"{file}: malformed chain head record ({exc})") from exc


class HeadFileWriter:
    """Keeps the head file of one database up to date (used by the audit writer thread only)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file = os.fdopen(open_private(self.path, os.O_RDWR), "r+b", buffering=0)  # created 0600
        self._file.truncate(0)  # drop whatever was there (a stale or unreadable record)

    def write(self, head: ChainHead) -> None:
        """Overwrite the record in place (no fsync: the file may lag the database, never lead it)."""
        self._file.seek(0)
        self._file.write(format_head(head))

    def close(self) -> None:
        """Close the file."""
        self._file.close()
