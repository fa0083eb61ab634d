"""Discovery order, blocking, loading by path or module, and start-up validation of hooks."""

from __future__ import annotations

import pytest

from engine import hookimpl
from engine.config import load_config
from engine.plugin_manager import DEFAULT_PLUGINS, PluginLoadError, load_plugins, make_plugin_manager


def _close(loaded):
    for plugin in loaded:
        if plugin.kind == "builtin" and hasattr(plugin.obj, "close"):
            plugin.obj.close()


@pytest.fixture
def load(write_config, tmp_path):
    opened = []

    def run(yaml_text: str, **kwargs):
        config = load_config(write_config(yaml_text), environ={})
        pm = make_plugin_manager()
        loaded = load_plugins(pm, config, load_entrypoints=False, **kwargs)
        opened.append(loaded)
        return pm, loaded

    yield run
    for loaded in opened:
        _close(loaded)


def test_discovery_order_builtins_then_files_then_strategies_then_extra(load, tmp_path):
    (tmp_path / "notify.py").write_text("from engine import hookimpl\n@hookimpl\ndef on_trade(fill): pass\n")
    (tmp_path / "strat.py").write_text("from engine import hookimpl\n@hookimpl\ndef on_tick(ctx, tick): pass\n")

    class Extra:
        @hookimpl
        def on_tick(self, tick):
            pass

    pm, loaded = load("plugins: {files: [{path: notify.py}]}\nstrategies: [{name: s1, path: strat.py}]\n",
                      extra=(("extra", Extra()),))
    assert [(p.name, p.kind) for p in loaded] == [
        *[(name, "builtin") for name, _ in DEFAULT_PLUGINS if name not in ("notify", "metrics")],  # off until configured
        ("notify", "plugin"), ("s1", "strategy"), ("extra", "extra"),
    ]
    # pluggy calls the most recently registered first (the built-in execution plugin watches ticks last)
    assert [impl.plugin_name for impl in reversed(pm.hook.on_tick.get_hookimpls())] == ["extra", "s1", "execution"]


def test_disabled_names_are_blocked_builtins_included(load):
    pm, loaded = load("plugins: {disabled: [risk_order, risk_codes, risk_exposure, risk_flow, risk_loss, console, "
                      "trading_day, results, execution]}\n")
    assert [p.name for p in loaded] == ["audit"]
    assert pm.is_blocked("risk_flow")


def test_disabled_strategy_is_not_registered(load, tmp_path):
    (tmp_path / "s.py").write_text("from engine import hookimpl\n@hookimpl\ndef on_tick(tick): pass\n")
    _pm, loaded = load("strategies: [{name: s, path: s.py, enabled: false}]\n")
    assert "s" not in [p.name for p in loaded]


def test_unknown_hook_name_is_a_startup_error_naming_plugin_and_file(load, tmp_path):
    (tmp_path / "typo.py").write_text("from engine import hookimpl\n@hookimpl\ndef on_tik(ctx, tick): pass\n")
    with pytest.raises(PluginLoadError) as excinfo:
        load("strategies: [{name: typo, path: typo.py}]\n")
    message = str(excinfo.value)
    assert "typo.py" in message and "'typo'" in message and "on_tik" in message and "on_tick" in message


def test_unknown_argument_name_is_rejected_at_registration(load, tmp_path):
    (tmp_path / "bad.py").write_text("from engine import hookimpl\n@hookimpl\ndef on_tick(ctx, tick, oops): pass\n")
    with pytest.raises(PluginLoadError, match=r"bad\.py: plugin 'bad' is not valid: .*oops"):
        load("strategies: [{name: bad, path: bad.py}]\n")


def test_wrappers_are_refused(load, tmp_path):
    (tmp_path / "wrap.py").write_text("from engine import hookimpl\n@hookimpl(wrapper=True)\ndef on_tick(tick):\n    yield\n")
    with pytest.raises(PluginLoadError, match="wrapper"):
        load("strategies: [{name: wrap, path: wrap.py}]\n")


def test_missing_file_import_error_and_missing_class_are_clear(load, tmp_path):
    with pytest.raises(PluginLoadError, match=r"strategy 'gone': file not found: .*gone\.py"):
        load("strategies: [{name: gone, path: gone.py}]\n")
    (tmp_path / "broken.py").write_text("def oops(:\n")
    with pytest.raises(PluginLoadError, match=r"importing .*broken\.py raised SyntaxError"):
        load("strategies: [{name: broken, path: broken.py}]\n")
    (tmp_path / "noclass.py").write_text("X = 1\n")
    with pytest.raises(PluginLoadError, match="has no class named 'Strategy'"):
        load("strategies: [{name: noclass, path: noclass.py, class: Strategy}]\n")
    with pytest.raises(PluginLoadError, match="cannot import module 'no.such.module'"):
        load("strategies: [{name: m, module: no.such.module}]\n")


def test_class_strategies_are_instantiated_and_module_strategies_are_the_module(load, tmp_path):
    (tmp_path / "cls.py").write_text(
        "from engine import hookimpl\nclass S:\n    @hookimpl\n    def on_tick(self, tick): pass\n"
    )
    _pm, loaded = load("strategies: [{name: a, path: cls.py, class: S, params: {k: 1}}, {name: b, module: engine.examples.ma_cross}]\n")
    by_name = {p.name: p for p in loaded}
    assert type(by_name["a"].obj).__name__ == "S" and by_name["a"].params == {"k": 1}
    assert by_name["b"].obj.__name__ == "engine.examples.ma_cross"


def test_shipped_examples_all_load(tmp_path):
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    config = load_config(repo / "config.yaml", environ={})
    config = config.model_copy(update={"audit": config.audit.model_copy(update={"path": tmp_path / "a.db"})})
    pm = make_plugin_manager()
    loaded = load_plugins(pm, config, load_entrypoints=False)
    try:
        names = [p.name for p in loaded]
        assert names == ["audit", "risk_order", "risk_codes", "risk_exposure", "risk_flow", "risk_loss", "console",
                         "trading_day", "results", "execution", "max_position_value", "trade_journal",
                         "ma_cross", "dip_buyer"]
    finally:
        _close(loaded)


def test_a_typo_in_plugins_disabled_is_an_error_naming_the_known_plugins(tmp_path):
    from engine.config import load_config
    from engine.plugin_manager import PluginLoadError, load_plugins, make_plugin_manager

    path = tmp_path / "config.yaml"
    path.write_text("mode: paper\naccount_id: T0001\nlogging: {file: null}\naudit: {path: audit.db}\n"
                    "plugins: {load_entrypoints: false, disabled: [consle]}\n", encoding="utf-8")
    with pytest.raises(PluginLoadError) as caught:
        load_plugins(make_plugin_manager(), load_config(path, environ={}), load_entrypoints=False)
    message = str(caught.value)
    assert "'consle'" in message and "console" in message and "risk_flow" in message and "config.yaml" in message


def test_hook_functions_without_hookimpl_are_an_error_naming_them(tmp_path):
    from engine.config import load_config
    from engine.plugin_manager import PluginLoadError, load_plugins, make_plugin_manager

    class Unmarked:
        def on_tick(self, ctx, tick):
            ctx.buy(tick.code, 100)

        def helper(self):
            return 1

    path = tmp_path / "config.yaml"
    path.write_text("mode: paper\naccount_id: T0001\nlogging: {file: null}\naudit: {path: audit.db}\n"
                    "plugins: {load_entrypoints: false}\n", encoding="utf-8")
    with pytest.raises(PluginLoadError) as caught:
        load_plugins(make_plugin_manager(), load_config(path, environ={}), load_entrypoints=False,
                     extra=(("unmarked", Unmarked()),))
    assert "'unmarked' defines on_tick() without @hookimpl" in str(caught.value)
