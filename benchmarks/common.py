"""Helpers shared by the benchmarks: engine configs, memory figures, quantiles, output lines."""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from loguru import logger  # noqa: E402

from engine.config.models import EngineConfig  # noqa: E402

#: A Tuesday that XSHG trades, in the continuous session (live-like benchmarks run their clock here).
SESSION_TIME = dt.datetime(2026, 3, 10, 10, 0)


def quiet_logs(level: str = "ERROR") -> None:
    """Only errors on stderr: the benchmarks print their own figures."""
    logger.remove()
    logger.add(sys.stderr, level=level)


def engine_config(folder: Path, mode: str, **sections) -> EngineConfig:
    """A benchmark configuration: files under ``folder``, built-in audit, risk and trading-day plugins on,
    the console reporter off, orders up to 2,000,000 CNY allowed by the order-size rule."""
    data = {
        "mode": mode, "account_id": "BENCH001", "logging": {"file": None},
        "audit": {"path": str(folder / "audit.db")},
        "engine": {"control_path": str(folder / "control.db")},
        "risk": {"order": {"max_order_value": 2_000_000}},
        "plugins": {"load_entrypoints": False, "disabled": ["console"]},
        "trading_day": {"report_dir": str(folder / "reports")},
    }
    data.update(sections)
    return EngineConfig.model_validate(data)


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (MB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """The process's resident memory now (MB; Linux /proc, else the peak)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError):
        return peak_rss_mb()


class RssSampler:
    """Samples the resident memory on a background thread (no cost on the engine thread)."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._start = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter() - self._start, current_rss_mb()))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - self._start, current_rss_mb()))
            self._stop.wait(self.interval)

    def by_tenths(self) -> list[float]:
        """RSS (MB) at 10%, 20% ... 100% of the sampled run."""
        if not self.samples:
            return []
        end = self.samples[-1][0] or 1.0
        out = []
        for tenth in range(1, 11):
            moment = end * tenth / 10
            out.append(next((rss for t, rss in self.samples if t >= moment), self.samples[-1][1]))
        return out


def quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def line(label: str, text: str) -> None:
    print(f"  {label:<28} {text}", flush=True)


def header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)
