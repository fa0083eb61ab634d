"""A sweep's results: the ranked terminal table (rich), CSV and JSON files, and an HTML page (plotly).

The HTML page is one self-contained file (plotly's JavaScript embedded, opens offline): the objective
against each parameter, the parameters' importance for the objective (optuna's PED-ANOVA evaluator over
the feasible trials; numpy only, unlike fANOVA which needs scikit-learn), the in-sample against the out-of-sample objective when the sweep walks forward,
and the ranked table.
"""

from __future__ import annotations

import html
import json
import math
import warnings
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .ranking import SIDE_BY_SIDE, Candidate
from .spec import SweepSpec

__all__ = ["param_importance", "ranked_table", "render_html", "write_csv", "write_json", "write_reports"]


def _short(path: str) -> str:
    """``strategies.ma_cross.params.fast`` -> ``fast`` (the table's column heading)."""
    return path.rsplit(".", 1)[-1]


def _number(value: Any, pct: bool = False) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value * 100:.2f}%" if pct else f"{value:.4g}"
    return str(value)


#: figures shown as percentages in the terminal table
_PERCENT = frozenset({"total_return", "annual_return", "max_drawdown", "max_drawdown_intraday", "volatility",
                      "excess_return", "win_rate"})


def _walks(candidates: list[Candidate]) -> bool:
    return any(t["phase"] != "full" for c in candidates for t in c.trials)


def ranked_table(spec: SweepSpec, candidates: list[Candidate], limit: int | None = 20) -> Table:
    """The ranked parameter sets as a rich table (feasible ones ranked; the rest after them)."""
    walk = _walks(candidates)
    table = Table(title=f"sweep: {len(candidates)} parameter sets, ranked by {spec.objective.metric} "
                        f"({spec.objective.direction})" + (", in-sample" if walk else ""))
    table.add_column("rank", justify="right")
    for path in spec.space:
        table.add_column(_short(path), justify="right")
    table.add_column(spec.objective.metric + (" IS" if walk else ""), justify="right")
    if walk:
        table.add_column(spec.objective.metric + " OOS", justify="right")
    for name in SIDE_BY_SIDE:
        if name == spec.objective.metric:
            continue
        table.add_column(name + (" IS" if walk else ""), justify="right")
        if walk:
            table.add_column(name + " OOS", justify="right")
    table.add_column("fills", justify="right")
    table.add_column("status")
    for cand in candidates[:limit] if limit else candidates:
        row = [str(cand.rank) if cand.rank else "-"] + [_number(cand.params.get(p)) for p in spec.space]
        as_pct = spec.objective.metric in _PERCENT
        row.append(_number(cand.objective, as_pct))
        if walk:
            row.append(_number(cand.oos_objective, as_pct))
        for name in SIDE_BY_SIDE:
            if name == spec.objective.metric:
                continue
            pct = name in _PERCENT
            row.append(_number(cand.in_sample.get(name), pct))
            if walk:
                row.append(_number(cand.out_of_sample.get(name), pct))
        row.append(str(sum(t.get("fills") or 0 for t in cand.trials)))
        status = cand.status if cand.feasible or cand.status != "done" else "infeasible"
        row.append(status)
        table.add_row(*row, style=None if cand.feasible else "dim")
    return table


def print_table(spec: SweepSpec, candidates: list[Candidate], console: Console | None = None,
                limit: int | None = 20) -> None:
    (console or Console()).print(ranked_table(spec, candidates, limit))


def rows(spec: SweepSpec, candidates: list[Candidate]) -> list[dict[str, Any]]:
    return [c.as_row(spec) for c in candidates]


def write_csv(spec: SweepSpec, candidates: list[Candidate], path: Path) -> Path:
    import pandas as pd

    pd.DataFrame(rows(spec, candidates)).to_csv(path, index=False)
    return path


def write_json(spec: SweepSpec, candidates: list[Candidate], path: Path) -> Path:
    """Every candidate with its trials (params, status, metrics, fingerprints, audit paths)."""
    data = {"objective": spec.objective.model_dump(), "constraints": [c.model_dump() for c in spec.constraints],
            "sampler": spec.sampler.model_dump(), "space": {k: v.model_dump(exclude_none=True) for k, v in spec.space.items()},
            "candidates": [{**c.as_row(spec), "params": c.params,
                            "trials": [{k: v for k, v in t.items() if k != "params"} for t in c.trials]}
                           for c in candidates]}
    path.write_text(json.dumps(data, indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    return path


def param_importance(spec: SweepSpec, candidates: list[Candidate]) -> dict[str, float]:
    """Each parameter's importance for the objective (optuna's PED-ANOVA evaluator over the
    feasible parameter sets); {} with fewer than two of them or when the objective never varies."""
    try:
        import optuna
    except ImportError:  # a grid sweep runs without optuna; the importance chart is then left out
        return {}
    from optuna.importance import get_param_importances
    from optuna.trial import create_trial

    from .samplers import distribution

    feasible = [c for c in candidates if c.feasible and c.objective is not None]
    if len(feasible) < 2 or len({c.objective for c in feasible}) < 2:
        return {}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = {name: distribution(dim) for name, dim in spec.space.items()}
    study = optuna.create_study(direction="maximize" if spec.objective.direction == "maximize" else "minimize")
    for cand in feasible:
        study.add_trial(create_trial(params=cand.params, distributions=dists, value=cand.objective))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PED-ANOVA warns that few trials make a rough estimate
            found = get_param_importances(study, evaluator=optuna.importance.PedAnovaImportanceEvaluator())
        return {k: float(v) for k, v in found.items()}
    except (RuntimeError, ValueError):  # e.g. a parameter that never varies among the feasible sets
        return {}


def _figures(spec: SweepSpec, candidates: list[Candidate]) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    metric = spec.objective.metric
    layout = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=40))
    out = []
    scored = [c for c in candidates if c.objective is not None]
    names = list(spec.space)
    grid = make_subplots(rows=1, cols=len(names), shared_yaxes=True, subplot_titles=[_short(n) for n in names])
    for col, name in enumerate(names, 1):
        for feasible, colour in ((True, "#1f77b4"), (False, "#bbbbbb")):
            group = [c for c in scored if c.feasible is feasible]
            values = [c.params.get(name) for c in group]
            grid.add_trace(go.Scatter(x=[str(v) if isinstance(v, str) else v for v in values],
                                      y=[c.objective for c in group], mode="markers",
                                      marker=dict(color=colour, size=9),
                                      name="feasible" if feasible else "breaks a constraint", showlegend=col == 1,
                                      text=[f"#{c.number} rank {c.rank or '-'}" for c in group]), row=1, col=col)
    grid.update_yaxes(title_text=metric, row=1, col=1)
    grid.update_layout(title=f"{metric} against each parameter", height=380, **layout)
    out.append(("objective", grid))
    importance = param_importance(spec, candidates)
    if importance:
        bar = go.Figure(go.Bar(x=list(importance.values()), y=[_short(k) for k in importance], orientation="h"))
        bar.update_layout(title=f"parameter importance for {metric} (PED-ANOVA)", height=120 + 40 * len(importance),
                          xaxis_title="share of the objective's variance", **layout)
        out.append(("importance", bar))
    if _walks(candidates):
        pairs = [c for c in scored if c.oos_objective is not None]
        fig = go.Figure(go.Scatter(x=[c.objective for c in pairs], y=[c.oos_objective for c in pairs], mode="markers",
                                   marker=dict(size=9), text=[f"#{c.number}" for c in pairs]))
        values = [v for c in pairs for v in (c.objective, c.oos_objective) if v is not None]
        if values:
            low, high = min(values), max(values)
            fig.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", line=dict(dash="dot", color="#999"),
                                     name="OOS = IS"))
        fig.update_layout(title=f"{metric}: in-sample against out-of-sample", xaxis_title="in-sample",
                          yaxis_title="out-of-sample", height=420, showlegend=False, **layout)
        out.append(("walk_forward", fig))
    return out


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:24px;color:#222}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}} th{{background:#f4f4f4}}
tr.infeasible td{{color:#999}} .meta{{color:#555}}</style>
<script>{plotly}</script></head><body>
<h1>{title}</h1><p class="meta">{meta}</p>
{charts}
<h2>Ranked parameter sets</h2>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
</body></html>
"""


def render_html(spec: SweepSpec, candidates: list[Candidate]) -> str:
    """The sweep's HTML page (self-contained: plotly's JavaScript embedded)."""
    from plotly.offline import get_plotlyjs

    charts = "\n".join(f'<div id="{name}">' + fig.to_html(include_plotlyjs=False, full_html=False,
                                                           config={"displaylogo": False}) + "</div>"
                       for name, fig in _figures(spec, candidates))
    table_rows = rows(spec, candidates)
    columns = [k for k in (table_rows[0] if table_rows else {}) if k not in ("audit_path", "config_fingerprint",
                                                                             "data_fingerprint", "fills_digest")]
    head = "".join(f"<th>{html.escape(_short(c))}</th>" for c in columns)
    body = "".join(
        f'<tr class="{"" if row["feasible"] else "infeasible"}">' +
        "".join(f"<td>{html.escape(_number(row.get(c)) if not isinstance(row.get(c), float) or not math.isnan(row.get(c)) else '-')}</td>"
                for c in columns) + "</tr>" for row in table_rows)
    constraints = ", ".join(c.describe() for c in spec.constraints) or "none"
    meta = html.escape(f"sampler {spec.sampler.kind} (seed {spec.sampler.seed}); objective {spec.objective.metric} "
                       f"({spec.objective.direction}); constraints: {constraints}; sweep file {spec.source_path}")
    return _PAGE.format(title=html.escape(f"Sweep {spec.source_path.stem if spec.source_path else ''}"),
                        plotly=get_plotlyjs(), meta=meta, charts=charts, head=head, body=body)


def write_reports(spec: SweepSpec, candidates: list[Candidate], folder: Path) -> dict[str, Path]:
    """``results.csv``, ``results.json`` and ``report.html`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "report.html"
    page.write_text(render_html(spec, candidates), encoding="utf-8")
    return {"csv": write_csv(spec, candidates, folder / "results.csv"),
            "json": write_json(spec, candidates, folder / "results.json"), "html": page}
