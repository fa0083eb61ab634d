"""risk_loss: daily loss limits deny opening orders and move the trading state once per day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.builtin.risk.loss_rules import LossRules
from engine.builtin.risk.settings import LossLimits, RiskSettings
from engine.events import OrderIntent

from .conftest import CODE, NOW, request

NONE = dict(max_daily_loss=None, max_daily_loss_pct=None, max_daily_loss_per_strategy=None)


def rules(strategies=(), **on) -> LossRules:
    return LossRules(LossLimits(**{**NONE, **on}), strategies)


@pytest.mark.parametrize("pnl, allowed", [("-10000", True), ("-9999.99", True), ("-10000.01", False), ("500", True)])
def test_account_loss_in_cny(ctx, pnl, allowed):
    ctx.account_pnl_today = Decimal(pnl)
    decision = rules(max_daily_loss=Decimal("10000")).check_order(ctx, request())
    assert decision.allowed is allowed
    assert (decision.value, decision.limit) == (-Decimal(pnl), Decimal("10000"))
    if not allowed:
        assert decision.rule == "daily_loss_account" and "10000.01 CNY today" in decision.reason
        assert ctx.state_changes == [("REDUCING", f"daily_loss_account: {decision.reason}", None)]
    else:
        assert ctx.state_changes == []


@pytest.mark.parametrize("pnl, allowed", [("-50000", True), ("-49999", True), ("-50001", False)])
def test_account_loss_as_a_fraction_of_the_days_start(ctx, pnl, allowed):
    ctx.account_pnl_today = Decimal(pnl)
    ctx.account.cash = Decimal("1000000") + Decimal(pnl)          # started the day at 1,000,000
    decision = rules(max_daily_loss_pct=Decimal("0.05")).check_order(ctx, request())
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == ("daily_loss_account_pct", Decimal("0.0500"), Decimal("0.05"))
        assert "5.00%" in decision.reason  # 0.050001 is shown rounded, compared exact


@pytest.mark.parametrize("pnl, allowed", [("-2000", True), ("-1999.99", True), ("-2000.01", False)])
def test_strategy_loss(ctx, pnl, allowed):
    ctx.pnl["alpha"] = Decimal(pnl)
    plugin = rules(max_daily_loss_per_strategy=Decimal("2000"))
    decision = plugin.check_order(ctx, request(strategy="alpha"))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "daily_loss_strategy" and "strategy 'alpha'" in decision.reason
        assert [(s, strategy) for s, _, strategy in ctx.state_changes] == [("REDUCING", "alpha")]
    assert plugin.check_order(ctx, request(strategy="beta")).allowed  # another strategy is not affected


def test_per_strategy_overrides(ctx):
    ctx.pnl.update(alpha=Decimal("-600"), beta=Decimal("-600"))
    plugin = rules(max_daily_loss_per_strategy=Decimal("1000"), strategy_limits={"alpha": Decimal("500")})
    assert not plugin.check_order(ctx, request(strategy="alpha")).allowed
    assert plugin.check_order(ctx, request(strategy="beta")).allowed


def test_the_state_changes_once_per_day_not_on_every_order(ctx):
    ctx.account_pnl_today = Decimal("-20000")
    plugin = rules(max_daily_loss=Decimal("10000"), action="HALTED")
    for _ in range(3):
        assert not plugin.check_order(ctx, request()).allowed
    plugin.on_heartbeat(ctx)
    assert [(s, strategy) for s, _, strategy in ctx.state_changes] == [("HALTED", None)]
    ctx.now = NOW + dt.timedelta(days=1)                           # still losing tomorrow: trips again, once
    plugin.check_order(ctx, request())
    plugin.check_order(ctx, request())
    assert len(ctx.state_changes) == 2


def test_a_reducing_sell_passes_beyond_the_limit_and_still_trips_the_state(ctx):
    ctx.hold(CODE, 500)
    ctx.account_pnl_today = Decimal("-20000")
    decision = rules(max_daily_loss=Decimal("10000")).check_order(ctx, request(side="sell", volume=500))
    assert decision.allowed and "loss limits do not apply" in decision.reason and "20000.00" in decision.reason
    assert len(ctx.state_changes) == 1


def test_the_heartbeat_looks_at_configured_and_active_strategies(ctx):
    plugin = rules(strategies=["alpha"], max_daily_loss_per_strategy=Decimal("100"))
    plugin.track_event(OrderIntent(client_order_id="c1", strategy="gamma", code=CODE, side="buy", volume=100,
                                   price="10.00", price_type=11))
    ctx.pnl.update(alpha=Decimal("-101"), gamma=Decimal("-101"), quiet=Decimal("-101"))
    plugin.on_heartbeat(ctx)
    assert sorted(strategy for _, _, strategy in ctx.state_changes) == ["alpha", "gamma"]


def test_no_limit_configured(ctx):
    ctx.account_pnl_today = Decimal("-1e9")
    assert rules().check_order(ctx, request()).allowed and ctx.state_changes == []


def test_settings_reject_a_non_positive_strategy_limit():
    with pytest.raises(ValueError, match="strategy 'alpha': the loss limit must be greater than 0"):
        RiskSettings.model_validate({"loss": {"strategy_limits": {"alpha": 0}}})
