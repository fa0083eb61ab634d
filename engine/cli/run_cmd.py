"""``qmt-engine run``: run the configured mode to the end and print a summary."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer
from loguru import logger
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..audit import AuditError
from ..core import Engine, RunSummary
from ..hookspecs import hookimpl
from ..logs import setup_logging
from ..broker import BrokerError
from ..config import ConfigError
from ..events import JournalError
from ..plugin_manager import PluginLoadError
from ..scheduling import ScheduleError
from . import report_cmd
from .common import ConfigOption, SetOption, console, load_or_exit, print_error


class _ProgressPlugin:
    """Moves the progress bar on every heartbeat (engine time)."""

    def __init__(self, progress: Progress, task_id, engine_ref: list) -> None:
        self._progress, self._task, self._engine_ref = progress, task_id, engine_ref

    @hookimpl
    def on_heartbeat(self, now) -> None:
        engine = self._engine_ref[0]
        feed = engine.runtime.feed
        done = feed.progress if feed is not None else 0.0
        self._progress.update(self._task, completed=done * 100,
                              description=f"{now:%Y-%m-%d %H:%M:%S}  orders {engine.stats.orders}  fills {engine.stats.fills}")


def run(config: Optional[Path] = ConfigOption,
        overrides: Optional[list[str]] = SetOption,
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar (paper replay)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Only warnings and errors on the console.")) -> None:
    """Run the configured mode (default: paper replay of the bundled sample data) and print a summary."""
    settings = load_or_exit(config, overrides)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>5.1f}%"),
                   TimeElapsedColumn(), console=console, disable=not progress, transient=False)
    setup_logging(settings.logging, console=False)
    level = "WARNING" if quiet else settings.logging.level
    logger.add(lambda message: bar.console.print(message, end="", markup=False, highlight=False, soft_wrap=True),
               level=level, format="{time:HH:mm:ss} {level: <7} {extra[run_id]} {message}", colorize=False,
               diagnose=False)
    engine_ref: list = []
    task = bar.add_task("starting", total=100)
    try:
        engine = Engine(settings, extra_plugins=(("progress", _ProgressPlugin(bar, task, engine_ref)),) if progress else ())
    # e.g. live mode without xtquant; AuditError: the audit file is in use, replaced mid-run, not an audit DB
    except (PluginLoadError, ScheduleError, ConfigError, RuntimeError, AuditError) as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    engine_ref.append(engine)
    previous = signal.signal(signal.SIGTERM, lambda *_: engine.stop("signal"))
    try:
        with bar:
            summary = engine.run()
            bar.update(task, completed=100 if summary.reason == "completed" else None)
    except (BrokerError, JournalError) as exc:
        print_error(f"the run stopped: {exc}")
        raise typer.Exit(code=1) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_summary(summary)
    report_cmd.after_run(settings, summary)
    raise typer.Exit(code=exit_code(summary))


#: ``qmt-engine run``'s exit codes (docs/live.md, "Exit codes"): what a scheduler can act on
EXIT_COMPLETED, EXIT_ERROR, EXIT_START_FAILED, EXIT_PLUGIN_FAULTED = 0, 1, 2, 3


def exit_code(summary: RunSummary) -> int:
    """0 the run completed (or was stopped) with every plugin working; 1 it ended in error; 3 it
    ended but a plugin was FAULTED (a strategy or rule stopped being called). 2 (start-up refused:
    bad configuration, plugin that does not load) is raised before a run exists."""
    if summary.reason == "error":
        return EXIT_ERROR
    if summary.faulted_plugins:
        return EXIT_PLUGIN_FAULTED
    return EXIT_COMPLETED


def _print_summary(summary: RunSummary) -> None:
    faulted = ", a plugin FAULTED" if summary.faulted_plugins else ""
    table = Table(title=f"run {summary.run_id} ({summary.mode}, {summary.reason}{faulted})", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("ticks", summary.ticks), ("orders", summary.orders), ("fills", summary.fills),
        ("denials", summary.denials), ("order errors", summary.order_errors),
        ("plugin errors", summary.plugin_errors), ("fees (CNY)", summary.fees),
        ("bought / sold (CNY)", f"{summary.bought} / {summary.sold}"),
        ("equity start -> end (CNY)", f"{summary.start_equity} -> {summary.end_equity}"),
        ("P&L (CNY)", summary.pnl), ("open positions", summary.open_positions),
        ("elapsed (s)", summary.elapsed_seconds),
    ]
    if summary.faulted_plugins:
        rows.append(("faulted plugins", ", ".join(summary.faulted_plugins) + " (exit code 3)"))
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    console.print(f"audit database: {summary.audit_path}", highlight=False)
    console.print(f"see it with:  qmt-engine audit orders --db {summary.audit_path}", highlight=False)
