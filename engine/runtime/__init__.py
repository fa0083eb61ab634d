"""Per-mode assembly of the clock, the broker gateway and the market data.

``build_runtime(engine)`` picks the runtime for ``config.mode``:

* ``paper``: the simulator (``engine.sim``) behind the same gateway as live,
  fed by the tick replay (:mod:`engine.runtime.paper`), or by live ``xtdata``
  quotes with ``paper.feed: xtdata`` (:mod:`engine.runtime.paper_live`);
* ``live``: the real MiniQMT through ``xtquant`` (:mod:`engine.runtime.live`);
* ``backtest``: bar files through the simulator, pushes inline (:mod:`engine.runtime.backtest`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import ConfigError
from .base import Runtime

if TYPE_CHECKING:
    from ..core.engine import Engine


def build_runtime(engine: Engine) -> Runtime:
    mode = engine.config.mode
    if mode == "paper" and engine.config.paper.feed == "xtdata":
        from .paper_live import PaperLiveDataRuntime

        return PaperLiveDataRuntime(engine)
    if mode == "paper":
        from .paper import PaperRuntime

        return PaperRuntime(engine)
    if mode == "live":
        from .live import LiveRuntime

        return LiveRuntime(engine)
    if mode == "backtest":
        from .backtest import BacktestRuntime

        return BacktestRuntime(engine)
    raise ConfigError(str(engine.config.source_path or "config"), [
        f"mode: {mode!r} is not a mode; use 'paper', 'live' or 'backtest'",
    ])


__all__ = ["Runtime", "build_runtime"]
