"""The paper account in SQLite, so paper trading continues across runs and days.

One file per account (``SimConfig.account_db``). Every state change the counter
makes (order accepted, fill, cancel, day roll) is written in one transaction;
the daily statement of each finished day is kept in ``statements``, and orders
and trades of every day stay in ``orders`` / ``trades``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from .fees import Fees
from .ledger import Ledger, Position, SimOrder, SimTrade

__all__ = ["AccountStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (
    code TEXT PRIMARY KEY, volume INTEGER, can_use INTEGER, frozen INTEGER, yesterday INTEGER,
    cost TEXT, open_cost TEXT, bought_today INTEGER);
CREATE TABLE IF NOT EXISTS orders (order_id INTEGER PRIMARY KEY, trading_day TEXT, body TEXT);
CREATE TABLE IF NOT EXISTS trades (trade_id INTEGER PRIMARY KEY, trading_day TEXT, body TEXT);
CREATE TABLE IF NOT EXISTS statements (
    trading_day TEXT PRIMARY KEY, cash TEXT, frozen TEXT, market_value TEXT, total_asset TEXT,
    positions TEXT, orders INTEGER, trades INTEGER);
"""


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _order_from_json(body: str) -> SimOrder:
    d = json.loads(body)
    fees = d.pop("fees_paid")
    for key in ("price", "traded_amount", "freeze_price", "frozen_cash"):
        d[key] = Decimal(d[key])
    d["order_time"] = dt.datetime.fromisoformat(d["order_time"])
    d["trading_day"] = dt.date.fromisoformat(d["trading_day"])
    d["held_until"] = dt.time.fromisoformat(d["held_until"]) if d["held_until"] else None
    return SimOrder(**d, fees_paid=Fees(**{k: Decimal(v) for k, v in fees.items()}))


def _trade_from_json(body: str) -> SimTrade:
    d = json.loads(body)
    d["fees"] = Fees(**{k: Decimal(v) for k, v in d["fees"].items()})
    for key in ("price", "amount"):
        d[key] = Decimal(d[key])
    d["time"] = dt.datetime.fromisoformat(d["time"])
    d["trading_day"] = dt.date.fromisoformat(d["trading_day"])
    return SimTrade(**d)


class AccountStore:
    """Reads and writes one :class:`Ledger` to a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def load(self, ledger: Ledger) -> bool:
        """Fill ``ledger`` from the file; False when the file holds no account yet."""
        with self._lock:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            if not meta:
                return False
            if meta.get("account_id") != ledger.account_id:
                raise ValueError(f"{self.path}: holds account {meta.get('account_id')!r}, "
                                 f"config says {ledger.account_id!r}")
            ledger.balance = Decimal(meta["balance"])
            ledger.proceeds_today = Decimal(meta.get("proceeds_today", "0"))
            ledger.trading_day = dt.date.fromisoformat(meta["trading_day"])
            ledger.next_order_id = int(meta["next_order_id"])
            ledger.next_trade_id = int(meta["next_trade_id"])
            for row in self._db.execute("SELECT * FROM positions"):
                ledger.positions[row[0]] = Position(row[0], row[1], row[2], row[3], row[4],
                                                    Decimal(row[5]), Decimal(row[6]), row[7])
            day = ledger.trading_day.isoformat()
            for (body,) in self._db.execute("SELECT body FROM orders WHERE trading_day=? "
                                            "ORDER BY order_id", (day,)):
                o = _order_from_json(body)
                ledger.orders[o.order_id] = o
            ledger.frozen = sum((o.frozen_cash for o in ledger.orders.values()), Decimal(0))
            for (body,) in self._db.execute("SELECT body FROM trades WHERE trading_day=? "
                                            "ORDER BY trade_id", (day,)):
                ledger.trades.append(_trade_from_json(body))
            return True

    def save(self, ledger: Ledger, orders: list[SimOrder], trades: list[SimTrade]) -> None:
        """Write the account, every position and the given orders/trades in one transaction."""
        meta = {"account_id": ledger.account_id, "balance": str(ledger.balance),
                "proceeds_today": str(ledger.proceeds_today),
                "trading_day": ledger.trading_day.isoformat() if ledger.trading_day else "",
                "next_order_id": str(ledger.next_order_id), "next_trade_id": str(ledger.next_trade_id)}
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
                db.execute("DELETE FROM positions")
                db.executemany("INSERT INTO positions VALUES (?,?,?,?,?,?,?,?)", [
                    (p.code, p.volume, p.can_use, p.frozen, p.yesterday, str(p.cost), str(p.open_cost),
                     p.bought_today) for p in ledger.positions.values()])
                db.executemany("INSERT OR REPLACE INTO orders VALUES (?,?,?)", [
                    (o.order_id, o.trading_day.isoformat(), json.dumps(_jsonable(asdict(o))))
                    for o in orders])
                db.executemany("INSERT OR REPLACE INTO trades VALUES (?,?,?)", [
                    (t.trade_id, t.trading_day.isoformat(), json.dumps(_jsonable(asdict(t))))
                    for t in trades])
                db.execute("COMMIT")
            except BaseException:
                # A Ctrl-C delivered right after COMMIT lands here with no transaction open:
                # a ROLLBACK then would fail and replace the KeyboardInterrupt.
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def save_statement(self, day: dt.date, ledger: Ledger, market_value: Decimal,
                       positions: list[dict]) -> None:
        """Record the daily statement of ``day`` (replaces an earlier one of the same day)."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO statements VALUES (?,?,?,?,?,?,?,?)", (
                day.isoformat(), str(ledger.balance), str(ledger.frozen), str(market_value),
                str(ledger.balance + market_value), json.dumps(positions), len(ledger.orders),
                len(ledger.trades)))

    def statements(self) -> list[dict]:
        """Every daily statement, oldest first."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM statements ORDER BY trading_day")
            cols = [c[0] for c in cur.description]
            rows = [dict(zip(cols, r)) for r in cur]
        for r in rows:
            r["positions"] = json.loads(r["positions"])
        return rows
