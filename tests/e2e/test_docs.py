"""Keep the README honest: every hook is documented with its exact signature; CI runs the README's test command."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from engine import hookspecs

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _specs():
    return [(name, fn) for name, fn in vars(hookspecs).items()
            if callable(fn) and hasattr(fn, "qmt_engine_spec")]


def test_every_hookspec_has_a_docstring_and_a_readme_heading_with_its_signature():
    specs = _specs()
    assert len(specs) >= 14
    for name, fn in specs:
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40, name
        args = ", ".join(inspect.signature(fn).parameters)
        assert f"### {name}({args})" in README, f"README lacks the heading '### {name}({args})'"


def test_readme_documents_no_hook_that_does_not_exist():
    documented = set(re.findall(r"^### (\w+)\(", README, flags=re.M))
    assert documented == {name for name, _ in _specs()}


def test_ci_runs_exactly_the_readme_test_command():
    commands = re.findall(r"```bash\n(pip install [^\n]+)\n```", README)
    assert len(commands) == 2, commands
    install_and_run, install_and_test = commands
    assert "qmt-engine run" in install_and_run
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci_script.splitlines()
    assert "set -e" in ci_script  # pytest's exit 5 (no tests collected) fails CI


def test_every_config_key_is_in_the_reference_table():
    from engine.config.models import EngineConfig

    def keys(model, prefix=""):
        for name, field in model.model_fields.items():
            if name == "source_path":
                continue
            annotation = field.annotation
            nested = getattr(annotation, "model_fields", None)
            full = f"{prefix}{name}"
            if nested and name not in ("fees",):
                yield from keys(annotation, f"{full}.")
            else:
                yield full

    table = README[README.index("## Configuration reference"):]
    cells = set(re.findall(r"`([^`]+)`", table))
    expanded = {part.strip() for cell in cells for part in cell.split("/")}

    def documented(key):
        group = key.rsplit(".", 1)[0]
        return key in expanded or f"{key}.*" in cells or key.rsplit(".", 1)[-1] in expanded and f"`{group}." in table

    assert [key for key in keys(EngineConfig) if not documented(key)] == []


def test_the_readme_strategy_is_the_shipped_file():
    block = README.split("`strategies/dip_buyer.py`:", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    shipped = (REPO / "strategies" / "dip_buyer.py").read_text(encoding="utf-8")
    code = shipped.split('"""', 2)[2].lstrip("\n")  # the file minus its docstring
    assert block.strip() == code.strip()
    assert len([line for line in block.splitlines() if line.strip()]) <= 11


def test_the_readme_risk_plugin_is_the_shipped_file():
    block = README.split("`plugins/max_position_value.py` caps", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    shipped = (REPO / "plugins" / "max_position_value.py").read_text(encoding="utf-8")
    assert block.strip() == shipped.split('"""', 2)[2].strip()
