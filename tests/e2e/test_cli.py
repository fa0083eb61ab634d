"""The qmt-engine command: run, config check, plugins, audit; live mode without xtquant."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from engine.cli import app

CONFIG = """
mode: paper
account_id: ${ACC:-T0001}
logging: {file: log/engine.log}
audit: {path: audit.db}
paper: {codes: ['600000.SH', '000001.SZ']}
plugins: {load_entrypoints: false}
strategies:
  - name: ma_cross
    module: engine.examples.ma_cross
    class: MaCross
    params: {fast: 5, slow: 20, lots: 2}
"""

runner = CliRunner()


@pytest.fixture
def config_file(write_config):
    return write_config(CONFIG)


def invoke(*args):
    result = runner.invoke(app, list(map(str, args)))
    return result.exit_code, result.output


def test_run_prints_a_summary_and_writes_the_audit_and_the_log(config_file, tmp_path):
    code, output = invoke("run", "--config", config_file, "--no-progress")
    assert code == 0, output
    for label in ("orders", "fills", "denials", "fees (CNY)", "P&L (CNY)", "completed"):
        assert label in output
    assert f"audit database: {tmp_path / 'audit.db'}" in output.replace("\n", "")
    log_text = (tmp_path / "log" / "engine.log").read_text(encoding="utf-8")
    assert "run " in log_text and "starting in paper mode" in log_text
    run_id = log_text.split(" | ")[2]
    assert all(line.split(" | ")[2] == run_id for line in log_text.splitlines() if line.count(" | ") >= 4)

    code, output = invoke("audit", "orders", "--db", tmp_path / "audit.db", "--json")
    assert code == 0 and '"strategy": "ma_cross"' in output
    code, output = invoke("audit", "fills", "--config", config_file)
    assert code == 0 and "fills" in output
    code, output = invoke("audit", "summary", "--config", config_file)
    assert code == 0 and "stop_reason" in output and "completed" in output
    for sub in ("denials", "errors", "connections", "runs"):
        code, output = invoke("audit", sub, "--config", config_file)
        assert code == 0, (sub, output)


def test_audit_order_story(config_file, tmp_path):
    assert invoke("run", "--config", config_file, "--no-progress")[0] == 0
    from engine.audit import open_audit_db

    client_id = next(open_audit_db(tmp_path / "audit.db").query("SELECT client_order_id FROM order_intents LIMIT 1"))["client_order_id"]
    code, output = invoke("audit", "order", client_id, "--db", tmp_path / "audit.db", "--json")
    assert code == 0
    for event in ("risk_decision", "order_intent", "order_submitted", "order_update", "fill"):
        assert f'"event": "{event}"' in output


def test_config_check_ok_and_errors(config_file, write_config):
    code, output = invoke("config", "check", "--config", config_file)
    flat = " ".join(output.split())
    assert code == 0 and "ok" in flat and "T0001" not in flat and "T0*01" in flat and "ma_cross (strategy)" in flat
    bad = write_config("mode: paper\nrisk: {order: {max_order_value: -5}}\n", name="bad.yaml")
    code, output = invoke("config", "check", "--config", bad)
    assert code == 2
    flat = " ".join(output.split())
    assert "bad.yaml" in flat and "line 2: risk.order.max_order_value: Input should be greater than 0" in flat


def test_error_text_with_brackets_is_printed_literally(write_config):
    path = write_config("strategies:\n  - {name: a}\n", name="nopath.yaml")
    code, output = invoke("config", "check", "--config", path)
    assert code == 2 and "line 2: strategies[0]: Value error, give exactly one of 'path'" in " ".join(output.split())


def test_config_check_reports_a_strategy_with_a_misspelt_hook(write_config, tmp_path):
    (tmp_path / "typo.py").write_text("from engine import hookimpl\n@hookimpl\ndef on_tik(tick):\n    pass\n")
    path = write_config("strategies: [{name: typo, path: typo.py}]\n", name="typo.yaml")
    code, output = invoke("config", "check", "--config", path)
    assert code == 2 and "on_tik" in output


def test_plugins_lists_discovery_order_and_hooks(config_file):
    code, output = invoke("plugins", "--config", config_file)
    assert code == 0
    assert output.index("audit") < output.index("risk") < output.index("ma_cross")
    assert "track_event" in output and "check_order" in output


def test_live_mode_without_xtquant_says_what_to_install(write_config, tmp_path):
    path = write_config(f"mode: live\nlogging: {{file: null}}\naudit: {{path: a.db}}\nlive: {{userdata_path: {tmp_path}}}\n", name="live.yaml")
    code, output = invoke("run", "--config", path, "--no-progress")
    assert code == 2
    flat = " ".join(output.split())
    assert "cannot import xtquant" in flat and 'pip install "qmt-engine[qmt]"' in flat and "linux" in flat


def test_missing_audit_database_is_a_clear_error(tmp_path):
    code, output = invoke("audit", "orders", "--db", tmp_path / "none.db")
    assert code == 2 and "none.db" in output


def test_python_dash_m_engine_is_the_same_command():
    result = subprocess.run([sys.executable, "-m", "engine", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("run", "config", "audit", "plugins"):
        assert command in result.stdout


def test_startup_errors_are_clean_messages_not_tracebacks(write_config, tmp_path):
    path = write_config("paper: {data: nowhere}\nlogging: {file: null}\naudit: {path: a.db}\n", name="nodata.yaml")
    code, output = invoke("run", "--config", path, "--no-progress")
    flat = " ".join(output.split())
    assert code == 2 and "paper.data" in flat and "Traceback" not in output
    path = write_config("logging: {file: null}\naudit: {path: a.db}\njobs: [{name: j, target: ghost, at: '10:00'}]\n",
                        name="ghost.yaml")
    code, output = invoke("run", "--config", path, "--no-progress")
    assert code == 2 and "ghost" in output and "Traceback" not in output


def test_set_overrides_on_run_and_config_check(config_file, tmp_path):
    code, output = invoke("config", "check", "--config", config_file, "--set", "strategies.ma_cross.params.fast=abc")
    assert code == 2 and "--set strategies.ma_cross.params.fast=abc" in output
    code, output = invoke("config", "check", "--config", config_file, "--set", "audit.path=other.db")
    assert code == 0 and "other.db" in output.replace("\n", "")
    code, output = invoke("run", "--config", config_file, "--no-progress", "--set", "audit.path=other.db",
                          "--set", "strategies.ma_cross.params.fast=3")
    assert code == 0, output
    assert (tmp_path / "other.db").exists() and not (tmp_path / "audit.db").exists()
