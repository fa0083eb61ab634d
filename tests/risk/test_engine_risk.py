"""The risk plugins inside a real paper engine: simulator, replay, SQLite audit database.

Each test writes its own tick file, so the market does exactly what the scenario needs,
and reads the outcome back from the audit database as an operator would.
"""

from __future__ import annotations

import datetime as dt

from engine import hookimpl
from engine.audit import open_audit_db, queries
from engine.marketdata import TickFileWriter
from engine.models import TradingState
from engine.sim import make_tick

from .conftest import CODE

DAY = dt.date(2026, 3, 10)


def at(hms: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(hms))


def write_ticks(folder, prices):
    """One tick every 3 s from 10:00:00 at each price in ``prices`` (ask = last, bid one tick lower)."""
    folder.mkdir(exist_ok=True)
    (folder / "instruments.csv").write_text("code,name,kind,listing_date,is_st,t0\n"
                                            f"{CODE},SYN Bank,stock,1999-11-10,0,0\n")
    start = at("10:00:00")
    with TickFileWriter(folder / "ticks-2026-03-10.csv") as writer:
        for i, price in enumerate(prices):
            when = start + dt.timedelta(seconds=3 * i)
            writer.write(CODE, make_tick(when, price, pre_close=10.0, asks=[(price, 500)],
                                         bids=[(round(price - 0.01, 2), 500)]))
    return folder


class Script:
    """Runs ``steps[i](ctx, tick)`` on the i-th tick and keeps what each call returned."""

    def __init__(self, *steps):
        self.steps, self.results, self.ticks = list(steps), [], 0

    @hookimpl
    def on_tick(self, ctx, tick):
        if self.ticks < len(self.steps):
            self.results.append(self.steps[self.ticks](ctx, tick))
        self.ticks += 1


class Exploding:
    @hookimpl
    def check_order(self, request):
        raise RuntimeError("limits service unreachable")


def test_a_denial_is_in_the_audit_with_rule_value_limit_and_reason(risk_engine, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [10.0] * 3)
    script = Script(lambda ctx, t: ctx.buy(CODE, 60_000, 10.0),     # 600,000 CNY > 500,000
                    lambda ctx, t: ctx.buy(CODE, 1_000, 10.0))
    risk_engine(data, plugins=[("trader", script)]).run()
    denied, sent = script.results
    assert denied is None and sent is not None

    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"]) == ("max_order_value", "risk_order")
    assert denial["reason"] == "order value 600000.00 CNY exceeds 500000 CNY"
    [row] = audit_rows("risk_decisions", "allowed = 0")
    assert (row["rule"], row["plugin"], row["value"], row["limit_value"]) == ("max_order_value", "risk_order", "600000.00", "500000")

    # every family answered both orders, allowed answers included
    plugins = {(r["client_order_id"], r["plugin"]) for r in audit_rows("risk_decisions", "allowed = 1")}
    for plugin in ("risk_codes", "risk_exposure", "risk_flow", "risk_loss"):
        assert (denial["client_order_id"], plugin) in plugins and (sent.client_order_id, plugin) in plugins

    # what `qmt-engine audit denials` and `qmt-engine audit order <id>` show
    db = open_audit_db(tmp_path / "audit.db", create=False)
    try:
        [listed] = queries.denials(db)
        assert (listed["rule"], listed["value"], listed["limit_value"]) == ("max_order_value", "600000.00", "500000")
        story = [item["event"] for item in queries.order_story(db, denial["client_order_id"])]
        assert story.count("risk_decision") == 5 and story[-1] == "order_denied"
    finally:
        db.close()


def test_a_reducing_sell_passes_while_the_exposure_limit_is_exceeded(risk_engine, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [10.0] * 3)
    script = Script(lambda ctx, t: ctx.buy(CODE, 100, 10.0),        # adds to a position already over the limit
                    lambda ctx, t: ctx.sell(CODE, 500, 9.99))        # reduces it
    engine = risk_engine(data, settings={"exposure": {"max_position_value_per_code": 5000}},
                         paper="positions: [{code: 600000.SH, volume: 1000, avg_price: 10}]\n",
                         plugins=[("trader", script)])
    engine.run()
    buy, sell = script.results
    assert buy is None and sell is not None
    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"]) == ("max_position_value_per_code", "risk_exposure")
    [allowed] = audit_rows("risk_decisions", f"client_order_id = '{sell.client_order_id}' AND plugin = 'risk_exposure'")
    assert allowed["allowed"] == 1 and "exposure limits do not apply" in allowed["reason"]
    assert [r["client_order_id"] for r in audit_rows("order_intents")] == [sell.client_order_id]
    assert engine.ledger.positions[CODE].volume == 500


def test_the_loss_limit_moves_trading_to_reducing_once_and_records_why(risk_engine, audit_rows, tmp_path):
    # 10,000 shares held; the price falls from 10.00 to 9.40: a 6,000 CNY loss
    data = write_ticks(tmp_path / "data", [10.0, 9.7, 9.4, 9.4, 9.4, 9.4, 9.4])
    buy_more = lambda ctx, t: ctx.buy(CODE, 100, t.last_price)          # noqa: E731
    script = Script(lambda ctx, t: None, lambda ctx, t: None, buy_more, buy_more, buy_more,
                    lambda ctx, t: ctx.sell(CODE, 1_000, t.last_price - 0.01))
    engine = risk_engine(data, settings={"loss": {"max_daily_loss": 5000, "max_daily_loss_pct": None}},
                         paper="positions: [{code: 600000.SH, volume: 10000, avg_price: 10}]\n",
                         plugins=[("trader", script)])
    engine.run()
    *buys, sell = script.results[2:]
    assert buys == [None, None, None] and sell is not None

    [change] = audit_rows("trading_states")
    assert (change["scope"], change["previous"], change["current"]) == ("account", "ACTIVE", "REDUCING")
    assert change["cause"].startswith("risk_loss: daily_loss_account: the account has lost")
    assert "over the daily loss limit of 5000 CNY" in change["cause"]
    assert engine.account_state is TradingState.REDUCING

    denials = audit_rows("order_denials")
    assert len(denials) == 3
    loss_denials = audit_rows("risk_decisions", "allowed = 0 AND plugin = 'risk_loss'")
    assert len(loss_denials) == 3 and all(r["rule"] == "daily_loss_account" for r in loss_denials)
    assert all((r["value"], r["limit_value"]) == ("6000.00", "5000") for r in loss_denials)
    assert [r["client_order_id"] for r in audit_rows("order_intents")] == [sell.client_order_id]


def test_a_risk_plugin_that_raises_denies_the_order_and_is_named(risk_engine, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [10.0] * 2)
    script = Script(lambda ctx, t: ctx.buy(CODE, 100, 10.0))
    risk_engine(data, plugins=[("limits_service", Exploding()), ("trader", script)]).run()
    assert script.results == [None]
    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"]) == ("plugin_error", "limits_service")
    assert "RuntimeError: limits service unreachable" in denial["reason"]
    built_in = audit_rows("risk_decisions", "plugin LIKE 'risk_%'")
    assert len(built_in) == 5 and all(r["allowed"] for r in built_in)     # only the raising plugin denied
    assert audit_rows("order_intents") == []


def test_rate_limit_counts_what_left_the_engine_cancels_included(risk_engine, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [10.0] * 3)

    def burst(ctx, tick):
        first = ctx.buy(CODE, 100, 9.90)              # rests below the market
        ctx.cancel(first)
        return first, ctx.buy(CODE, 200, 9.90), ctx.buy(CODE, 300, 9.90)

    script = Script(burst, lambda ctx, t: ctx.buy(CODE, 300, 9.90))    # 3 s later: the window has moved on
    risk_engine(data, settings={"flow": {"max_orders_and_cancels_per_second": 3}},
                plugins=[("trader", script)]).run()
    (first, second, third), later = script.results
    assert first is not None and second is not None and third is None and later is not None
    [denial] = audit_rows("order_denials")
    [row] = audit_rows("risk_decisions", "allowed = 0")
    assert (denial["rule"], row["value"], row["limit_value"]) == ("orders_per_second", "4", "3")
    assert "3 orders and cancels were sent in the last second" in denial["reason"]


def test_self_trade_prevention_between_two_strategies(risk_engine, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [10.0] * 3)
    seller = Script(lambda ctx, t: ctx.sell(CODE, 100, 10.05))          # rests above the market
    buyer = Script(lambda ctx, t: None, lambda ctx, t: ctx.buy(CODE, 100, 10.05))
    risk_engine(data, paper="positions: [{code: 600000.SH, volume: 1000, avg_price: 10}]\n",
                plugins=[("seller", seller), ("buyer", buyer)]).run()
    assert seller.results[0] is not None and buyer.results[1] is None
    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"], denial["strategy"]) == ("self_trade", "risk_flow", "buyer")
    assert seller.results[0].client_order_id in denial["reason"]
