"""``qmt-engine run`` exit codes a scheduler can act on, and short tracebacks of plugin failures (issue 13)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BROKEN = '''
from engine import hookimpl


class Broken:
    """Raises on every tick: FAULTED after engine.max_consecutive_failures ticks."""

    @hookimpl
    def on_tick(self, ctx, tick):
        self.decide(tick)

    def decide(self, tick):
        raise ZeroDivisionError(f"a bug at {tick.code}")
'''


def _run(tmp_path, strategy_path: str, extra: str = "") -> subprocess.CompletedProcess:
    config = tmp_path / "config.yaml"
    config.write_text(textwrap.dedent(f"""\
        mode: paper
        account_id: T0001
        logging: {{file: engine.log}}
        audit: {{path: audit.db}}
        paper: {{codes: ['600000.SH']}}
        plugins: {{load_entrypoints: false}}
        engine: {{max_consecutive_failures: 2}}
        strategies:
          - name: broken
            path: {strategy_path}
            class: Broken
        """) + extra, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "engine", "run", "--config", str(config), "--no-progress"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_run_whose_strategy_is_faulted_exits_3_with_the_strategy_frames_only(tmp_path):
    (tmp_path / "broken.py").write_text(BROKEN, encoding="utf-8")
    done = _run(tmp_path, "broken.py")
    assert done.returncode == 3, done.stdout + done.stderr
    shown = " ".join(done.stdout.split())  # the summary table wraps its title on a narrow terminal
    assert "a plugin FAULTED" in shown and "broken (exit code 3)" in shown
    log = (tmp_path / "engine.log").read_text(encoding="utf-8")
    failure = log[log.index("plugin broken raised ZeroDivisionError"):]
    failure = failure[: failure.index("ZeroDivisionError: a bug at 600000.SH") + 40]
    assert "broken.py" in failure and "in decide" in failure
    for outer in ("typer", "click", "engine/dispatch.py", "pluggy", "engine/cli"):
        assert outer not in failure, f"{outer} frames in the plugin's traceback:\n{failure}"
    assert len(failure.splitlines()) < 15


def test_a_start_up_failure_exits_2(tmp_path):
    done = _run(tmp_path, "missing.py")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "missing.py" in done.stdout + done.stderr
