"""Built-in plugin ``trading_day``: the daily routine, as scheduled jobs on trading days.

* ``pre_open_check`` (09:15): the broker is connected, the account is loaded,
  market data answers for the codes the engine trades, and today is a trading
  day; anything missing is an ``alert`` in the audit database and the log.
* ``open`` / ``lunch_break``: recorded (every job run is a ``job_runs`` row).
* ``close`` (15:00): optionally cancels the account's open orders.
* ``post_close`` (15:05): reconciles the day with the broker, then writes the
  daily statement (orders, fills, fees, P&L per strategy) to the audit
  database and as ``statement-YYYY-MM-DD.md`` under ``trading_day.report_dir``.

Each step's time is set under ``trading_day:`` in config.yaml (null skips it);
``plugins.disabled: [trading_day]`` turns the whole routine off.
"""

from __future__ import annotations

import json

from loguru import logger

from ..config import EngineConfig
from ..config.models import TradingDaySettings
from ..account.statement import statement_markdown
from ..hookspecs import hookimpl

STEPS = ("pre_open_check", "open", "lunch_break", "close", "post_close")


class TradingDayRoutine:
    def __init__(self, settings: TradingDaySettings, *, report_files: bool = True) -> None:
        self.settings = settings
        self.report_files = report_files

    @hookimpl
    def register_jobs(self, register) -> None:
        for step in STEPS:
            at = getattr(self.settings, step)
            if at is not None:
                register(name=f"trading_day.{step}", at=at.strftime("%H:%M:%S"))

    @hookimpl
    def on_schedule(self, ctx, job: str, params: dict) -> None:
        step = job.partition(".")[2]
        getattr(self, f"_{step}")(ctx)

    def _pre_open_check(self, ctx) -> None:
        problems = []
        if not ctx.connected:
            problems.append("the broker is not connected")
        if ctx.account.total_asset <= 0:
            problems.append("the account shows no assets (not loaded?)")
        codes = sorted(set(ctx.positions) | {o.code for o in ctx.open_orders(all_strategies=True)})
        missing = [code for code in codes if ctx.instrument(code) is None]
        if missing:
            problems.append(f"no instrument data for {', '.join(missing)}")
        if problems:
            detail = "pre-open check failed: " + "; ".join(problems)
            logger.error(detail)
            ctx.emit_alert("pre_open_check", detail)
        else:
            logger.info("pre-open check passed: connected, account loaded, {} code(s) with market data", len(codes))

    def _open(self, ctx) -> None:
        logger.info("market open ({})", ctx.now.date())

    def _lunch_break(self, ctx) -> None:
        logger.info("lunch break: {} open order(s)", len(ctx.open_orders(all_strategies=True)))

    def _close(self, ctx) -> None:
        open_orders = ctx.open_orders(all_strategies=True)
        logger.info("market close: {} open order(s)", len(open_orders))
        if self.settings.cancel_open_at_close:
            for order in open_orders:
                ctx.cancel(order)

    def _post_close(self, ctx) -> None:
        differences = ctx.reconcile_with_broker() if ctx.connected else None
        statement = ctx.daily_statement()
        statement["reconciliation_differences"] = differences
        ctx.record_statement(statement)
        if not self.report_files:
            return
        folder = self.settings.report_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"statement-{statement['day']}.md"
        path.write_text(statement_markdown(statement), encoding="utf-8")
        (folder / f"statement-{statement['day']}.json").write_text(json.dumps(statement, indent=2, ensure_ascii=False),
                                                                    encoding="utf-8")
        logger.info("daily statement written: {}", path)


def make_plugin(config: EngineConfig) -> TradingDayRoutine:
    return TradingDayRoutine(config.trading_day, report_files=config.trading_day.report_files_for(config.mode))


__all__ = ["TradingDayRoutine", "make_plugin"]
