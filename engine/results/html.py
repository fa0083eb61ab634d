"""The HTML report: one self-contained file (plotly's JavaScript embedded, no network), from jinja2.

:func:`render_report_html` renders one run, :func:`render_comparison_html` several
side by side; both return the page as a string (the web UI serves it as it is),
:func:`write_report` writes a file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .. import __version__
from .format import HEADLINE, METRIC_LABELS, label, show
from .run_results import RunResults, compute_results

__all__ = ["render_comparison_html", "render_report_html", "write_report"]

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


@lru_cache(maxsize=1)
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("engine.results", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["show"] = lambda value, key: show(key, value)
    env.globals["label"] = label
    return env


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _chart_divs(figures) -> list[dict[str, str]]:
    return [{"id": name, "html": fig.to_html(include_plotlyjs=False, full_html=False, div_id=f"chart-{name}",
                                             config=_PLOT_CONFIG)} for name, fig in figures]


_SIGNED = {"pnl", "total_return", "annual_return", "sharpe", "sortino", "max_drawdown", "calmar", "excess_return"}


def _tone(key: str, value: Any) -> str:
    """``pos``/``neg`` for figures whose sign says good or bad; '' otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if key not in _SIGNED or number == 0:
        return ""
    return "pos" if number > 0 else "neg"


_BENCHMARK_KEYS = {"benchmark", "benchmark_total_return", "excess_return", "alpha", "beta", "information_ratio",
                   "tracking_error"}


def _metric_rows(metrics: dict[str, Any]) -> list[dict[str, str]]:
    """Every figure, in the order of METRIC_LABELS; the benchmark's only when there is one."""
    return [{"key": key, "label": label(key), "value": show(key, metrics.get(key))} for key in METRIC_LABELS
            if key in metrics and (metrics.get("benchmark") or key not in _BENCHMARK_KEYS)]


def _run_context(results: RunResults) -> dict[str, Any]:
    from .charts import run_figures

    run = results.run
    trades = [t.as_dict() for t in results.trades]
    return {
        "run": run, "metrics": results.metrics,
        "headline": [(k, label(k), show(k, results.metrics.get(k)), _tone(k, results.metrics.get(k)))
                     for k in HEADLINE if k in results.metrics],
        "metric_rows": _metric_rows(results.metrics), "charts": _chart_divs(run_figures(results)),
        "strategies": results.strategies, "trades": trades, "notes": results.notes,
        "params": json.dumps(run.get("strategies") or {}, indent=2, ensure_ascii=False),
        "plugin_settings": json.dumps(run.get("plugin_settings") or {}, indent=2, ensure_ascii=False),
        "config": json.dumps(run.get("config") or {}, indent=2, ensure_ascii=False),
        "data": run.get("data") or {}, "conventions": results.settings, "benchmark": results.benchmark_name,
    }


def render_report_html(source: RunResults | Database | str | Path, run: str | None = None) -> str:
    """The report page of one run: ``source`` is computed results, or an audit database (path or open)
    with ``run`` (default: the latest run)."""
    results = source if isinstance(source, RunResults) else compute_results(source, run)
    context = _run_context(results)
    return _environment().get_template("report.html.j2").render(
        title=f"run {results.run_id}", version=__version__, plotly_js=_plotly_js(), **context)


def render_comparison_html(runs: list[RunResults]) -> str:
    """One page with several runs side by side: headline figures, settings, equity and drawdown."""
    from .charts import comparison_figures

    keys = [k for k in METRIC_LABELS if any(k in r.metrics for r in runs)]
    table = [{"label": label(k), "values": [show(k, r.metrics.get(k)) for r in runs]} for k in keys]
    settings = [{"run": r.run_id, "mode": r.run.get("mode"), "params": _params_text(r.run.get("strategies") or {}),
                 "config": (r.run.get("config_fingerprint") or "")[:12], "data": (r.run.get("data_fingerprint") or "")[:12],
                 "first": r.metrics.get("first_day"), "last": r.metrics.get("last_day")} for r in runs]
    return _environment().get_template("compare.html.j2").render(
        title="comparison of " + ", ".join(r.run_id for r in runs), version=__version__, plotly_js=_plotly_js(),
        runs=runs, table=table, settings=settings, charts=_chart_divs(comparison_figures(runs)))


def _params_text(strategies: dict[str, Any]) -> str:
    """``name: key=value, ...; name: ...`` (the comparison's settings column)."""
    return "; ".join(f"{name}: " + ", ".join(f"{k}={v}" for k, v in sorted(((entry or {}).get("params") or {}).items()))
                     for name, entry in sorted(strategies.items()))


def write_report(html: str, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
