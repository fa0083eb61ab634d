"""``qmt-engine plugins``: which plugins a configuration loads, in order, and their hooks."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from rich.table import Table

from .common import ConfigOption, console, inspect_plugins, load_or_exit


def plugins(config: Optional[Path] = ConfigOption) -> None:
    """List plugins in discovery order with the hooks each implements."""
    pm, loaded = inspect_plugins(load_or_exit(config))
    table = Table(title="plugins (discovery order)")
    for column in ("name", "kind", "source", "hooks"):
        table.add_column(column)
    for plugin in loaded:
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin.obj) or [])
        table.add_row(plugin.name, plugin.kind, plugin.source, ", ".join(hooks))
    console.print(table)
