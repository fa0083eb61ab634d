"""``--set PATH=VALUE`` overrides: typed, addressed by entry name, validated like the file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.config import ConfigError, load_config

CONFIG = """
mode: paper
risk: {order: {max_order_volume: 1000}}
strategies:
  - name: ma_cross
    module: engine.examples.ma_cross
    class: MaCross
    params: {fast: 5, slow: 20, ratio: 0.5, code: '600000.SH'}
"""


def test_overrides_are_typed_and_keep_the_file_types(write_config):
    path = write_config(CONFIG)
    config = load_config(path, environ={}, overrides=[
        "strategies.ma_cross.params.fast=8", "strategies.ma_cross.params.ratio=1",
        "strategies.ma_cross.params.code=000001", "strategies.ma_cross.params.new=true",
        "risk.order.max_order_volume=2000", "risk.order.max_order_value=1234.5",
    ])
    params = config.strategies[0].params
    assert params == {"fast": 8, "slow": 20, "ratio": 1.0, "code": "000001", "new": True}
    assert type(params["fast"]) is int and type(params["ratio"]) is float
    assert config.risk.order.max_order_volume == 2000
    assert config.risk.order.max_order_value == Decimal("1234.5")


def test_list_entries_by_index_too(write_config):
    config = load_config(write_config(CONFIG), environ={}, overrides=["strategies.0.params.slow=30"])
    assert config.strategies[0].params["slow"] == 30


@pytest.mark.parametrize("override, expected", [
    ("strategies.ma_cross.params.fast=abc", "--set strategies.ma_cross.params.fast=abc: the file's value here is 5 (int); 'abc' is not a int value"),
    ("strategies.nope.params.fast=1", "--set strategies.nope.params.fast=1: no entry named 'nope' (entries: ma_cross)"),
    ("risk.order.max_order_value=lots", "--set risk.order.max_order_value=lots: risk.order.max_order_value: Input should be a valid decimal"),
    ("risk.order.max_order_volum=3", "--set risk.order.max_order_volum=3: risk.order.max_order_volum: unknown setting"),
    ("fast", "--set fast: expected PATH=VALUE"),
])
def test_bad_overrides_are_errors_naming_the_override(write_config, override, expected):
    path = write_config(CONFIG)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={}, overrides=[override])
    assert str(path) in str(excinfo.value)
    assert any(problem.startswith(expected) for problem in excinfo.value.problems), excinfo.value.problems
