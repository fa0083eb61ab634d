"""``qmt-engine audit``: read the audit database (orders, fills, denials, a day's statement...),
verify its hash chain and export it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from rich.table import Table

from ..audit import AuditError, open_audit_db, queries
from ..audit.chain import ChainHead
from ..audit.export import FORMATS, ExportError, export
from ..audit.verify import VerifyReport, verify_chain
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
        return open_audit_db(path, create=False, read_only=True)
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
         as_json: bool = JsonOption,
         metrics: bool = typer.Option(True, "--metrics/--no-metrics", help="Compute Sharpe and max drawdown per run.")) -> None:
    """Runs, newest first: mode, data range, strategy parameters, P&L, headline figures, fingerprints."""
    database = _open(db, config)
    rows = queries.runs(database, limit=limit)
    if metrics:
        _add_metrics(database, rows)
    if as_json:
        _show("runs", rows, True)
        return
    shown = [{"run_id": r["run_id"], "mode": r["mode"], "days": _days(r), "params": _params(r["params"]),
              "pnl": r["pnl"] or "", "return": _pct(r["total_return"]), "sharpe": _num(r.get("sharpe")),
              "max_dd": _pct(r.get("max_drawdown")), "config": (r["config_fingerprint"] or "")[:8],
              "data": (r["data_fingerprint"] or "")[:8], "stop": r["stop_reason"] or "(no stop)"} for r in rows]
    _show("runs", shown, False)


def _add_metrics(database, rows: list[dict[str, Any]]) -> None:
    from ..results.load import load_run
    from ..results.run_results import results_of

    for row in rows:
        if row["start_equity"] is None:
            continue
        figures = results_of(load_run(database, row["run_id"])).metrics
        row.update(sharpe=figures["sharpe"], max_drawdown=figures["max_drawdown"], round_trips=figures["round_trips"],
                   win_rate=figures["win_rate"])


def _days(row: dict[str, Any]) -> str:
    if not row["first_day"]:
        return ""
    return f"{row['first_day']} +{row['days']}d"


def _params(params: dict[str, Any]) -> str:
    return "; ".join(f"{name}: " + ", ".join(f"{k}={v}" for k, v in sorted((p or {}).items()))
                     for name, p in sorted(params.items()))


def _pct(value: Any) -> str:
    return "" if value is None else f"{value * 100:+.2f}%"


def _num(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


@app.command("order")
def order(client_order_id: str = typer.Argument(..., help="The engine's client order id (order_remark), or an "
                                                 "execution algorithm's parent id (ctx.execute): all its children."),
          db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, run: Optional[str] = RunOption,
          as_json: bool = JsonOption) -> None:
    """The full story of one order: every decision, update, fill and error in order. Given a parent id
    (``twap-100000-1``), the story of every child of that algorithm, interleaved in event order."""
    database = _open(db, config)
    story = queries.order_story(database, client_order_id, run_id=run)
    title = f"order {client_order_id}"
    if not story:
        story = queries.parent_story(database, client_order_id, run_id=run)
        title = f"parent {client_order_id}: {len({i['child'] for i in story})} child order(s)"
    rows = [{**({"child": i["child"]} if "child" in i else {}), "seq": i["seq"], "ts": i["ts"], "event": i["event"],
             "details": ", ".join(f"{k}={v}" for k, v in i["details"].items()
                                  if v not in (None, "") and k != "client_order_id")} for i in story]
    _show(title, rows, as_json)


@app.command("summary")
def summary(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, run: Optional[str] = RunOption,
            as_json: bool = JsonOption) -> None:
    """Totals of one run (default: the latest)."""
    database = _open(db, config)
    try:
        run_id = _run_or_latest(database, run)
        if run_id is None:
            console.print("no runs recorded")
            return
        totals = queries.run_summary(database, run_id)
    except AuditError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    _show(f"run {run_id}", [{"field": k, "value": v} for k, v in totals.items()], as_json)


@app.command("statement")
def statement(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption,
              day: Optional[str] = typer.Option(None, "--day", help="Trading day YYYY-MM-DD (default: the latest with orders or fills)."),
              run: Optional[str] = typer.Option(None, "--run", help="This run (default: the latest run)."),
              all_runs: bool = typer.Option(False, "--all-runs", help="Every run's orders and fills of the day together."),
              as_json: bool = JsonOption) -> None:
    """A day's statement of the latest run (or --run, --all-runs): orders by final status, fills, fees,
    turnover, P&L (mark-to-market) and realised P&L (average cost) per strategy."""
    database = _open(db, config)
    if all_runs and run:
        print_error("give --run or --all-runs, not both")
        raise typer.Exit(code=2)
    try:
        run = None if all_runs else _run_or_latest(database, run)
        result = queries.day_statement(database, day=day, run_id=run)
    except (AuditError, ValueError) as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    if as_json:
        console.print_json(json.dumps(result, ensure_ascii=False))
        return
    if result["day"] is None:
        console.print("statement: no orders or fills recorded" + (f" in run {run}" if run else ""))
        return
    scope = f"run {run}" if run else "all runs"
    totals = {k: result[k] for k in ("orders", "denials", "fills", "filled_volume", "turnover", "fees", "pnl",
                                     "realised_pnl", "unmatched_sell_volume")}
    _show(f"statement of {result['day']} ({scope})", [{"field": k, "value": v} for k, v in totals.items()], False)
    _show("orders by final status", [{"status": k, "orders": v} for k, v in result["orders_by_status"].items()], False)
    _show("per strategy", result["strategies"], False,
          ["scope", "strategy", "orders", "fills", "buy_volume", "sell_volume", "fees", "pnl", "realised_pnl",
           "unmatched_sell_volume"])


def _run_or_latest(database, run: Optional[str]) -> Optional[str]:
    """The run ``--run`` names (an id or a unique prefix), or the latest run; None in an empty file."""
    from ..results.load import resolve_run_id

    if run is None and queries.latest_run_id(database) is None:
        return None
    return resolve_run_id(database, run)


@app.command("export")
def export_cmd(source: str = typer.Argument(..., metavar="TABLE_OR_QUERY",
                                            help="A table or view (fills, fill_facts, audit_chain...) or one SELECT query (:run is the --run value)."),
               fmt: str = typer.Option(..., "--format", "-f", help=f"One of {', '.join(FORMATS)} (parquet needs pyarrow)."),
               out: Path = typer.Option(..., "--out", "-o", dir_okay=False, help="The file to write (replaced if it exists)."),
               db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption, run: Optional[str] = RunOption) -> None:
    """Export a table, view or read-only query to CSV, JSON lines or Parquet."""
    database = _open(db, config)
    try:
        count = export(database, source, fmt.lower(), out, run_id=run)
    except ExportError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    console.print(f"exported {count} rows of {source if len(source) <= 40 else source[:37] + '...'} to {out}",
                  highlight=False, markup=False)


@app.command("verify")
def verify(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption,
           head_file: Optional[Path] = typer.Option(None, "--head-file", dir_okay=False,
                                                    help="Chain head file to compare with (default: <database>-chainhead)."),
           no_head_file: bool = typer.Option(False, "--no-head-file", help="Do not compare with the head file."),
           expect_head: list[str] = typer.Option([], "--expect-head", metavar="BLOCK:HASH",
                                                 help="A head noted earlier (e.g. from the engine log) that must still be in the chain; repeatable."),
           max_problems: int = typer.Option(20, "--max-problems", min=1, help="Problems to list."),
           as_json: bool = JsonOption) -> None:
    """Check the append-only triggers and the hash chain of the whole database.

    Exit code 0: intact. 1: tampering found (the first bad row is printed first). 2: cannot check.
    """
    try:
        expected = [_parse_head(text) for text in expect_head]
    except ValueError as exc:
        print_error(exc)
        raise typer.Exit(code=2) from None
    try:
        report = verify_chain(_open(db, config), head_file=head_file, use_head_file=not no_head_file,
                              expected_heads=expected, max_problems=max_problems)
    except AuditError as exc:  # a damaged file: it cannot be checked
        print_error(exc)
        raise typer.Exit(code=2) from None
    if as_json:
        console.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(code=1)


@app.command("accept-replaced")
def accept_replaced(db: Optional[Path] = DbOption, config: Optional[Path] = ConfigOption) -> None:
    """After the audit database was deleted or replaced during a run: let the engine start on it again.

    Run it once you have restored the file from a backup, or decided to keep the file now at the path.
    It prints what the engine found and removes the marker (<database>.replaced).
    """
    from ..audit.file_identity import marker_path

    path = db if db is not None else load_or_exit(config).audit.path
    marker = marker_path(path)
    try:
        text = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        print_error(f"{path}: no marker {marker}: the engine found nothing to accept")
        raise typer.Exit(code=2) from None
    marker.unlink()
    console.print(f"accepted {path} as it is now; the engine had found: {text}", highlight=False, markup=False)


def _parse_head(text: str) -> ChainHead:
    block, _, digest = text.partition(":")
    if not block.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"--expect-head {text!r}: expected BLOCK:HASH, e.g. 42:<64 hex digits>")
    return ChainHead(int(block), 0, digest)


def _print_report(report: VerifyReport) -> None:
    out = console.print
    if report.ok:
        out(f"audit chain intact: {report.database}", highlight=False, markup=False)
    else:
        first = report.first
        print_error(f"TAMPERED: {report.problem_count} problem(s) in {report.database}; first: "
                    f"{first.kind} at {first.where() or 'the chain'}: {first.message}")
    out(f"  chained rows: {report.chained_rows} in {report.blocks} blocks; {report.head.label()}",
        highlight=False, markup=False)
    out(f"  head file: {report.head_file or 'not used'}", highlight=False, markup=False)
    if report.unchained_rows:
        shown = ", ".join(f"{table} {count}" for table, count in sorted(report.unchained_rows.items()))
        out(f"  unchained rows (written before the chain existed, not verifiable): {shown}", highlight=False, markup=False)
    if report.runs_without_stop:
        out(f"  runs without a stop row (crashed or still running): {', '.join(report.runs_without_stop)}",
            highlight=False, markup=False)
    for warning in report.warnings:
        out(f"  warning: {warning}", highlight=False, markup=False)
    if report.problems:
        _show(f"problems (first {len(report.problems)} of {report.problem_count}, in chain order)",
              [{"kind": p.kind, "where": p.where(), "what": p.message} for p in report.problems], False)
