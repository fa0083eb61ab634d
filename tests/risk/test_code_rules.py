"""risk_codes: allowed and blocked lists, ST and delisting-risk names, unknown instruments."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.builtin.risk.code_rules import CodeRulesPlugin, is_delisting_name, is_st_name
from engine.builtin.risk.settings import CodeRules, RiskSettings

from .conftest import CODE, detail, request

OTHER = "000001.SZ"


def plugin(**settings) -> CodeRulesPlugin:
    return CodeRulesPlugin(CodeRules(**settings))


def test_allowed_list(ctx):
    rules = plugin(allowed=[CODE], block_delisting_risk=False)
    assert rules.check_order(ctx, request(code=CODE)).allowed
    decision = rules.check_order(ctx, request(code=OTHER))
    assert (decision.allowed, decision.rule, decision.value) == (False, "allowed_codes", OTHER)


def test_blocked_list(ctx):
    rules = plugin(blocked=[OTHER], block_delisting_risk=False)
    assert rules.check_order(ctx, request(code=CODE)).allowed
    decision = rules.check_order(ctx, request(code=OTHER))
    assert (decision.allowed, decision.rule) == (False, "blocked_codes")
    assert "risk.codes.blocked" in decision.reason


@pytest.mark.parametrize("name, st, delisting", [
    ("ST华仪", True, False), ("*ST大集", True, True), ("SST前锋", True, False), ("S*ST 前锋", True, True),
    ("退市海润", False, True), ("海润退", False, True), ("浦发银行", False, False), ("STAR Chip", False, False),
    ("SYN Bank", False, False), ("ST SYN Holdings", True, False),
])
def test_name_marks(name, st, delisting):
    assert (is_st_name(name), is_delisting_name(name)) == (st, delisting)


@pytest.mark.parametrize("name, block_st, block_delisting, rule", [
    ("ST华仪", True, False, "st_stock"), ("ST华仪", False, True, None),
    ("*ST大集", False, True, "delisting_risk"), ("*ST大集", True, False, "st_stock"),
    ("退市海润", False, True, "delisting_risk"), ("浦发银行", True, True, None),
])
def test_st_and_delisting_risk_buys(ctx, name, block_st, block_delisting, rule):
    ctx.details[CODE] = detail(name)
    decision = plugin(block_st=block_st, block_delisting_risk=block_delisting).check_order(ctx, request())
    assert decision.allowed is (rule is None)
    if rule:
        assert decision.rule == rule and decision.value == name and name in decision.reason


def test_unknown_instrument_fails_closed_unless_configured(ctx):
    del ctx.details[CODE]
    decision = plugin().check_order(ctx, request())
    assert (decision.allowed, decision.rule) == (False, "unknown_instrument")
    assert plugin(deny_unknown_instruments=False).check_order(ctx, request()).allowed
    assert plugin(block_delisting_risk=False).check_order(ctx, request()).allowed  # no name rule: no lookup needed


def test_a_reducing_sell_of_a_blocked_st_code_passes(ctx):
    ctx.details[CODE] = detail("*ST大集")
    ctx.hold(CODE, 300)
    rules = plugin(blocked=[CODE], block_st=True)
    decision = rules.check_order(ctx, request(side="sell", volume=300))
    assert decision.allowed and "code rules do not apply" in decision.reason
    assert not rules.check_order(ctx, request(side="sell", volume=400)).allowed  # beyond the sellable volume


def test_codes_in_config_are_validated_with_their_position():
    with pytest.raises(ValidationError) as excinfo:
        RiskSettings.model_validate({"codes": {"blocked": [CODE, "600000"]}})
    error = excinfo.value.errors()[0]
    assert error["loc"] == ("codes", "blocked", 1) and "600000" in error["msg"]
