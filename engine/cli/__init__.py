"""The ``qmt-engine`` command (also ``python -m engine``).

Subcommands: ``run``, ``report``, ``config check``, ``audit ...``, ``plugins``, ``halt``, ``resume``, ``state``,
``serve``, ``data ...``, ``sweep``.

Each subcommand's module is imported only when that subcommand runs (:class:`LazyCommands`), so
``qmt-engine --help`` and ``--version`` load neither the engine, the audit database layer (sqlite-utils pulls in
pandas) nor the web app.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Any, Optional

import click
import typer
from typer.core import TyperCommand, TyperGroup

from .. import __version__


@dataclass(frozen=True)
class CommandEntry:
    """Where a subcommand lives: ``engine.cli.<module>.<attr>`` is a command function or a ``typer.Typer`` group;
    ``summary`` is its line in ``qmt-engine --help`` (the subcommand's own ``--help`` has the full text)."""

    module: str
    attr: str
    summary: str


COMMANDS: dict[str, CommandEntry] = {
    "run": CommandEntry("run_cmd", "run", "Run the configured mode (default: paper replay of the bundled sample data) and print a summary."),
    "config": CommandEntry("config_cmd", "app", "Inspect and validate the configuration."),
    "audit": CommandEntry("audit_cmd", "app", "Show what the audit database recorded, verify its hash chain, export it."),
    "report": CommandEntry("report_cmd", "report", "A run's results: equity, returns, Sharpe, drawdown, trades, P&L by strategy."),
    "plugins": CommandEntry("plugins_cmd", "plugins", "List plugins in discovery order with the hooks each implements."),
    "halt": CommandEntry("control_cmd", "halt", "Stop new orders now (HALTED), for the account or one strategy."),
    "resume": CommandEntry("control_cmd", "resume", "Allow orders again (ACTIVE)."),
    "state": CommandEntry("control_cmd", "state", "Show the persisted trading states and the latest commands."),
    "serve": CommandEntry("serve_cmd", "serve", "Watch and steer a running engine from a browser (read-only audit, halt/resume)."),
    "data": CommandEntry("data_cmd", "app", "The local market-data store: download history from MiniQMT, import CSV, list, show, check."),
    "sweep": CommandEntry("sweep_cmd", "sweep", "Sweep strategy parameters (grid, random, optuna) on local processes, Dask or Ray; rank the trials."),
}


def import_sqlite_utils_without_pandas() -> None:
    """Import sqlite-utils with pandas and numpy hidden, unless they are loaded already.

    sqlite-utils imports both (when installed) only to map their scalar types to column types when it
    creates tables from Python values; the audit layer never hands it pandas or numpy values, and the two
    cost about 0.3 s of every ``qmt-engine audit ...`` call. A subcommand that needs pandas (a run: the
    exchange calendar) imports it later as usual.
    """
    if "sqlite_utils" in sys.modules or "pandas" in sys.modules:
        return
    hidden = {name: sys.modules.get(name) for name in ("pandas", "numpy")}
    try:
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
        importlib.import_module("sqlite_utils")
    finally:
        for name, module in hidden.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def load_command(name: str) -> click.Command:
    """Import subcommand ``name``'s module and return its click command."""
    entry = COMMANDS[name]
    import_sqlite_utils_without_pandas()
    target: Any = getattr(importlib.import_module(f"{__name__}.{entry.module}"), entry.attr)
    if isinstance(target, typer.Typer):
        target._add_completion = False  # a subcommand group: completion belongs to the top level
        command = typer.main.get_group(target)  # a group even with one subcommand (`config check`)
    else:
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyCommands(TyperGroup):
    """The top-level group: lists every subcommand from :data:`COMMANDS` and imports one only to run it (or to
    show its own help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        return TyperCommand(name=cmd_name, help=entry.summary, short_help=entry.summary)  # for the listing only

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Optional[str], Optional[click.Command], list[str]]:
        if args and args[0] in COMMANDS:
            return args[0], load_command(args[0]), args[1:]
        return super().resolve_command(ctx, args)  # an unknown name: click's "No such command"


app = typer.Typer(
    name="qmt-engine",
    cls=LazyCommands,
    help="Plugin-based strategy engine for A-share trading through MiniQMT: live, paper and replay, "
    "with risk plugins and a SQLite audit trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"qmt-engine {__version__}")
        raise typer.Exit()


@app.callback()
def _top(version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                      help="Print the version and exit.")) -> None:
    """Plugin-based strategy engine for A-share trading through MiniQMT: live, paper and replay, with risk
    plugins and a SQLite audit trail."""


def main() -> None:
    app()
