"""``qmt-engine config check``: validate the configuration and the plugins without running."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import ConfigOption, SetOption, console, inspect_plugins, load_or_exit

app = typer.Typer(help="Inspect and validate the configuration.", no_args_is_help=True)


@app.command("check")
def check(config: Optional[Path] = ConfigOption, overrides: Optional[list[str]] = SetOption) -> None:
    """Validate config.yaml (fields, types, env variables, ``--set`` overrides) and load every plugin and strategy."""
    settings = load_or_exit(config, overrides)
    _pm, loaded = inspect_plugins(settings)
    console.print(f"[green]ok[/]: {settings.source_path}", highlight=False)
    console.print(f"  mode: {settings.mode}, account: {settings.masked_account()}, audit: {settings.audit.path}", highlight=False)
    console.print("  plugins: " + ", ".join(f"{p.name} ({p.kind})" for p in loaded), highlight=False)
