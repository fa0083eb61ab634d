"""One engine per audit database and per account: an OS lock on a file beside the database.

:class:`InstanceLock` takes an exclusive, non-blocking ``flock`` on a lock file
(``<database>.lock`` for the audit database; for a live account, a file named
after the account in the same folder) and writes the holder's pid and start
time into it. The kernel releases the lock when the process exits or is
killed, so a crash never leaves a stale lock; the file itself stays and is
simply locked again by the next engine.

``flock`` locks belong to the open file description, not to the process, so
the lock is never dropped by some other ``close()`` in the process (unlike
the ``fcntl`` locks SQLite keeps on the database file itself), and a second
lock attempt in the same process conflicts too.

Two engines on one database (or one account) would reuse client order ids
and send duplicates to the broker; the second one stops before it starts,
with :class:`InstanceLockedError` naming the holder's pid.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
from pathlib import Path

from .errors import AuditError
from .private_file import open_private

__all__ = ["InstanceLock", "InstanceLockedError", "account_lock_path", "database_lock_path"]


class InstanceLockedError(AuditError):
    """Another engine holds the lock of this audit database or account."""


def database_lock_path(database: Path) -> Path:
    """``<database>.lock``: the lock of one audit database."""
    return database.with_name(database.name + ".lock")


def account_lock_path(database: Path, account: str) -> Path:
    """The lock of one broker account, beside the audit database.

    The file is named after a hash of the account id (``account-<16 hex>.lock``): the id
    itself is a secret (never logged in full), and the lock file is visible in the folder.
    """
    digest = hashlib.sha256(account.encode("utf-8")).hexdigest()[:16]
    return database.with_name(f"account-{digest}.lock")


class InstanceLock:
    """An exclusive lock held for the life of the engine; :meth:`release` (or exit) frees it.

    :param path: the lock file (created 0600 if missing).
    :param what: what it protects, for the error message ("audit database /x/audit.db").
    """

    def __init__(self, path: Path, what: str) -> None:
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> InstanceLock:
        """Take the lock or raise.

        :raises InstanceLockedError: another process (or another lock in this one) holds it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = open_private(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise InstanceLockedError(
                f"{self.what} is in use by another qmt-engine ({holder}; lock file {self.path}); "
                f"one engine per audit database and per account: stop that engine first"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}\n".encode(), 0)
        self._fd = fd
        return self

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Free the lock (idempotent). The file stays; its content is left as it was."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor releases the flock


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "pid unknown"
