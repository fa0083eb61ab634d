"""TradingStates: a set of causes per scope; releasing one never clears another; persisted causes come back."""

from __future__ import annotations

from engine.control import ControlStore
from engine.core.trading_states import DISCONNECT, OPERATOR, TradingStates
from engine.models import TradingState


def make(tmp_path):
    events = []
    return TradingStates(events.append, ControlStore(tmp_path / "control.db")), events


def test_a_reconnect_releases_only_the_disconnect(tmp_path):
    states, events = make(tmp_path)
    states.impose(DISCONNECT, TradingState.HALTED, "disconnect")
    states.impose(OPERATOR, TradingState.HALTED, "operator halt #1")
    states.release(DISCONNECT, "reconnected")
    assert states.account is TradingState.HALTED and states.describe() == "operator halt #1"
    assert [(e.previous, e.current) for e in events] == [("ACTIVE", "HALTED"), ("HALTED", "HALTED"), ("HALTED", "HALTED")]


def test_the_most_restrictive_cause_wins_and_strategy_scopes_add_to_the_account(tmp_path):
    states, _ = make(tmp_path)
    states.impose("risk_loss", TradingState.REDUCING, "risk_loss: over the limit")
    states.impose(OPERATOR, TradingState.HALTED, "operator halt #2", "alpha")
    assert states.account is TradingState.REDUCING
    assert states.for_strategy("alpha") is TradingState.HALTED and states.for_strategy("beta") is TradingState.REDUCING
    states.release(OPERATOR, "operator resume #3", "alpha")
    assert states.for_strategy("alpha") is TradingState.REDUCING


def test_resume_releases_decisions_but_never_a_disconnect(tmp_path):
    states, _ = make(tmp_path)
    states.impose(DISCONNECT, TradingState.HALTED, "disconnect")
    states.impose("risk_loss", TradingState.HALTED, "risk_loss: limit")
    states.impose(OPERATOR, TradingState.HALTED, "operator halt #1")
    assert sorted(states.release_decisions("operator resume #2")) == ["operator", "risk_loss"]
    assert states.account is TradingState.HALTED and states.describe() == "disconnect"


def test_persistent_causes_are_restored_and_the_disconnect_is_not(tmp_path):
    states, _ = make(tmp_path)
    states.impose(DISCONNECT, TradingState.HALTED, "disconnect")
    states.impose(OPERATOR, TradingState.HALTED, "operator halt #1")
    states.impose("risk_loss", TradingState.REDUCING, "risk_loss: limit", "alpha")
    states.impose("risk_flow", TradingState.HALTED, "risk_flow: storm")
    states.release("risk_flow", "risk_flow: calm again")
    again, _ = make(tmp_path)
    again.restore()
    assert set(again.causes()) == {OPERATOR} and set(again.causes("alpha")) == {"risk_loss"}
    assert again.account is TradingState.HALTED and again.for_strategy("alpha") is TradingState.HALTED
    assert ControlStore(tmp_path / "control.db").current_states()["account"][0] == "HALTED"
