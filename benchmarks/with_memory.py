"""Run a benchmark script and then print the process's peak memory (for scripts that do not print it).

    python benchmarks/with_memory.py benchmarks/bench_audit.py [its arguments]
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import line, peak_rss_mb  # noqa: E402


def main() -> int:
    if len(sys.argv) < 2:
        raise SystemExit("usage: with_memory.py SCRIPT [ARGS...]")
    script, sys.argv = sys.argv[1], sys.argv[1:]
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    line("peak RSS (MB)", f"{peak_rss_mb():.0f}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
