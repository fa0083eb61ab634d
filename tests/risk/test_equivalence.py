"""The rewritten (fast) risk rules decide exactly as the rules before the rewrite did.

``tests/risk/reference/`` holds the five families as they were before issue #8,
unchanged. Hypothesis builds random accounts, positions, open orders, prices,
instrument details, settings and requests; both versions answer, and the
answers must be identical: allowed, rule, reason, value and limit (same type
and same text, since the audit stores ``str(value)``), and for the loss rules
the same trading-state changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.builtin.risk import code_rules, exposure_rules, flow_rules, loss_rules, order_rules
from engine.builtin.risk.settings import CodeRules, ExposureLimits, FlowLimits, LossLimits, OrderLimits
from engine.models import Account, Order, OrderRequest, OrderStatus, Position, Side
from engine.xt import constants as xtc

from .conftest import FakeCtx, cancel, intent
from .reference import code_rules as ref_code_rules
from .reference import exposure_rules as ref_exposure_rules
from .reference import flow_rules as ref_flow_rules
from .reference import loss_rules as ref_loss_rules
from .reference import order_rules as ref_order_rules

NOW = dt.datetime(2026, 3, 10, 10, 0, 0)
#: main board (most often), STAR, ChiNext, BSE, a bond, an ETF (0.001 tick), an index, a code no board knows
CODES = ["600000.SH"] * 6 + ["688981.SH", "300750.SZ", "920001.BJ", "113050.SH", "510300.SH", "000300.SH", "999999.SZ"]
STRATEGIES = ["alpha", "beta"]
#: values sit on and around the limits below, so boundaries are hit often
PRICES = ["10.00", "10.50", "11.00", "9.00", "10.51", "9.50", "10.01", "10.005", "11.01", "8.99", "0.01", "1000.00"]
LAST = [10.0, 10.0, 10.5, 9.5, 0.0, 10.01, 1000.0]
NAMES = ["SYN Bank"] * 4 + ["ST Foo", "*ST Bar", "S*ST Baz", "退市 Qux", "STAR Tech", "", None]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.sampled_from([Decimal(x) for x in ("0", "1000", "10000", "100000", "500000", "1000000", "2000000", "999.99",
                                              "-5000", "-60000", "-50000", "12345.678")])
optional_money = st.none() | st.sampled_from([Decimal(x) for x in ("1000", "10000", "50000", "100000", "500000", "1050")])
volumes = st.sampled_from([100, 100, 200, 1000, 150, 99, 201, 10, 15, 50, 5000, 50_001, 100_001, 300_001, 1_000_001])


@st.composite
def requests(draw) -> OrderRequest:
    market = draw(st.integers(0, 5)) == 0
    price = None if market else Decimal(draw(st.sampled_from(PRICES)))
    return OrderRequest(client_order_id=f"r{draw(st.integers(1, 10_000))}", strategy=draw(st.sampled_from(STRATEGIES)),
                        code=draw(st.sampled_from(CODES)), side=draw(st.sampled_from([Side.BUY, Side.BUY, Side.SELL])),
                        volume=draw(volumes), price=price,
                        price_type=xtc.MARKET_SH_CONVERT_5_CANCEL if market else xtc.FIX_PRICE, created_at=NOW)


@st.composite
def orders(draw) -> Order:
    price = draw(st.none() | st.sampled_from(PRICES))
    volume = draw(volumes)
    return Order(client_order_id=f"o{draw(st.integers(1, 10_000))}", strategy=draw(st.sampled_from(STRATEGIES + ["ext"])),
                 code=draw(st.sampled_from(CODES)), side=draw(st.sampled_from([Side.BUY, Side.SELL])), volume=volume,
                 price=None if price is None else Decimal(price), price_type=xtc.FIX_PRICE,
                 status=draw(st.sampled_from([OrderStatus.REPORTED, OrderStatus.PART_SUCC, OrderStatus.CANCELED,
                                              OrderStatus.JUNK, OrderStatus.SUCCEEDED, OrderStatus.UNREPORTED])),
                 traded_volume=draw(st.sampled_from([0, 0, volume // 2, volume])))


@st.composite
def scenarios(draw, focus: OrderRequest | None = None) -> dict:
    """Everything a ctx shows, as plain data (each side of the comparison gets its own ctx built from it).

    With ``focus``, the account often holds that request's code, with a sellable volume at or near its volume.
    """
    details = {}
    for code in set(CODES):
        if draw(st.integers(0, 6)) == 0:
            continue  # no instrument details for this code
        detail = {"UpStopPrice": draw(st.sampled_from([11.0, 11.0, 10.5, 0.0, 1100.0])),
                  "DownStopPrice": draw(st.sampled_from([9.0, 9.0, 9.5, 0.0])),
                  "PreClose": draw(st.sampled_from([10.0, 10.0, 0.0, 10.5])),
                  "PriceTick": draw(st.sampled_from([0.01, 0.01, 0.0, 0.001, 0.05])),
                  "InstrumentName": draw(st.sampled_from(NAMES))}
        if draw(st.integers(0, 4)) == 0:
            del detail[draw(st.sampled_from(sorted(detail)))]
        details[code] = detail
    held = {code: (draw(volumes), draw(st.sampled_from([0, 50]) | volumes), draw(st.sampled_from(PRICES)),
                   draw(st.sampled_from(LAST)))
            for code in draw(st.lists(st.sampled_from(CODES), unique=True, max_size=3))}
    if focus is not None and draw(st.integers(0, 3)):
        sellable = max(0, focus.volume + draw(st.sampled_from([0, 0, -1, 1, -100, 100])))
        held[focus.code] = (sellable + draw(st.sampled_from([0, 0, 100])), sellable, draw(st.sampled_from(PRICES)),
                            draw(st.sampled_from(LAST)))
    return {
        "cash": draw(money), "frozen": draw(money), "pnl_today": draw(money), "held": held,
        "orders": draw(st.lists(orders(), max_size=6)), "details": details,
        "prices": {code: draw(st.sampled_from(LAST)) for code in set(CODES) if draw(st.integers(0, 3))},
        "exposure": {s: draw(money) for s in STRATEGIES}, "pnl": {s: draw(money) for s in STRATEGIES},
    }


def make_ctx(scenario: dict, now: dt.datetime = NOW) -> FakeCtx:
    ctx = FakeCtx(now)
    ctx.account = Account("T0001", cash=scenario["cash"], frozen_cash=scenario["frozen"])
    ctx.account_pnl_today = scenario["pnl_today"]
    for code, (volume, sellable, avg, last) in scenario["held"].items():
        ctx.held[code] = Position(code=code, volume=volume, can_use_volume=min(volume, sellable),
                                  avg_price=Decimal(avg), last_price=last)
    ctx.account.market_value = sum((p.market_value for p in ctx.held.values()), Decimal(0))
    for order in scenario["orders"]:
        ctx.orders[order.client_order_id] = order
    ctx.details = {code: dict(d) for code, d in scenario["details"].items()}
    ctx.prices = dict(scenario["prices"])
    ctx.exposure = dict(scenario["exposure"])
    ctx.pnl = dict(scenario["pnl"])
    return ctx


def shown(decision) -> tuple:
    """Everything the audit records of a decision, with the value and limit types."""
    return (decision.allowed, decision.rule, decision.reason, decision.plugin, decision.value, decision.limit,
            type(decision.value), type(decision.limit), str(decision.value), str(decision.limit))


def same(fast, reference, scenario: dict, request: OrderRequest) -> None:
    """Both plugins answer ``request`` on their own ctx; answers (and state changes) must be identical."""
    fast_ctx, reference_ctx = make_ctx(scenario), make_ctx(scenario)
    assert shown(fast.check_order(fast_ctx, request)) == shown(reference.check_order(reference_ctx, request))
    assert fast_ctx.state_changes == reference_ctx.state_changes


def one_at_a_time(off: dict, drawn: dict) -> list[dict]:
    """Settings with every check off but one (for each drawn check), then all drawn checks together:
    a check is compared even when an earlier one would deny the request first."""
    return [{**off, key: value} for key, value in drawn.items()] + [drawn]


@SETTINGS
@given(request=requests(), data=st.data())
def test_order_rules(request, data):
    scenario = data.draw(scenarios(request))
    off = dict(max_order_value=None, max_order_volume=None, check_exchange_max_volume=False, price_band_pct=None,
               check_limit_prices=False, check_lots=False, check_ticks=False, check_sellable=False)
    drawn = dict(
        max_order_value=data.draw(optional_money), max_order_volume=data.draw(st.sampled_from([100, 1000, 100_000])),
        check_exchange_max_volume=True,
        price_band_pct=data.draw(st.sampled_from([Decimal("0.05"), Decimal("0.1"), Decimal("0.001")])),
        check_limit_prices=True, check_lots=True, check_ticks=True, check_sellable=True)
    for limits in one_at_a_time(off, drawn):
        fast, reference = order_rules.OrderRules(OrderLimits(**limits)), ref_order_rules.OrderRules(OrderLimits(**limits))
        same(fast, reference, scenario, request)
        same(fast, reference, scenario, request)  # again: whatever the fast rule caches gives the same answer


@SETTINGS
@given(request=requests(), data=st.data())
def test_code_rules(request, data):
    scenario = data.draw(scenarios(request))
    off = dict(allowed=None, blocked=[], block_st=False, block_delisting_risk=False, deny_unknown_instruments=False)
    drawn = dict(allowed=data.draw(st.lists(st.sampled_from(sorted(set(CODES[:-2]))), unique=True)),
                 blocked=data.draw(st.lists(st.sampled_from(sorted(set(CODES[:-2]))), unique=True, max_size=2)),
                 block_st=True, block_delisting_risk=True, deny_unknown_instruments=True)
    for rules in [*one_at_a_time(off, drawn), {**drawn, "deny_unknown_instruments": False}, {**off, "block_st": True}]:
        same(code_rules.CodeRulesPlugin(CodeRules(**rules)), ref_code_rules.CodeRulesPlugin(CodeRules(**rules)),
             scenario, request)


@SETTINGS
@given(request=requests(), data=st.data())
def test_exposure_rules(request, data):
    scenario = data.draw(scenarios(request))
    off = dict(max_position_value_per_code=None, max_position_value_per_strategy=None, max_account_position_value=None,
               max_gross_exposure_pct=None, max_open_orders=None)
    drawn = dict(
        max_position_value_per_code=data.draw(optional_money), max_position_value_per_strategy=data.draw(optional_money),
        max_account_position_value=data.draw(optional_money),
        max_gross_exposure_pct=data.draw(st.sampled_from([Decimal("1.0"), Decimal("0.5"), Decimal("2"), Decimal("0.01")])),
        max_open_orders=data.draw(st.integers(1, 6)))
    for limits in [*one_at_a_time(off, drawn), off]:
        same(exposure_rules.ExposureRules(ExposureLimits(**limits)),
             ref_exposure_rules.ExposureRules(ExposureLimits(**limits)), scenario, request)


@SETTINGS
@given(scenario=scenarios(), requests_=st.lists(requests(), min_size=1, max_size=4), data=st.data())
def test_loss_rules(scenario, requests_, data):
    limits = LossLimits(
        max_daily_loss=data.draw(optional_money),
        max_daily_loss_pct=data.draw(st.none() | st.sampled_from([Decimal("0.05"), Decimal("0.01"), Decimal("0.5")])),
        max_daily_loss_per_strategy=data.draw(optional_money),
        strategy_limits=data.draw(st.dictionaries(st.sampled_from(STRATEGIES), optional_money.filter(bool), max_size=1)),
        action=data.draw(st.sampled_from(["REDUCING", "HALTED"])))
    fast, reference = loss_rules.LossRules(limits, ["alpha"]), ref_loss_rules.LossRules(limits, ["alpha"])
    fast_ctx, reference_ctx = make_ctx(scenario), make_ctx(scenario)
    for request in requests_:  # a breach trips the state once per day, whatever the order count
        assert shown(fast.check_order(fast_ctx, request)) == shown(reference.check_order(reference_ctx, request))
        fast.on_heartbeat(fast_ctx)
        reference.on_heartbeat(reference_ctx)
        assert fast_ctx.state_changes == reference_ctx.state_changes


@SETTINGS
@given(scenario=scenarios(), requests_=st.lists(requests(), min_size=1, max_size=5), data=st.data())
def test_flow_rules(scenario, requests_, data):
    limits = FlowLimits(
        max_orders_and_cancels_per_second=data.draw(st.none() | st.integers(1, 4)),
        max_orders_and_cancels_per_day=data.draw(st.none() | st.integers(1, 6)),
        duplicate_window_seconds=data.draw(st.none() | st.sampled_from([0.5, 2.0, 60.0])),
        duplicate_per_strategy=data.draw(st.booleans()), prevent_self_trade=data.draw(st.booleans()))
    fast, reference = flow_rules.FlowRules(limits), ref_flow_rules.FlowRules(limits)
    fast_ctx, reference_ctx = make_ctx(scenario), make_ctx(scenario)
    when = NOW
    for request in requests_:
        when += dt.timedelta(milliseconds=data.draw(st.sampled_from([0, 1, 300, 999, 1000, 1001, 2500, 86_400_000])))
        fast_ctx.now = reference_ctx.now = when
        assert shown(fast.check_order(fast_ctx, request)) == shown(reference.check_order(reference_ctx, request))
        sent = data.draw(st.sampled_from(["intent", "external", "cancel", "nothing"]))
        if sent == "nothing":
            continue
        event = cancel(when) if sent == "cancel" else intent(request, when, external=sent == "external")
        fast.track_event(event)
        reference.track_event(event)
        if sent == "intent" and data.draw(st.booleans()):  # the earlier order is on the book, maybe withdrawn since
            order = data.draw(orders())
            order.client_order_id = request.client_order_id
            fast_ctx.orders[order.client_order_id] = reference_ctx.orders[order.client_order_id] = order
