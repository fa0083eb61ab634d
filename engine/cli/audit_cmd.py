"""``qmt-engine audit``: read the audit database as tables (recent orders, fills, denials...)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.table import Table

from ..audit import AuditError, open_audit_db, queries
from .common import ConfigOption, console, load_or_exit, print_error

app = typer.Typer(help="Show what the audit database recorded. Default database: audit.path from the config.",
                  no_args_is_help=True)

DbOption = typer.Option(None, "--db", help="Audit database file (default: audit.path of the configuration).", dir_okay=False)
LimitOption = typer.Option(20, "--limit", "-n", min=1, help="Rows to show, newest first.")
RunOption = typer.Option(None, "--run", help="Only this run id (default: every run).")
JsonOption = typer.Option(False, "--json", help="Print JSON lines instead of a table.")


def _open(db: Optional[Path], config: Optional[Path]):
    path = db if db is not None else load_or_exit(config).audit.path
    try:
        return open_audit_db(path, create=False)
    except AuditError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None


def _show(title: str, rows: list[dict[str, Any]], as_json: bool, columns: list[str] | None = None) -> None:
    if as_json:
        for row in rows:
            console.print_json(json.dumps(row, default=str, ensure_ascii=False))
        return
    if not rows:
        console.print(f"{title}: nothing recorded")
        return
    columns = columns or list(rows[0].keys())
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(c, row.get(c)) for c in columns))
    console.print(table)


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if column in ("ts", "started_at", "stopped_at") and len(text) > 19:
        return text[:19].replace("T", " ")  # ISO microseconds add nothing on screen (--json keeps them)
    return text


def _listing(name: str, query: Callable, columns: list[str] | None, doc: str) -> None:
    def command(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, limit: int = LimitOption,
                run: Optional[str] = RunOption, as_json: bool = JsonOption) -> None:
        _show(name, query(_open(db, config), limit=limit, run_id=run), as_json, columns)

    command.__doc__ = doc
    app.command(name)(command)


_listing("orders", queries.recent_orders,
         ["ts", "client_order_id", "strategy", "code", "side", "volume", "price", "status_label", "filled_volume",
          "avg_price", "fees", "status_msg"],
         "Recent orders: latest status, filled volume, average price (--json for every column).")
_listing("fills", queries.fills,
         ["ts", "trade_id", "client_order_id", "strategy", "code", "side", "price", "volume", "amount", "commission"],
         "Recent fills with price, volume, amount and fees (--json for every column).")
_listing("denials", queries.denials, ["ts", "client_order_id", "strategy", "code", "side", "volume", "price", "rule", "plugin", "reason"],
         "Orders blocked by risk rules, with the rule, plugin and reason.")
_listing("errors", queries.errors, None, "Order errors, cancel errors and plugin errors.")
_listing("connections", queries.connections, ["ts", "kind", "session_id", "detail", "run_id"],
         "Connection events: connected, disconnected, reconnected.")


@app.command("runs")
def runs(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, limit: int = LimitOption,
         as_json: bool = JsonOption) -> None:
    """Runs, newest first."""
    _show("runs", queries.runs(_open(db, config), limit=limit), as_json,
          None if as_json else ["run_id", "mode", "started_at", "stopped_at", "stop_reason", "account"])


@app.command("order")
def order(client_order_id: str = typer.Argument(..., help="The engine's client order id (order_remark)."),
          db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, run: Optional[str] = RunOption,
          as_json: bool = JsonOption) -> None:
    """The full story of one order: every decision, update, fill and error in order."""
    story = queries.order_story(_open(db, config), client_order_id, run_id=run)
    rows = [{"seq": i["seq"], "ts": i["ts"], "event": i["event"],
             "details": ", ".join(f"{k}={v}" for k, v in i["details"].items()
                                  if v not in (None, "") and k != "client_order_id")} for i in story]
    _show(f"order {client_order_id}", rows, as_json)


@app.command("summary")
def summary(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, run: Optional[str] = RunOption,
            as_json: bool = JsonOption) -> None:
    """Totals of one run (default: the latest)."""
    database = _open(db, config)
    run_id = run or queries.latest_run_id(database)
    if run_id is None:
        console.print("no runs recorded")
        return
    try:
        totals = queries.run_summary(database, run_id)
    except AuditError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    _show(f"run {run_id}", [{"field": k, "value": v} for k, v in totals.items()], as_json)
