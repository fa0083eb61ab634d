"""qmt-engine: a plugin-based strategy automation engine for MiniQMT (xtquant).

A plugin or strategy file needs one import::

    from engine import hookimpl

A notebook runs a configuration and reads its results with::

    from engine import backtest
    result = backtest("config.yaml", params={"ma_cross": {"fast": 5}})
    result.metrics, result.equity, result.trades
"""

from typing import Any

from .hookspecs import hookimpl, hookspec

__version__ = "0.1.0"
__all__ = ["__version__", "backtest", "hookimpl", "hookspec", "load_results"]


def __getattr__(name: str) -> Any:
    # the results need pandas and plotly: imported on first use, so `import engine` stays light
    if name == "backtest":
        from .results.notebook import backtest

        return backtest
    if name == "load_results":
        from .results.run_results import load_results

        return load_results
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
