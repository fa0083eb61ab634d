"""``qmt-engine data``: the local market-data store (docs/data-format.md).

``download`` (MiniQMT's xtdata, Windows), ``import`` (CSV from other tools),
``list`` (what is held), ``show`` (a code's rows), ``check`` (every row, and
gaps against the trading calendar).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .common import console, print_error

app = typer.Typer(help="The local market-data store: download history from MiniQMT, import CSV, list, show, check.",
                  no_args_is_help=True)

DEFAULT_STORE = Path("var/store")
StoreOption = typer.Option(DEFAULT_STORE, "--store", "-s", help="The store folder.", file_okay=False)
PeriodOption = typer.Option("1d", "--period", "-p", help="tick, 1m, 5m, 15m, 30m, 1h or 1d.")


def _day(text: str, option: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    print_error(f"{option}: {text!r} is not a date (YYYY-MM-DD or YYYYMMDD)")
    raise typer.Exit(code=2)


def _check_period(period: str, allow_tick: bool = True) -> str:
    from ..datastore import BAR_PERIODS, PERIODS

    allowed = PERIODS if allow_tick else BAR_PERIODS
    if period not in allowed:
        print_error(f"--period: {period!r} is not one of {', '.join(allowed)}")
        raise typer.Exit(code=2)
    return period


def _xtdata():
    """The real ``xtquant.xtdata`` (MiniQMT must be running), or exit 2 saying what is missing."""
    import importlib

    try:
        return importlib.import_module("xtquant.xtdata")
    except Exception as exc:  # noqa: BLE001 - ImportError, or the wheel's native part on Linux
        print_error(f"data download needs MiniQMT's xtquant on Windows (pip install \"qmt-engine[qmt]\"): "
                    f"importing xtquant.xtdata failed: {type(exc).__name__}: {exc}")
        raise typer.Exit(code=2) from None


@app.command("download")
def download(
    codes: Optional[List[str]] = typer.Option(None, "--codes", help="Codes, e.g. --codes 600000.SH --codes 000001.SZ "
                                                                     "(or comma-separated)."),
    sector: Optional[str] = typer.Option(None, "--sector", help="A sector of MiniQMT's list, e.g. 沪深A股."),
    period: str = PeriodOption,
    start: str = typer.Option(..., "--start", help="First day, YYYY-MM-DD."),
    end: Optional[str] = typer.Option(None, "--end", help="Last day (default: today)."),
    store: Path = StoreOption,
    details: bool = typer.Option(True, "--details/--no-details", help="Also dividend factors and instrument details."),
) -> None:
    """Download history through xtdata into the store: only what it lacks; an interrupted run resumes."""
    from ..xt.history import HistoryDownload

    period = _check_period(period)
    first = _day(start, "--start")
    last = _day(end, "--end") if end else dt.date.today()
    wanted = [c.strip() for item in (codes or []) for c in item.split(",") if c.strip()]
    if bool(wanted) == bool(sector):
        print_error("give either --codes or --sector")
        raise typer.Exit(code=2)
    job = HistoryDownload(_xtdata(), store)
    try:
        wanted = wanted or job.sector_codes(sector)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task(f"{period} {first}..{last}", total=len(wanted))
            report = job.run(wanted, period, first, last, details=details,
                             on_code=lambda code, done, total: progress.update(task, completed=done,
                                                                               description=f"{period} {code}"))
    except KeyboardInterrupt:
        print_error("interrupted: run the same command again to resume")
        raise typer.Exit(code=130) from None
    except Exception as exc:  # noqa: BLE001 - xtdata raises plain Exception for failed downloads
        print_error(f"{type(exc).__name__}: {exc} (run the same command again to resume)")
        raise typer.Exit(code=1) from None
    console.print(f"{len(wanted)} code(s), {report.total_rows} row(s) written, {len(report.skipped)} already held; "
                  f"store {store}")


@app.command("import")
def import_(
    files: List[Path] = typer.Argument(..., help="CSV files (UTF-8 or GBK).", exists=True, dir_okay=False),
    period: str = PeriodOption,
    code: Optional[str] = typer.Option(None, "--code", help="The code of files without a code column "
                                                            "(default: from the file name)."),
    volume_unit: str = typer.Option("shares", "--volume-unit", help="shares, or lots (100 shares; tushare's vol)."),
    store: Path = StoreOption,
) -> None:
    """Import bar CSV files from other tools (column aliases such as trade_date/ts_code/vol, GBK or UTF-8)."""
    from ..datastore.importer import ImportError_, import_csv

    period = _check_period(period, allow_tick=False)
    total = 0
    for path in files:
        try:
            result = import_csv(path, store, period=period, code=code, volume_unit=volume_unit)
        except ImportError_ as exc:
            print_error(exc)
            raise typer.Exit(code=1) from None
        total += sum(result.rows.values())
        console.print(f"{path} ({result.encoding}): " + ", ".join(f"{c} {n}" for c, n in sorted(result.rows.items())))
    console.print(f"{total} row(s) into {store}")


@app.command("list")
def list_(store: Path = StoreOption) -> None:
    """What the store holds: per period, the codes, rows and the time span."""
    from ..datastore import StoreLayout, held_range

    layout = StoreLayout(store)
    table = Table("period", "codes", "rows", "first", "last")
    for period in layout.periods_held():
        if period == "tick":
            codes = layout.tick_codes()
            days = sorted(p.stem for c in codes for p in layout.tick_dir(c).glob("*.parquet"))
            table.add_row("tick", str(len(codes)), f"{len(days)} day file(s)", days[0] if days else "",
                          days[-1] if days else "")
            continue
        spans = [held_range(store, period, c) for c in layout.bar_codes(period)]
        spans = [s for s in spans if s]
        table.add_row(period, str(len(spans)), str(sum(s[2] for s in spans)),
                      str(min(s[0] for s in spans)) if spans else "", str(max(s[1] for s in spans)) if spans else "")
    if not table.rows:
        console.print(f"the store {store} holds nothing yet (qmt-engine data download / import)")
        return
    console.print(table)


@app.command("show")
def show(
    code: str = typer.Argument(..., help="e.g. 600000.SH"),
    period: str = PeriodOption,
    rows: int = typer.Option(10, "--rows", "-n", help="How many rows from the end."),
    store: Path = StoreOption,
) -> None:
    """A code's last rows, its span, dividends and instrument details."""
    from ..datastore import StoreError, held_range, read_bars, read_dividends, read_instruments

    period = _check_period(period, allow_tick=False)
    try:
        table = read_bars(store, period, [code])
    except StoreError as exc:
        print_error(exc)
        raise typer.Exit(code=1) from None
    first, last, count = held_range(store, period, code) or (None, None, 0)
    detail = next((r for r in read_instruments(store) if r["code"] == code), None)
    title = f"{code} {detail['name'] if detail else ''} {period}: {count} rows {first} .. {last}"
    out = Table(*[n for n in table.column_names if n != "code"], title=title)
    for row in table.slice(max(0, table.num_rows - rows)).to_pylist():
        out.add_row(*[str(row[n]) for n in table.column_names if n != "code"])
    console.print(out)
    for div in read_dividends(store, code):
        console.print(f"ex-date {div['ex_date']}: cash {div['cash']}/share, bonus {div['bonus_shares']}/share, "
                      f"transfer {div['transfer_shares']}/share")


@app.command("check")
def check(
    store: Path = StoreOption,
    period: Optional[str] = typer.Option(None, "--period", "-p", help="Only this period (default: all held)."),
    calendar: str = typer.Option("exchange", "--calendar", help="exchange (XSHG) or weekdays (synthetic data)."),
) -> None:
    """Validate every row of every bar file and report gaps against the trading calendar; exit 1 on problems."""
    from ..datastore.check import check_store

    periods = [_check_period(period, allow_tick=False)] if period else None
    if calendar == "weekdays":
        from ..runtime.backtest import WeekdayCalendar

        days = WeekdayCalendar()
    else:
        from ..calendar import TradingCalendar

        days = TradingCalendar()
    files = bad = gaps_found = 0
    for period_name, code, problems, gaps in check_store(store, days, periods):
        files += 1
        for problem in problems:
            console.print(f"[red]{problem}[/]", highlight=False, markup=True, soft_wrap=True)
        for gap in gaps:
            console.print(f"[yellow]gap[/] {gap}", highlight=False, soft_wrap=True)
        bad += bool(problems)
        gaps_found += len(gaps)
    console.print(f"{files} file(s) checked: {bad} with bad rows, {gaps_found} gap(s)")
    if bad:
        raise typer.Exit(code=1)
