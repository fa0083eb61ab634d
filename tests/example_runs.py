"""Run one of the bundled ``examples/*.yaml`` as a user would, with its output redirected into a test folder."""

from __future__ import annotations

from pathlib import Path

from engine.config import load_config
from engine.core import Engine

REPO = Path(__file__).resolve().parents[1]


def run_example(tmp_path: Path, name: str):
    """Run ``examples/<name>.yaml`` with its audit, control file and reports under ``tmp_path``.

    Returns ``(engine, summary)``."""
    config = load_config(REPO / "examples" / f"{name}.yaml", environ={})
    config = config.model_copy(update={
        "audit": config.audit.model_copy(update={"path": tmp_path / "audit.db"}),
        "engine": config.engine.model_copy(update={"control_path": tmp_path / "control.db"}),
        "results": config.results.model_copy(update={"report_dir": tmp_path / "reports"}),
    })
    engine = Engine(config, load_entrypoints=False)
    return engine, engine.run()
