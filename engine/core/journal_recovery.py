"""Start-up recovery from the order journal: no intent is lost, none is sent twice.

Every order intent is committed to the audit database before the order leaves
the engine. If the engine stopped (or was killed) with orders open, the next
run, before any strategy hook:

* finds the intents whose last recorded status is not final;
* looks each one up among the broker's orders of the day by its client id
  (``order_remark``): found, it is adopted with the broker's status, fills
  the journal does not have are recorded, and the broker's status is journalled
  (so the next restart does not look again once it is final); not found and placed
  today, the broker never received it, so it is marked rejected ("never reached
  the broker"); not found and placed on an earlier trading day, the broker cannot
  say (it lists today's orders only), and the order is closed as its day closed
  it (A-share day orders end with their day), with the status its recorded fills
  give: filled, partly filled, or cancelled; the position check below shows any
  fill the journal missed. Nothing is ever re-sent;
* compares the broker's positions with those the previous run recorded at its
  end, and records every difference (or that the previous run did not stop
  cleanly, so there is nothing to compare with).

Applies when the broker keeps state between runs: live mode, and paper mode
with ``paper.account_db``. Every finding is a ``reconciliation`` audit row.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..broker.snapshot import BrokerSnapshot
from ..events import Event
from ..models import OrderStatus
from ..orders.differences import DifferenceRecorder
from ..xt import constants as xtc

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..orders import OrderDesk

_FINAL = tuple(sorted(xtc.FINAL_ORDER_STATUSES))


def recover_from_journal(orders: OrderDesk, emit: Callable[[Event], None], config: EngineConfig, run_id: str,
                         today: dt.date, snapshot: BrokerSnapshot) -> int:
    """Reconcile the previous runs' open intents and positions with the broker; returns the findings.

    :param orders: the order desk (intents adopted, rejected or closed through it, silently: no hooks).
    :param emit: records the ``reconciliation`` events.
    :param run_id: this run (its own rows are not an earlier run's).
    :param today: the engine clock's date.
    """
    if config.mode == "paper" and config.paper.account_db is None:
        return 0  # a fresh simulated account every run: earlier intents were never at this broker
    journal = _read_journal(config.audit.path, config.mode, run_id)
    if journal is None:
        return 0
    with orders.recovering():
        return _recover(orders, DifferenceRecorder(emit, "journal recovery"), today, snapshot, journal)


def _recover(orders: OrderDesk, record: DifferenceRecorder, today: dt.date, snapshot: BrokerSnapshot,
             journal: dict) -> int:
    fills_recovered = 0

    at_broker = {r.order_remark: r for r in snapshot.orders if r.order_remark}
    trades_by_remark: dict[str, list] = {}
    for trade in snapshot.trades:
        trades_by_remark.setdefault(trade.order_remark or "", []).append(trade)
    for intent in journal["open_intents"]:
        client_id = intent["client_order_id"]
        record_at_broker = at_broker.get(client_id)
        if record_at_broker is None:
            if _day_of(intent["ts"]) < today:
                _close_past_day_intent(orders, record, intent)
                continue
            record("intent_not_received", client_id, intent["last_status"], "absent",
                   "marked rejected: the engine stopped before the broker received it; not re-sent")
            order = orders.adopt_silently(_intent_as_record(intent))
            orders.reject_locally(order, "never reached the broker (the engine stopped first); not re-sent")
            continue
        record("intent_adopted", client_id, intent["last_status"], int(record_at_broker.order_status),
               "adopted with the broker's status and fills")
        seen = set(journal["trade_ids"].get(client_id, ()))
        for trade in trades_by_remark.get(client_id, ()):
            if str(trade.traded_id) not in seen:
                orders.recover_trade(trade)
                fills_recovered += 1
        order = orders.find(remark=client_id, order_id=record_at_broker.order_id)
        if order is not None:
            orders.journal_adopted_status(order, intent["last_status"],
                                                        "adopted at start-up with the broker's status")

    last = journal["last_stop"]
    if last is None:
        if journal["had_runs"]:
            record("previous_run_unfinished", "account", "no stop recorded", "-",
                   "the previous run did not stop cleanly; positions taken from the broker")
    else:
        previous = last.get("positions") or {}
        broker = {r.stock_code: int(r.volume) for r in snapshot.positions if int(r.volume)}
        for code in sorted(set(previous) | set(broker)):
            if int(previous.get(code, 0)) != broker.get(code, 0):
                record("position_since_last_run", code, previous.get(code, 0), broker.get(code, 0),
                       "took the broker's position")
    return record.count + fills_recovered


def _day_of(ts: str) -> dt.date:
    return dt.datetime.fromisoformat(ts).date()


def _close_past_day_intent(orders: OrderDesk, record: DifferenceRecorder, intent: dict) -> None:
    """An open intent of an earlier trading day that the broker no longer lists: its day ended it."""
    filled = int(intent["filled_volume"] or 0)
    status = (OrderStatus.SUCCEEDED if filled >= int(intent["volume"]) else
              OrderStatus.PART_CANCEL if filled else OrderStatus.CANCELED)
    day = _day_of(intent["ts"])
    record("intent_of_a_past_day", intent["client_order_id"], intent["last_status"],
           "not listed (the broker reports today's orders only)",
           f"closed as {status.label}: an order of {day} ends with its day; {filled} of {intent['volume']} "
           "shares recorded filled; the position check shows any fill not recorded; not re-sent")
    order = orders.adopt_silently(_intent_as_record(intent))
    order.traded_volume = filled
    orders.close_past_day_order(
        order, status, f"an order of {day}: ended with its trading day ({filled} of {intent['volume']} filled as "
        "recorded; the broker lists only today's orders)")


def _read_journal(audit_path: Path, mode: str, run_id: str) -> dict | None:
    if not Path(audit_path).exists():
        return None
    from ..audit import open_audit_db

    db = open_audit_db(audit_path)
    try:
        earlier = "SELECT run_id FROM runs WHERE mode = :mode AND run_id != :run"
        params = {"mode": mode, "run": run_id}
        intents = list(db.query(
            f"""SELECT i.ts, i.client_order_id, i.strategy, i.code, i.side, i.volume, i.price, i.price_type,
                       (SELECT u.status FROM order_updates u WHERE u.client_order_id = i.client_order_id
                        ORDER BY u.rowid DESC LIMIT 1) AS last_status,
                       (SELECT sum(f.volume) FROM fills f WHERE f.client_order_id = i.client_order_id) AS filled_volume
                FROM order_intents i WHERE i.run_id IN ({earlier}) AND i.external = 0""", params))
        open_intents = [i for i in intents if i["last_status"] not in _FINAL]
        trade_ids: dict[str, list[str]] = {}
        for row in db.query(f"SELECT client_order_id, trade_id FROM fills WHERE run_id IN ({earlier})", params):
            trade_ids.setdefault(row["client_order_id"], []).append(row["trade_id"])
        had_runs = next(db.query(f"SELECT count(*) AS n FROM runs WHERE run_id IN ({earlier})", params))["n"] > 0
        stop = next(db.query(
            f"""SELECT s.summary FROM run_stops s JOIN runs r ON r.run_id = s.run_id
                WHERE r.run_id IN ({earlier}) ORDER BY r.rowid DESC LIMIT 1""", params), None)
        last_run_stopped = next(db.query(
            f"""SELECT EXISTS(SELECT 1 FROM run_stops s WHERE s.run_id =
                   (SELECT run_id FROM runs WHERE run_id IN ({earlier}) ORDER BY rowid DESC LIMIT 1)) AS ok""",
            params))["ok"]
    finally:
        db.close()
    last_stop = json.loads(stop["summary"]) if stop and last_run_stopped and stop["summary"] else None
    return {"open_intents": open_intents, "trade_ids": trade_ids, "had_runs": had_runs, "last_stop": last_stop}


class _intent_as_record:
    """An XtOrder-shaped view of a journalled intent the broker never saw."""

    def __init__(self, intent: dict) -> None:
        self.order_remark = intent["client_order_id"]
        self.strategy_name = intent["strategy"]
        self.order_id = None
        self.stock_code = intent["code"]
        self.order_type = xtc.STOCK_BUY if intent["side"] == "buy" else xtc.STOCK_SELL
        self.order_volume = intent["volume"]
        self.price = float(intent["price"]) if intent["price"] else 0.0
        self.price_type = intent["price_type"]
        self.order_status = int(OrderStatus.UNREPORTED)
        self.order_sysid = ""
        self.traded_volume = 0
