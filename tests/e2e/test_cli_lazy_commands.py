"""``qmt-engine --help`` and ``--version`` import no subcommand module; every subcommand still loads and runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from engine import __version__
from engine.cli import COMMANDS, app, load_command

HEAVY = ("pandas", "sqlite_utils", "engine.audit", "engine.core", "engine.cli.audit_cmd", "fastapi", "pyarrow")


def _modules_after(args: list[str]) -> list[str]:
    probe = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from engine.cli import app\n"
        f"result = CliRunner().invoke(app, {args!r})\n"
        "assert result.exit_code == 0, result.output\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_help_and_version_import_no_subcommand_module():
    assert _modules_after(["--help"]) == []
    assert _modules_after(["--version"]) == []


def test_a_subcommand_imports_only_what_it_needs():
    assert "engine.cli.audit_cmd" not in _modules_after(["config", "--help"])
    audit = _modules_after(["audit", "--help"])
    assert "engine.audit" in audit and "sqlite_utils" in audit and "pandas" not in audit


def test_version_prints_the_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"qmt-engine {__version__}"


def test_the_listing_names_every_subcommand_with_its_summary():
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for name, entry in COMMANDS.items():
        assert name in result.output and entry.summary in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_loads_and_shows_its_own_help(name):
    command = load_command(name)
    assert command.name == name
    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"qmt-engine {name}" in result.output and "--install-completion" not in result.output


def test_an_unknown_subcommand_is_a_usage_error():
    result = CliRunner().invoke(app, ["nosuch"])
    assert result.exit_code == 2 and "No such command 'nosuch'" in result.output
