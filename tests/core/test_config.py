"""config.yaml loading: env substitution, secrets, and errors that name file, line and field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from engine.config import ConfigError, embedded_default_path, load_config, mask_secret

REPO = Path(__file__).resolve().parents[2]


def test_shipped_config_is_valid_and_runs_paper_mode():
    config = load_config(REPO / "config.yaml", environ={})
    assert config.mode == "paper"
    assert config.audit.path == REPO / "var" / "audit.db"
    assert [s.name for s in config.strategies] == ["ma_cross", "dip_buyer", "template"]
    assert config.strategies[1].path == REPO / "strategies" / "dip_buyer.py"


def test_embedded_default_resolves_relative_paths_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={})
    assert config.source_path == embedded_default_path().resolve()
    assert config.audit.path == tmp_path / "var" / "audit.db"


def test_local_config_yaml_wins_over_the_embedded_default(tmp_path, monkeypatch, write_config):
    write_config("mode: paper\naudit: {path: here.db}\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(None, environ={}).audit.path == tmp_path / "here.db"


def test_env_substitution_with_default_and_masking(write_config):
    path = write_config("account_id: ${ACC}\nrisk: {order: {max_order_value: '${LIMIT:-1234.5}'}}\n")
    config = load_config(path, environ={"ACC": "88001234"})
    assert config.account_id.get_secret_value() == "88001234"
    assert config.risk.order.max_order_value == Decimal("1234.5")
    assert config.masked_account() == "88****34"
    assert "88001234" not in repr(config)


def test_missing_env_variable_names_line_field_and_variable(write_config):
    path = write_config("mode: paper\naccount_id: ${QMT_ACCOUNT_ID}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={})
    message = str(excinfo.value)
    assert str(path) in message
    assert "line 2: account_id: environment variable QMT_ACCOUNT_ID is not set" in message


def test_wrong_type_names_file_line_field_and_expectation(write_config):
    path = write_config("mode: paper\nrisk:\n  order:\n    max_order_value: lots\n    max_order_volume: 3\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={})
    assert excinfo.value.problems == ["line 4: risk.order.max_order_value: Input should be a valid decimal (got 'lots')"]


def test_every_problem_is_reported_at_once_including_typos(write_config):
    path = write_config(
        "mode: papr\nrisk:\n  max_open_orderz: 3\nstrategies:\n  - name: a\n    params: {}\n"
    )
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={})
    problems = excinfo.value.problems
    assert problems[0].startswith("line 1: mode: Input should be 'paper', 'live' or 'backtest'")
    assert problems[1] == "line 3: risk.max_open_orderz: unknown setting; check the spelling against the config reference in README.md"
    assert problems[2].startswith("line 5: strategies[0]: Value error, give exactly one of 'path'")


def test_secret_value_never_appears_in_an_error(write_config):
    path = write_config("account_id: [12345678]\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={})
    assert "12345678" not in str(excinfo.value)


def test_yaml_syntax_error_names_line_and_column(write_config):
    path = write_config("mode: paper\nrisk: {max_order_value: 1\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={})
    assert excinfo.value.problems[0].startswith("line 3, column 1: YAML syntax error")


def test_duplicate_keys_and_names_are_errors(write_config):
    path = write_config("mode: paper\nmode: live\n")
    with pytest.raises(ConfigError, match="line 2: mode: duplicate key"):
        load_config(path, environ={})
    path = write_config("strategies:\n  - {name: a, path: a.py}\n  - {name: a, path: b.py}\n")
    with pytest.raises(ConfigError, match="repeated: a"):
        load_config(path, environ={})


def test_missing_and_empty_files(tmp_path, write_config):
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_config(write_config(""))


@pytest.mark.parametrize("secret, shown", [("12345678", "12****78"), ("abc", "***"), ("", ""), (None, "")])
def test_mask_secret(secret, shown):
    assert mask_secret(secret) == shown


def test_env_in_flow_style_mapping_is_typed(write_config):
    path = write_config(
        "strategies:\n  - {name: s, module: engine.examples.ma_cross, class: MaCross,\n"
        "     params: {fast: ${FAST:-5}, ratio: ${R}, on: ${ON}, none: ${NONE}, code: ${CODE}, label: x${FAST:-5}}}\n"
    )
    config = load_config(path, environ={"R": "0.25", "ON": "true", "NONE": "null", "CODE": "0012"})
    params = config.strategies[0].params
    assert params == {"fast": 5, "ratio": 0.25, "on": True, "none": None, "code": "0012", "label": "x5"}
    assert type(params["fast"]) is int


def test_env_in_block_style_is_typed_and_quoted_stays_text(write_config):
    path = write_config(
        "strategies:\n  - name: s\n    module: engine.examples.ma_cross\n    class: MaCross\n    params:\n"
        "      fast: ${FAST}\n      quoted: '${FAST}'\n"
    )
    params = load_config(path, environ={"FAST": "7"}).strategies[0].params
    assert params == {"fast": 7, "quoted": "7"}


def test_numeric_env_value_for_a_text_setting_stays_text(write_config):
    path = write_config("account_id: ${ACC}\n")
    assert load_config(path, environ={"ACC": "88001234"}).account_id.get_secret_value() == "88001234"


def test_missing_env_variable_in_flow_style_names_line_field_and_variable(write_config):
    path = write_config("mode: paper\nstrategies:\n  - {name: s, module: m, params: {n: ${N}}}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_config(path, environ={})
    message = str(excinfo.value)
    assert str(path) in message
    assert "line 3: strategies[0].params.n: environment variable N is not set" in message
