"""``engine.backtest(...)``: run a configuration from Python (a notebook) and get its results back.

::

    from engine import backtest

    result = backtest("config.yaml", params={"ma_cross": {"fast": 5, "slow": 30}})
    result.metrics["sharpe"], result.metrics["max_drawdown"]
    result.equity            # pandas DataFrame, one row per trading day
    result.trades            # pandas DataFrame, one row per round trip
    result.save_report("report.html")

The run is a normal run: the same engine, risk rules and audit database as
``qmt-engine run``, so ``qmt-engine report <run_id>`` shows it again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from loguru import logger

__all__ = ["BacktestResult", "backtest"]


@dataclass
class BacktestResult:
    """What :func:`backtest` returns: the run's summary and its results (see :class:`RunResults`)."""

    summary: Any  # engine.core.RunSummary
    results: Any  # engine.results.RunResults

    @property
    def run_id(self) -> str:
        return self.summary.run_id

    @property
    def audit_path(self) -> Path:
        return Path(self.summary.audit_path)

    @property
    def metrics(self) -> dict[str, Any]:
        return self.results.metrics

    @property
    def equity(self) -> pd.DataFrame:
        """Daily: ``total_asset, cash, market_value, pnl, return, exposure, drawdown`` (and the benchmark's)."""
        return self.results.equity

    @property
    def intraday(self) -> pd.DataFrame:
        return self.results.intraday

    @property
    def trades(self) -> pd.DataFrame:
        return self.results.trades_frame()

    @property
    def strategies(self) -> pd.DataFrame:
        return pd.DataFrame(self.results.strategies)

    def save_report(self, path: str | Path) -> Path:
        """Write the HTML report (self-contained, opens offline)."""
        from .html import render_report_html, write_report

        return write_report(render_report_html(self.results), Path(path))

    def _repr_html_(self) -> str:  # a notebook shows the headline figures
        from .format import HEADLINE, label, show

        rows = "".join(f"<tr><td>{label(k)}</td><td>{show(k, self.metrics.get(k))}</td></tr>" for k in HEADLINE)
        return f"<b>run {self.run_id}</b><table>{rows}</table>"


def _with_params(config, params: dict[str, Any] | None):
    if not params:
        return config
    names = [s.name for s in config.strategies]
    if not names:
        raise ValueError("backtest(params=...): the configuration has no strategies")
    if set(params) <= set(names) and all(isinstance(v, dict) for v in params.values()):
        per_strategy = params
    elif len(names) == 1:
        per_strategy = {names[0]: params}
    else:
        raise ValueError(f"backtest(params=...): name the strategy, e.g. params={{{names[0]!r}: {{...}}}}; "
                         f"this configuration has {', '.join(names)}")
    strategies = [s.model_copy(update={"params": {**s.params, **per_strategy.get(s.name, {})}}) for s in config.strategies]
    return config.model_copy(update={"strategies": strategies})


def backtest(config: str | Path | Any = "config.yaml", params: dict[str, Any] | None = None, *,
             audit_path: str | Path | None = None, quiet: bool = True) -> BacktestResult:
    """Run ``config`` (a path, or a loaded ``EngineConfig``) to the end and return its results.

    :param params: strategy parameters to change: ``{strategy: {name: value}}``, or ``{name: value}``
        when the configuration has one strategy. They are merged into the configured ones.
    :param audit_path: write the audit database here instead of ``audit.path``.
    :param quiet: keep the engine's log lines out of the notebook (warnings and errors still show).
    :raises ConfigError: the configuration is not valid; ValueError for a live configuration.
    """
    from ..config import EngineConfig, load_config
    from ..core import Engine
    from .run_results import compute_results

    settings = config if isinstance(config, EngineConfig) else load_config(Path(config))
    if settings.mode == "live":
        raise ValueError("backtest(): this configuration trades live (mode: live); use mode: backtest or paper")
    settings = _with_params(settings, params)
    if audit_path is not None:
        settings = settings.model_copy(update={"audit": settings.audit.model_copy(update={"path": Path(audit_path)})})
    sink = None
    if quiet:
        logger.remove()
        sink = logger.add(lambda message: print(message, end=""), level="WARNING", format="{level}: {message}", diagnose=False)
    try:
        summary = Engine(settings).run()
    finally:
        if sink is not None:
            logger.remove(sink)
            logger.add(__import__("sys").stderr, diagnose=False)
    return BacktestResult(summary, compute_results(Path(summary.audit_path), summary.run_id))
