"""Files only their owner may read or write (mode 0600), whatever the umask.

The audit database holds the account's orders and fills; the control file
decides who can halt the engine (whoever can write it can). Both, and the files
beside them, are created 0600: :func:`create_private` before SQLite first opens
a new database (SQLite gives its ``-wal`` and ``-shm`` files the database
file's mode), :func:`open_private` for the files the engine writes itself.

A file that already exists keeps the mode its owner gave it (an operator may
have shared it with a group on purpose); only files the engine creates are
made private.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["PRIVATE_MODE", "create_private", "open_private"]

#: Read and write for the owner only.
PRIVATE_MODE = 0o600


def create_private(path: str | Path) -> bool:
    """Create ``path`` empty with mode 0600 if it does not exist; True when it was created here.

    Called only before any connection to the file exists in this process (closing a descriptor
    drops the process's SQLite locks on the file; database.py explains why that matters).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, PRIVATE_MODE)  # O_CREAT's mode is reduced by the umask; this is exact
    finally:
        os.close(fd)
    return True


def open_private(path: str | Path, flags: int) -> int:
    """``os.open(path, flags | O_CREAT)``; a file created by this call gets mode 0600. Returns the descriptor."""
    created = not os.path.exists(path)
    fd = os.open(path, flags | os.O_CREAT, PRIVATE_MODE)
    if created:
        try:
            os.fchmod(fd, PRIVATE_MODE)
        except BaseException:
            os.close(fd)
            raise
    return fd
