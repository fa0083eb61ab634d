"""Plugins cannot change what others approved, nor pass an order with a decision that is not a real allow
(issues 13 item 8 and 20 item 6); a strategy's note is journalled with its order."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from engine import hookimpl
from engine.audit import open_audit_db, queries
from engine.models import RiskDecision

from .conftest import CODE
from .test_engine_risk import Script, write_ticks


class PriceBender:
    """A risk plugin that tries to send its own price instead of denying."""

    @hookimpl
    def check_order(self, request):
        request.price = request.price * Decimal("1.5")


class Answers:
    """A risk plugin returning a decision whose ``allowed`` is not a bool."""

    def __init__(self, allowed):
        self.allowed = allowed

    @hookimpl
    def check_order(self, request):
        return RiskDecision(self.allowed, "odd_rule", "it looked fine")


class OrderEditor:
    """A strategy that edits the order an ``on_order`` hook hands it."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def on_order(self, order):
        self.seen.append(order.status)
        order.volume = 1
        order.price = Decimal("0.01")


def test_a_risk_plugin_cannot_change_the_request_others_approved(risk_engine, audit_rows, tmp_path):
    script = Script(lambda ctx, t: ctx.buy(CODE, 100, 10.0))
    risk_engine(write_ticks(tmp_path / "data", [10.0] * 2), plugins=[("trader", script), ("bender", PriceBender())]).run()
    assert script.results == [None]                       # the attempt raised: fail closed, nothing sent
    assert audit_rows("order_intents") == []
    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"]) == ("plugin_error", "bender")
    assert "FrozenInstanceError" in denial["reason"] and denial["price"] == "10.00"


@pytest.mark.parametrize("allowed", ["no", math.nan, 1, None])
def test_a_decision_that_is_not_a_real_allow_is_a_denial(risk_engine, audit_rows, tmp_path, allowed):
    script = Script(lambda ctx, t: ctx.buy(CODE, 100, 10.0))
    risk_engine(write_ticks(tmp_path / "data", [10.0] * 2), plugins=[("trader", script), ("odd", Answers(allowed))]).run()
    assert script.results == [None]
    assert audit_rows("order_intents") == []
    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"]) == ("bad_decision", "odd")
    assert f"allowed={allowed!r}" in denial["reason"]
    [row] = audit_rows("risk_decisions", "plugin = 'odd'")
    assert row["allowed"] == 0                            # recorded (the CHECK constraint holds), not lost


def test_on_order_gets_a_copy_and_the_note_is_journalled(risk_engine, audit_rows, tmp_path):
    editor = OrderEditor()
    script = Script(lambda ctx, t: ctx.buy(CODE, 300, 10.0, note="breakout above the 20-day high"))
    engine = risk_engine(write_ticks(tmp_path / "data", [10.0] * 3), plugins=[("trader", script), ("editor", editor)])
    engine.run()
    [order] = script.results
    assert editor.seen                                    # on_order ran, and edited its copy
    assert (order.volume, order.price, order.traded_volume) == (300, Decimal("10.00"), 300)
    assert order.note == "breakout above the 20-day high"
    [intent] = audit_rows("order_intents")
    assert (intent["volume"], intent["note"]) == (300, "breakout above the 20-day high")
    db = open_audit_db(tmp_path / "audit.db", read_only=True)
    try:
        story = queries.order_story(db, order.client_order_id)
    finally:
        db.close()
    [journalled] = [item for item in story if item["event"] == "order_intent"]
    assert journalled["details"]["note"] == "breakout above the 20-day high"
