"""``qmt-engine report``: a run's results from the audit database, in the terminal, as HTML and as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..audit import AuditError, open_audit_db
from .common import ConfigOption, console, load_or_exit, print_error

RunIdsArgument = typer.Argument(None, metavar="[RUN_ID]...",
                                help="The run (an id or a unique prefix; default: the latest). With --compare: "
                                     "two or more runs (default: the latest two).")


def _settings_override(risk_free_rate: Optional[float], days_per_year: Optional[int], benchmark: Optional[Path]):
    """None (each run's own results settings) unless an option was given."""
    if risk_free_rate is None and days_per_year is None and benchmark is None:
        return None
    from ..results.settings import BenchmarkSettings, ResultsSettings

    updates = {k: v for k, v in (("risk_free_rate", risk_free_rate), ("days_per_year", days_per_year)) if v is not None}
    if benchmark is not None:
        updates["benchmark"] = BenchmarkSettings(file=benchmark.resolve())
    return updates


def report(run_ids: Optional[list[str]] = RunIdsArgument,
           compare: bool = typer.Option(False, "--compare", help="Put the runs side by side."),
           html: Optional[Path] = typer.Option(None, "--html", dir_okay=False, help="Write the HTML report here (opens offline)."),
           json_out: Optional[Path] = typer.Option(None, "--json", dir_okay=False, help="Write the results as JSON here."),
           db: Optional[Path] = typer.Option(None, "--db", dir_okay=False, help="Audit database (default: audit.path of the configuration)."),
           config: Optional[Path] = ConfigOption,
           risk_free_rate: Optional[float] = typer.Option(None, "--risk-free-rate", help="A year, e.g. 0.02 (default: the run's results.risk_free_rate)."),
           days_per_year: Optional[int] = typer.Option(None, "--days-per-year", min=1, max=366, help="Trading days a year (default: the run's, 252)."),
           benchmark: Optional[Path] = typer.Option(None, "--benchmark", dir_okay=False, help="A date,close CSV/Parquet of the index (default: the run's results.benchmark)."),
           ) -> None:
    """A run's results: equity, returns, Sharpe, drawdown, trades, P&L by strategy (from the audit database)."""
    from ..results.benchmark import BenchmarkError
    from ..results.html import render_comparison_html, render_report_html, write_report
    from ..results.json_report import write_json
    from ..results.load import load_run, resolve_run_id
    from ..results.run_results import results_of
    from ..results.terminal import print_comparison, print_summary

    path = db if db is not None else load_or_exit(config).audit.path
    try:
        database = open_audit_db(path, create=False, read_only=True)
    except AuditError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    ids = list(run_ids or [])
    try:
        if compare:
            if len(ids) == 1:
                print_error("--compare needs two or more runs (or none: the latest two)")
                raise typer.Exit(code=2)
            ids = ids or [r[0] for r in database.execute("SELECT run_id FROM runs ORDER BY rowid DESC LIMIT 2")][::-1]
        elif len(ids) > 1:
            print_error(f"give one run (got {len(ids)}); to put runs side by side add --compare")
            raise typer.Exit(code=2)
        datas = [load_run(database, resolve_run_id(database, run)) for run in (ids or [None])]
    except AuditError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    finally:
        database.close()
    overrides = _settings_override(risk_free_rate, days_per_year, benchmark)
    try:
        runs = [results_of(data, _merged(data, overrides)) for data in datas]
    except (BenchmarkError, ValueError) as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    if compare:
        print_comparison(runs, console)
    else:
        print_summary(runs[0], console)
    if html is not None:
        page = render_comparison_html(runs) if compare else render_report_html(runs[0])
        console.print(f"HTML report: {write_report(page, html)}", highlight=False)
    if json_out is not None:
        data = [r.as_dict() for r in runs] if compare else runs[0].as_dict()
        console.print(f"JSON: {write_json(data, json_out)}", highlight=False)


def _merged(data, overrides):
    if overrides is None:
        return None
    from ..results.run_results import _settings_of

    return _settings_of(data, None).model_copy(update=overrides)


def after_run(settings, summary) -> None:
    """What ``qmt-engine run`` adds after its summary: a backtest's report (written, and where), or the command."""
    if summary.reason == "error":
        return
    if settings.mode != "backtest" or not settings.results.report_after_backtest:
        console.print(f"results:      qmt-engine report {summary.run_id} --db {summary.audit_path}", highlight=False)
        return
    try:
        from ..results.html import render_report_html, write_report
        from ..results.run_results import compute_results
        from ..results.terminal import print_summary

        results = compute_results(Path(summary.audit_path), summary.run_id)
        print_summary(results, console)
        path = write_report(render_report_html(results), settings.results.report_dir / f"report-{summary.run_id}.html")
    except Exception as exc:  # noqa: BLE001 - the run is recorded; a failed report must not hide that
        print_error(f"the report could not be written: {exc} (try: qmt-engine report {summary.run_id})")
        return
    console.print(f"report:       {path}", highlight=False)
