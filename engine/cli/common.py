"""Helpers shared by the subcommands: config loading with clean errors, the console."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from ..config import ConfigError, EngineConfig, load_config

console = Console()
err_console = Console(stderr=True)

ConfigOption = typer.Option(
    None, "--config", "-c",
    help="Configuration file. Default: ./config.yaml if present, else the embedded default (paper mode on sample data).",
    dir_okay=False,
)


def print_error(message: object) -> None:
    """Print an error to stderr; the message is shown literally (``strategies[0]`` is not markup)."""
    err_console.print(f"[bold red]error:[/] {escape(str(message))}", highlight=False)


SetOption = typer.Option(
    None, "--set",
    help="Override a setting: PATH=VALUE, e.g. strategies.ma_cross.params.fast=8 (repeatable; validated like the file).",
)


def load_or_exit(path: Optional[Path], overrides: Optional[list[str]] = None) -> EngineConfig:
    """Load the configuration (with ``--set`` overrides) or print every problem (file, line, field) and exit 2."""
    try:
        return load_config(path, overrides=list(overrides or []))
    except ConfigError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None


def inspect_plugins(settings: EngineConfig):
    """Load every plugin as a run would, with the audit writer on a throw-away file.

    :return: ``(plugin_manager, loaded_plugins)``; the plugins are closed again.
    :raises typer.Exit: (code 2) when a plugin cannot be loaded.
    """
    import tempfile

    from ..plugin_manager import PluginLoadError, load_plugins, make_plugin_manager

    with tempfile.TemporaryDirectory() as scratch:
        probe = settings.model_copy(update={"audit": settings.audit.model_copy(update={"path": Path(scratch) / "probe.db"})})
        pm = make_plugin_manager()
        try:
            loaded = load_plugins(pm, probe)
        except PluginLoadError as exc:
            print_error(exc)
            raise typer.Exit(code=2) from None
        for plugin in loaded:
            close = getattr(plugin.obj, "close", None)
            if plugin.kind == "builtin" and callable(close):
                close()
    return pm, loaded
