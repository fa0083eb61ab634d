"""The risk settings, the plugin registry and docs/risk.md agree with each other."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import types
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from engine.builtin.risk import RISK_PLUGINS, RiskSettings
from engine.plugin_manager import make_plugin_manager

from .conftest import FakeCtx, request

DOC = (Path(__file__).resolve().parents[2] / "docs" / "risk.md").read_text(encoding="utf-8")
SECTIONS = ("order", "codes", "exposure", "flow", "loss")


def config(risk: dict | None = None):
    return types.SimpleNamespace(risk=RiskSettings.model_validate(risk or {}), strategies=[])


def build(ref: str, cfg):
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)(cfg)


def test_one_plugin_per_section_and_every_one_registers_cleanly():
    assert [name for name, _ in RISK_PLUGINS] == [f"risk_{s}" for s in SECTIONS]
    pm = make_plugin_manager()
    for name, ref in RISK_PLUGINS:
        plugin = build(ref, config())
        assert plugin is not None
        pm.register(plugin, name=name)
    pm.check_pending()
    assert len(pm.hook.check_order.get_hookimpls()) == 5


@pytest.mark.parametrize("section", SECTIONS)
def test_enabled_false_keeps_a_family_out(section):
    cfg = config({section: {"enabled": False}})
    built = {name: build(ref, cfg) for name, ref in RISK_PLUGINS}
    assert [name for name, plugin in built.items() if plugin is None] == [f"risk_{section}"]


def test_every_setting_has_a_description_and_is_documented():
    for section in SECTIONS:
        model: type[BaseModel] = type(getattr(RiskSettings(), section))
        for key, field in model.model_fields.items():
            assert field.description, f"risk.{section}.{key} has no description"
            assert re.search(rf"^\s+{key}:", DOC, flags=re.M), f"docs/risk.md does not show risk.{section}.{key}"


def test_the_documented_yaml_is_exactly_the_defaults():
    block = re.search(r"```yaml\n(risk:\n.*?)```", DOC, flags=re.S).group(1)
    assert RiskSettings.model_validate(yaml.safe_load(block)["risk"]) == RiskSettings()


@pytest.mark.parametrize("bad, where", [
    ({"order": {"max_order_value": -5}}, ("order", "max_order_value")),
    ({"flow": {"max_orders_and_cancels_per_secnd": 5}}, ("flow", "max_orders_and_cancels_per_secnd")),
    ({"loss": {"action": "STOP"}}, ("loss", "action")),
    ({"order": {"price_band_pct": 1.5}}, ("order", "price_band_pct")),
])
def test_bad_settings_name_the_key(bad, where):
    with pytest.raises(ValidationError) as excinfo:
        RiskSettings.model_validate(bad)
    assert excinfo.value.errors()[0]["loc"] == where


def test_settings_are_frozen():
    with pytest.raises(ValidationError):
        RiskSettings().order.max_order_value = 1


def test_the_documented_custom_plugin_works():
    source = re.search(r'```python\n("""Deny buys after 14:50.*?)```', DOC, flags=re.S).group(1)
    module = types.ModuleType("late_buys")
    exec(compile(source, "docs/risk.md", "exec"), module.__dict__)  # noqa: S102 - our own documentation
    ctx = FakeCtx(dt.datetime(2026, 3, 10, 14, 49, 59))
    assert module.check_order(ctx, request()).allowed
    ctx.now = dt.datetime(2026, 3, 10, 14, 50)
    decision = module.check_order(ctx, request())
    assert (decision.allowed, decision.value, decision.limit) == (False, "14:50:00", "14:50")
    ctx.hold("600000.SH", 100)
    assert module.check_order(ctx, request(side="sell")).allowed
