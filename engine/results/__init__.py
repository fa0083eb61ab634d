"""Results of a run, computed from the audit database alone: the same for live, paper and backtest.

* :mod:`.marks` is the built-in plugin ``results``: it records the account's value
  (``equity_marks``) at the start, in trading hours, after each close and at the stop.
* :mod:`.load` reads one run (its settings, marks, fills) from an audit file;
  :mod:`.pnl` holds the one definition of daily P&L; :mod:`.metrics`, :mod:`.trades`,
  :mod:`.attribution` and :mod:`.benchmark` compute the figures; :mod:`.run_results`
  puts them together (:func:`compute_results`, :func:`run_metrics`).
* :mod:`.html`, :mod:`.terminal` and :mod:`.json_report` show them; :mod:`.notebook`
  is ``engine.backtest(...)`` for notebooks.

The heavy parts (pandas, plotly) are imported only when used, so ``import engine``
stays fast. See docs/results.md.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RunResults", "compute_results", "load_results", "render_report_html", "run_metrics"]


def __getattr__(name: str) -> Any:
    if name in ("RunResults", "compute_results", "load_results", "run_metrics"):
        from . import run_results

        return getattr(run_results, name)
    if name == "render_report_html":
        from .html import render_report_html

        return render_report_html
    raise AttributeError(f"module 'engine.results' has no attribute {name!r}")
