"""A small realistic trading day, written through the real AuditWriter (used by query and doc tests).

Run ``live-1`` (account 8800001234):
  c-1 allowed by two rules, filled in two parts (200 @ 10.50, 100 @ 10.52)
  c-2 denied by max_order_value (60000.00 > 50000.00)
  c-3 rejected by the broker (废单)
  c-4 partly filled (100 @ 9.80), cancelled; one cancel error arrives without a client id
  a strategy fails twice in on_tick and is faulted; the connection drops and comes back
Run ``live-2`` (same account, restarted the same day) re-reads c-4's fill T3 and sees c-4 final.
Run ``paper-1`` (paper) has its own fill numbered T1, which is not a repeat of the live T1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.audit import AuditWriter

from .conftest import EventFactory


def _day_one(ev: EventFactory) -> list:
    order = {"strategy": "ma_cross", "code": "600000.SH", "side": "buy"}
    return [
        ev("run_started", mode="live", account="8800001234"),
        ev("connection", kind="connected", session_id=1),
        ev("equity_mark", kind="start", cash="1000000.00", market_value="0.00", total_asset="1000000.00",
           positions="{}"),
        # c-1: allowed, two fills
        ev("risk_decision", client_order_id="c-1", volume=300, price="10.50", allowed=True,
           rule="max_order_value", value="3150.00", limit="50000.00", **order),
        ev("risk_decision", client_order_id="c-1", volume=300, price="10.50", allowed=True,
           rule="lot_size", plugin="default_risk", value=300, limit=100, **order),
        ev("order_intent", client_order_id="c-1", volume=300, price="10.50", **order),
        ev("order_submitted", client_order_id="c-1", request_seq=1, result=1),
        ev("order_update", client_order_id="c-1", order_id=1001, status=50, status_label="reported",
           previous_status=48, traded_volume=0),
        ev("fill", trade_id="T1", client_order_id="c-1", order_id=1001, price="10.50", volume=200,
           amount="2100.00", commission="5.00", **order),
        ev("order_update", client_order_id="c-1", order_id=1001, status=55, status_label="partly filled",
           previous_status=50, traded_volume=200),
        ev("fill", trade_id="T2", client_order_id="c-1", order_id=1001, price="10.52", volume=100,
           amount="1052.00", commission="5.00", **order),
        ev("order_update", client_order_id="c-1", order_id=1001, status=56, status_label="filled",
           previous_status=55, traded_volume=300),
        # c-2: denied
        ev("risk_decision", client_order_id="c-2", volume=6000, price="10.00", allowed=True,
           rule="lot_size", value=6000, limit=100, **order),
        ev("risk_decision", client_order_id="c-2", volume=6000, price="10.00", allowed=False,
           rule="max_order_value", reason="order value 60000.00 > 50000.00", value="60000.00",
           limit="50000.00", **order),
        ev("order_denied", client_order_id="c-2", volume=6000, price="10.00", rule="max_order_value",
           plugin="default_risk", reason="order value 60000.00 > 50000.00", **order),
        # c-3: broker rejection
        ev("order_intent", client_order_id="c-3", volume=100, price="10.40", **order),
        ev("order_submitted", client_order_id="c-3", request_seq=2, result=2),
        ev("order_update", client_order_id="c-3", order_id=1003, status=57, status_label="rejected",
           previous_status=48, traded_volume=0, status_msg="资金不足"),
        ev("order_error", client_order_id="c-3", order_id=1003, error_id=-61, error_msg="资金不足"),
        # a strategy keeps failing
        ev("plugin_error", plugin="bad_strategy", consecutive_failures=1, faulted=False),
        ev("plugin_error", plugin="bad_strategy", consecutive_failures=2, faulted=True),
        # c-4: partial fill, cancel
        ev("order_intent", client_order_id="c-4", code="000001.SZ", volume=500, price="9.80",
           strategy="ma_cross", side="buy"),
        ev("order_submitted", client_order_id="c-4", request_seq=3, result=3),
        ev("order_update", client_order_id="c-4", order_id=1004, status=50, status_label="reported",
           previous_status=48, traded_volume=0),
        ev("fill", trade_id="T3", client_order_id="c-4", order_id=1004, code="000001.SZ", price="9.80",
           volume=100, amount="980.00", commission="5.00", strategy="ma_cross", side="buy"),
        ev("order_update", client_order_id="c-4", order_id=1004, status=55, status_label="partly filled",
           previous_status=50, traded_volume=100),
        ev("cancel_request", client_order_id="c-4", order_id=1004, result=0),
        ev("cancel_error", client_order_id=None, order_id=1004, error_id=-1, error_msg="cancel pending"),
        ev("connection", kind="disconnected", detail="heartbeat lost"),
        ev("connection", kind="reconnecting"),
        ev("connection", kind="reconnected", session_id=2),
        ev("trading_state", scope="account", previous="ACTIVE", current="HALTED", cause="reconnect"),
        ev("job_run", job="close_out", target="ma_cross", outcome="ok"),
        ev("equity_mark", kind="close", cash="995853.00", market_value="4119.00", total_asset="999972.00",
           positions='{"000001.SZ":{"volume":100,"price":"9.75"},"600000.SH":{"volume":300,"price":"10.48"}}'),
        ev("run_stopped", reason="signal", summary={"orders": 3}),
    ]


def _restart(ev: EventFactory) -> list:
    return [
        ev("run_started", mode="live", account="8800001234"),
        ev("fill", trade_id="T3", client_order_id="c-4", order_id=1004, code="000001.SZ", price="9.80",
           volume=100, amount="980.00", commission="5.00", strategy="ma_cross", side="buy"),
        ev("order_update", client_order_id="c-4", order_id=1004, status=53, status_label="partly cancelled",
           previous_status=55, traded_volume=100),
    ]


def _paper(ev: EventFactory) -> list:
    return [
        ev("run_started", mode="paper", account="SIM"),
        ev("order_intent", client_order_id="p-1", volume=100, price="10.50"),
        ev("fill", trade_id="T1", client_order_id="p-1", price="10.50", volume=100, amount="1050.00",
           commission="5.00"),
    ]


def write_trading_day(path: Path) -> None:
    """Write the three runs described in the module docstring to ``path``."""
    with AuditWriter(path, flush_interval=0.05) as audit:
        start = dt.datetime(2025, 1, 2, 9, 30)
        for run_id, build, offset in (("live-1", _day_one, 0), ("live-2", _restart, 3), ("paper-1", _paper, 4)):
            for event in build(EventFactory(run_id, start + dt.timedelta(hours=offset))):
                audit.track_event(event)


def _buy_day(ev: EventFactory) -> list:
    s1 = {"strategy": "s1", "code": "600000.SH", "side": "buy"}
    s2 = {"strategy": "s2", "code": "000001.SZ", "side": "buy"}
    return [
        ev("run_started", mode="live", account="8800001234"),
        ev("order_intent", client_order_id="a-1", volume=300, price="10.00", **s1),
        ev("order_update", client_order_id="a-1", order_id=2001, status=56, status_label="filled",
           previous_status=50, traded_volume=300),
        ev("fill", trade_id="D1", client_order_id="a-1", order_id=2001, price="10.00", volume=300,
           amount="3000.00", commission="5.00", **s1),
        ev("order_intent", client_order_id="a-2", volume=100, price="9.00", **s2),
        ev("fill", trade_id="D2", client_order_id="a-2", order_id=2002, price="9.00", volume=100,
           amount="900.00", commission="5.00", **s2),
        ev("order_update", client_order_id="a-2", order_id=2002, status=56, status_label="filled",
           previous_status=50, traded_volume=100),
        ev("run_stopped", reason="completed"),
    ]


def _sell_day(ev: EventFactory) -> list:
    s1 = {"strategy": "s1", "code": "600000.SH", "side": "sell"}
    s2 = {"strategy": "s2", "code": "000001.SZ", "side": "sell"}
    return [
        ev("run_started", mode="live", account="8800001234"),
        ev("order_intent", client_order_id="b-1", volume=200, price="10.50", **s1),
        ev("fill", trade_id="E1", client_order_id="b-1", order_id=3001, price="10.50", volume=200,
           amount="2100.00", commission="5.50", **s1),
        ev("order_update", client_order_id="b-1", order_id=3001, status=56, status_label="filled",
           previous_status=50, traded_volume=200),
        # sells more than the audit saw bought: 200 of the 300 have no known cost
        ev("order_intent", client_order_id="b-2", volume=300, price="9.50", **s2),
        ev("fill", trade_id="E2", client_order_id="b-2", order_id=3002, price="9.50", volume=300,
           amount="2850.00", commission="5.00", **s2),
        ev("order_update", client_order_id="b-2", order_id=3002, status=56, status_label="filled",
           previous_status=50, traded_volume=300),
        ev("order_intent", client_order_id="b-3", volume=100, price="9.40", **s2),
        ev("order_update", client_order_id="b-3", order_id=3003, status=57, status_label="rejected",
           previous_status=48, traded_volume=0),
        ev("order_intent", client_order_id="b-4", volume=100, price="9.30", **s2),
        ev("order_denied", client_order_id="b-5", volume=9000, price="9.30", rule="max_order_value",
           plugin="default_risk", reason="too big", **s2),
    ]


def write_two_days(path: Path) -> None:
    """Run ``day-1`` buys on 2025-01-02; run ``day-2`` (same account) sells on 2025-01-03.

    Day 2's realised P&L at average cost (fees in the cost and out of the proceeds):
    s1 sells 200 of 300 bought for 3005.00: 2094.50 - 2003.3333 = 91.17;
    s2 sells 300 but only 100 were bought for 905.00: 100/300 of 2845.00 - 905.00 = 43.33,
    200 unmatched. Orders: b-1, b-2 filled, b-3 rejected, b-4 without a broker status; b-5 denied.
    """
    with AuditWriter(path, flush_interval=0.05) as audit:
        for run_id, build, start in (("day-1", _buy_day, dt.datetime(2025, 1, 2, 9, 30)),
                                     ("day-2", _sell_day, dt.datetime(2025, 1, 3, 9, 30))):
            for event in build(EventFactory(run_id, start)):
                audit.track_event(event)
