"""``qmt-engine halt`` / ``resume`` / ``state``: the kill switch, usable from another terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ..control import ControlStore
from .common import ConfigOption, console, load_or_exit, print_error

ReasonOption = typer.Option("", "--reason", "-r", help="Why; recorded with the state change.")
StrategyOption = typer.Option(None, "--strategy", "-s", help="Only this strategy (default: the whole account).")


def _store(config: Optional[Path], strategy: Optional[str] = None) -> ControlStore:
    settings = load_or_exit(config)
    if strategy is not None:
        _check_strategy_name(settings, strategy)
    return ControlStore(settings.engine.control_path)


def _check_strategy_name(settings, strategy: str) -> None:
    """A halt naming no strategy of this configuration would halt nothing: refuse it, naming the known ones."""
    from ..plugin_manager import DEFAULT_PLUGINS

    strategies = {s.name for s in settings.strategies} | _latest_run_plugins(settings.audit.path)
    known = strategies | {p.plugin_name for p in settings.plugins.files} | {name for name, _ in DEFAULT_PLUGINS}
    strategies = sorted(strategies - {name for name, _ in DEFAULT_PLUGINS})
    if strategy not in known:
        print_error(f"{settings.source_path or 'config'}: no strategy or plugin named {strategy!r}; "
                    f"strategies: {', '.join(strategies) or '(none)'}")
        raise typer.Exit(code=2)


def _latest_run_plugins(audit_path: Path) -> set[str]:
    """The plugins the latest run on this audit database registered (entry points and embedded ones too)."""
    import json
    import sqlite3

    from ..audit import AuditError, open_audit_db

    if not Path(audit_path).is_file():
        return set()
    try:
        db = open_audit_db(audit_path, read_only=True)
        try:
            row = db.execute("SELECT settings FROM runs ORDER BY rowid DESC LIMIT 1").fetchone()
        finally:
            db.close()
        return set(json.loads(row[0]).get("plugins") or []) if row and row[0] else set()
    except (AuditError, sqlite3.Error, ValueError, AttributeError):
        return set()  # no readable run: the configuration's names decide


def halt(config: Optional[Path] = ConfigOption,
         cancel_open: bool = typer.Option(False, "--cancel-open", help="Also cancel the open orders (of the strategy)."),
         reason: str = ReasonOption, strategy: Optional[str] = StrategyOption) -> None:
    """Stop new orders now (HALTED). A running engine applies it within a second; a stopped one starts halted."""
    store = _store(config, strategy)
    command_id = store.request("halt", cancel_open=cancel_open, reason=reason, strategy=strategy)
    what = f"strategy {strategy}" if strategy else "the account"
    console.print(f"halt of {what} requested (command #{command_id}{', cancel open orders' if cancel_open else ''}) "
                  f"in {store.path}", highlight=False)


def resume(config: Optional[Path] = ConfigOption, reason: str = ReasonOption,
           strategy: Optional[str] = StrategyOption) -> None:
    """Allow orders again (ACTIVE)."""
    store = _store(config, strategy)
    command_id = store.request("resume", reason=reason, strategy=strategy)
    what = f"strategy {strategy}" if strategy else "the account"
    console.print(f"resume of {what} requested (command #{command_id}) in {store.path}", highlight=False)


def state(config: Optional[Path] = ConfigOption,
          limit: int = typer.Option(10, "--limit", "-n", min=1, help="History rows to show.")) -> None:
    """Show the persisted trading states and the latest commands."""
    store = _store(config)
    current = store.current_states()
    console.print("trading state: " + (", ".join(f"{scope} {st} ({cause})" for scope, (st, cause) in sorted(current.items()))
                                       or "ACTIVE (nothing recorded)"), highlight=False)
    pending = store.pending_commands()
    if pending:
        console.print(f"pending (not yet applied by an engine): {', '.join(f'#{c.id} {c.action}' for c in pending)}",
                      highlight=False)
    table = Table(title="history")
    for column in ("at", "kind", "what", "detail"):
        table.add_column(column)
    for row in store.history(limit):
        what = (f"{row['action']} {row.get('strategy') or 'account'}" if row.get("action")
                else f"{row.get('scope')} {row.get('state')}")
        detail = row.get("reason") or row.get("cause") or row.get("requested_by") or ""
        table.add_row(row["at"], row["kind"], what, detail)
    console.print(table)
