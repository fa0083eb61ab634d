"""docs/sweep.md and the README section stay true: every setting documented, every example valid."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from engine.sweep.spec import (Constraint, Dimension, ExecutorSettings, Objective, Rolling, SamplerSettings, SweepSpec,
                               WalkForwardSettings, load_sweep_spec)

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "sweep.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _yaml_blocks(text: str) -> list[dict]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]


def test_every_setting_is_documented():
    for model in (SweepSpec, Dimension, SamplerSettings, Objective, Constraint, ExecutorSettings, WalkForwardSettings):
        for name, field in model.model_fields.items():
            if field.exclude:
                continue
            assert f"| `{name}` |" in DOC, f"{model.__name__}.{name} missing from docs/sweep.md"
    for name in Rolling.model_fields:
        assert name in DOC


def test_the_examples_validate():
    section = README[README.index("## Sweeping parameters"):README.index("## Documentation")]
    checked = 0
    for data in _yaml_blocks(DOC) + _yaml_blocks(section):
        if "space" in data:
            SweepSpec.model_validate(data)
            checked += 1
        elif "walk_forward" in data:
            WalkForwardSettings.model_validate(data["walk_forward"])
            checked += 1
        elif "executor" in data:
            ExecutorSettings.model_validate(data["executor"])
            checked += 1
    assert checked >= 5


def test_the_shipped_sweep_files_load():
    for name in ("sweep_ma.yaml", "sweep_momentum.yaml"):
        spec = load_sweep_spec(ROOT / "examples" / name)
        assert spec.space


def test_the_readme_says_how_to_use_a_dask_cluster_and_where_the_data_come_from():
    section = README[README.index("## Sweeping parameters"):README.index("## Documentation")]
    assert "executor: {kind: dask, address: tcp://host:8786}" in section
    assert "shared path" in section and "not shipped" in section
