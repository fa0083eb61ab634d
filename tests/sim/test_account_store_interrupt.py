"""Issue 20 item 9: Ctrl-C landing just after the account's COMMIT is not swallowed.

``AccountStore.save`` once ran ``ROLLBACK`` in its ``except BaseException`` even
when the COMMIT had already happened; SQLite then raised "cannot rollback - no
transaction is active", which replaced the ``KeyboardInterrupt`` (paper mode
with ``paper.account_db`` ignored Ctrl-C).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from engine.sim.ledger import Ledger
from engine.sim.store import AccountStore


def _interrupt_right_after_commit(store: AccountStore):
    """A tracer that raises KeyboardInterrupt at the first bytecode after save()'s COMMIT returned,
    where a SIGINT received during the COMMIT is delivered."""
    began = []

    def tracer(frame, event, arg):
        if frame.f_code is not AccountStore.save.__code__:
            return None
        frame.f_trace_opcodes = True

        def local(frame, event, arg):
            if event == "opcode":
                if store._db.in_transaction:
                    began.append(True)
                elif began:
                    began.clear()
                    sys.settrace(None)
                    frame.f_trace = None
                    raise KeyboardInterrupt
            return local
        return local
    return tracer


def test_ctrl_c_after_commit_reaches_the_caller_and_the_save_stands(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "account.db")
    ledger = Ledger("SIM00001", Decimal("100000"))
    ledger.trading_day = dt.date(2025, 1, 2)
    ledger.balance = Decimal("99000.50")
    sys.settrace(_interrupt_right_after_commit(store))
    try:
        with pytest.raises(KeyboardInterrupt):
            store.save(ledger, [], [])
    finally:
        sys.settrace(None)
    store.close()
    again = Ledger("SIM00001", Decimal("0"))
    reopened = AccountStore(tmp_path / "account.db")
    try:
        assert reopened.load(again)
        assert again.balance == Decimal("99000.50")
    finally:
        reopened.close()
