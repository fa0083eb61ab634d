"""``qmt-engine sweep sweep.yaml``: run a parameter sweep (docs/sweep.md) and rank its trials."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import console, print_error

#: exit codes: 0 the sweep ran (and --verify-best matched); 1 --verify-best found a difference or no
#: trial finished; 2 the sweep could not start (bad sweep file or base configuration, executor)
EXIT_OK, EXIT_DIFFERENT, EXIT_START_FAILED = 0, 1, 2


def sweep(sweep_file: Path = typer.Argument(..., dir_okay=False, help="The sweep file (docs/sweep.md)."),
          jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                             help="Local executor: processes (default: executor.jobs, else the cores)."),
          budget: Optional[int] = typer.Option(None, "--budget", min=1,
                                               help="Run at most this many parameter sets (default: the file's budget; grid: all)."),
          executor: Optional[str] = typer.Option(None, "--executor", help="local | dask | ray (default: the file's)."),
          address: Optional[str] = typer.Option(None, "--address", help="dask/ray: the scheduler, e.g. tcp://host:8786."),
          folder: Optional[Path] = typer.Option(None, "--folder", file_okay=False,
                                                help="The sweep folder (default: the file's folder:, else var/sweeps/<name>)."),
          verify_best: bool = typer.Option(False, "--verify-best",
                                           help="Then re-run the best trial in this process; any difference in fills "
                                                "or metrics is an error (exit code 1)."),
          report_only: bool = typer.Option(False, "--report-only", help="Run nothing: show and write the results so far."),
          top: int = typer.Option(20, "--top", min=1, help="Rows of the ranked table shown."),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="No line per finished trial.")) -> None:
    """Run a parameter sweep (grid, random or optuna TPE) on a local process pool, a Dask cluster or Ray;
    each trial a full backtest with its own audit database. Resumes when run again."""
    from ..config import ConfigError
    from ..sweep.driver import open_store, ranked, run_sweep, verify_best as verify
    from ..sweep.executors import ExecutorError
    from ..sweep.report import print_table, write_reports
    from ..sweep.spec import SweepSpecError, load_sweep_spec
    from ..sweep.store import SweepStoreError

    try:
        spec = load_sweep_spec(sweep_file)
        settings = spec.executor.model_copy(update={k: v for k, v in (("kind", executor), ("address", address)) if v})
        settings = type(settings).model_validate(settings.model_dump())
        if folder is not None:
            spec = spec.model_copy(update={"folder": folder.resolve()})
    except (SweepSpecError, ValueError) as exc:
        print_error(exc)
        raise typer.Exit(code=EXIT_START_FAILED) from None
    assert spec.folder is not None

    def progress(result, finished, total) -> None:
        if quiet:
            return
        shown = ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in result.params.items())
        window = f" [{result.window[0]} {result.window[1]}..{result.window[2]}]" if result.window else ""
        value = result.metrics.get(spec.objective.metric)
        figure = f"{spec.objective.metric} {value:.4g}" if isinstance(value, float) else result.error or ""
        console.print(f"[{finished}/{total}] #{result.number} {shown}{window}: {result.status} {figure} "
                      f"({result.elapsed_seconds:.1f} s)", highlight=False, markup=False)

    try:
        if not report_only:
            outcome = run_sweep(spec, jobs=jobs, budget=budget, executor=settings, on_result=progress)
            console.print(f"sweep: {outcome.ran} trial(s) run on {outcome.executor}, {outcome.skipped} already "
                          f"finished; {outcome.failed} failed, {outcome.errors} error(s)", highlight=False)
        store = open_store(spec)
    except (ConfigError, SweepStoreError, ExecutorError) as exc:
        print_error(exc)
        raise typer.Exit(code=EXIT_START_FAILED) from None
    except ImportError as exc:  # optuna (random, tpe) or distributed missing
        print_error(f"{exc}; the sweep extra installs them: pip install 'qmt-engine[sweep]'")
        raise typer.Exit(code=EXIT_START_FAILED) from None
    try:
        candidates = ranked(spec, store)
        print_table(spec, candidates, console, limit=top)
        paths = write_reports(spec, candidates, spec.folder)
        console.print(f"sweep database: {store.path}\nresults: {paths['csv']}, {paths['json']}\nreport:  {paths['html']}",
                      highlight=False)
        if not any(c.feasible for c in candidates):
            print_error("no trial finished within the constraints")
            raise typer.Exit(code=EXIT_DIFFERENT)
        if verify_best:
            checked = verify(spec, store)
            if not checked.ok:
                print_error(f"--verify-best: re-running candidate {checked.candidate} in one process gave a different "
                            "result:\n" + "\n".join(f"  - {d}" for d in checked.differences))
                raise typer.Exit(code=EXIT_DIFFERENT)
            console.print(f"--verify-best: candidate {checked.candidate} re-run in one process: identical fills and "
                          f"metrics ({checked.checked} trial(s))", highlight=False)
    finally:
        store.close()
