"""Issue 20 item 5: one engine per audit database (and per live account), enforced by an OS lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.audit import AuditWriter
from engine.audit.instance_lock import InstanceLock, InstanceLockedError, account_lock_path, database_lock_path

_HOLDER = textwrap.dedent("""
    import sys
    from engine.audit import AuditWriter
    writer = AuditWriter(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
    writer.close()
    print("released", flush=True)
    sys.stdin.readline()
""")

_SECOND = textwrap.dedent("""
    import sys
    from engine.audit import AuditWriter
    from engine.audit.instance_lock import InstanceLockedError
    try:
        AuditWriter(sys.argv[1]).close()
    except InstanceLockedError as exc:
        print(exc, flush=True)
        sys.exit(3)
    print("opened", flush=True)
""")


def _second(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _SECOND, str(path)], capture_output=True, text=True, timeout=60)


def test_a_second_process_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        refused = _second(path)
        assert refused.returncode == 3, refused.stderr
        assert f"pid {holder.pid}" in refused.stdout
        assert str(path) in refused.stdout and "in use by another qmt-engine" in refused.stdout

        holder.stdin.write("\n"); holder.stdin.flush()  # a clean close frees it
        assert holder.stdout.readline().strip() == "released"
        assert _second(path).stdout.strip() == "opened"
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    assert database_lock_path(path).exists()
    assert _second(path).stdout.strip() == "opened"


def test_the_same_process_cannot_open_two_writers_and_a_failed_open_keeps_no_lock(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with AuditWriter(path):
        with pytest.raises(InstanceLockedError, match=f"pid {os.getpid()}"):
            AuditWriter(path)
    notes = tmp_path / "notes.db"
    notes.write_text("not a database\n" * 100)
    with pytest.raises(Exception):
        AuditWriter(notes)
    InstanceLock(database_lock_path(notes), "notes").acquire().release()  # free again


def test_a_live_account_lock_is_taken_with_the_writer(tmp_path: Path) -> None:
    account = account_lock_path(tmp_path / "audit.db", "8800001234")
    assert "8800001234" not in account.name  # the account id is a secret
    with AuditWriter(tmp_path / "audit.db", locks=(InstanceLock(account, "account 88****34"),)):
        with pytest.raises(InstanceLockedError, match="account 88\\*\\*\\*\\*34"):
            InstanceLock(account, "account 88****34").acquire()
    InstanceLock(account, "account").acquire().release()
    assert oct(database_lock_path(tmp_path / "audit.db").stat().st_mode & 0o777) == "0o600"
