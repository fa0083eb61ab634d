"""Plugin ``risk_loss``: today's loss limits for the account and per strategy (``risk.loss``).

The loss is minus today's P&L: realised plus unrealised, fees included
(``ctx.account_pnl_today``, ``ctx.strategy_pnl_today``). Checks:
``daily_loss_account`` (CNY), ``daily_loss_account_pct`` (fraction of the
day's starting total asset) and ``daily_loss_strategy`` (CNY; per-strategy
overrides in ``strategy_limits``).

A breach does two things:

* it moves trading to ``action`` (REDUCING or HALTED) through
  ``ctx.set_trading_state``: the account for an account limit, the one strategy
  for a strategy limit. This happens once per scope and trading day: it is not
  repeated on every order, and an operator's ``resume`` is not overridden;
* while the loss stays beyond the limit, orders that do not reduce a position are
  denied by this rule (sells within the sellable volume always pass).

Limits are looked at on every order and on every heartbeat, so a loss is
noticed even when no strategy is placing orders. (Not in ``on_trade``: between
a fill and the broker's next asset push the engine's account has the sold
shares gone but not yet the cash, which reads as a loss of the proceeds.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

from engine.events import Event, OrderIntent
from engine.hookspecs import hookimpl
from engine.models import OrderRequest, RiskDecision
from .decisions import Check, cny, decide, failed, passed
from engine.builtin.risk.settings import LossLimits

FAMILY = "daily_loss"
PCT_DIGITS = Decimal("0.0001")


class LossRules:
    """Daily loss limits that deny opening orders and move the trading state once per day."""

    def __init__(self, settings: LossLimits, strategies: Iterable[str] = ()) -> None:
        self.settings = settings
        #: strategies whose P&L the heartbeat looks at: configured ones and any that sent an order
        self.strategies: set[str] = set(strategies) | set(settings.strategy_limits)
        #: scopes (``"account"`` or ``"strategy:<name>"``) whose state this rule already changed today
        self.tripped: set[str] = set()
        self.day: dt.date | None = None

    # -- hooks ---------------------------------------------------------------

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        checks = self._evaluate(ctx, request.strategy)
        if ctx.reduces_position(request):
            summary = "; ".join(c.reason for c in checks) or "no loss limit configured"
            return RiskDecision.allow(FAMILY, f"sell within the sellable volume of {request.code}: loss limits do not "
                                              f"apply ({summary})")
        return decide(FAMILY, checks)

    @hookimpl
    def on_heartbeat(self, ctx) -> None:
        self._evaluate(ctx, None)
        for strategy in sorted(self.strategies):
            self._evaluate(ctx, strategy, account=False)

    @hookimpl
    def track_event(self, event: Event) -> None:
        if isinstance(event, OrderIntent) and not event.external:
            self.strategies.add(event.strategy)

    # -- measuring -----------------------------------------------------------

    def _evaluate(self, ctx, strategy: str | None, *, account: bool = True) -> list[Check]:
        """Measure the account's limits (and ``strategy``'s), and trip the state of any scope in breach."""
        self._roll(ctx.now.date())
        checks: list[Check] = []
        if account:
            for check in self._account_checks(ctx):
                checks.append(check)
                if not check.passed:
                    self._trip(ctx, None, check)
        if strategy is not None:
            check = self._strategy_check(ctx, strategy)
            if check is not None:
                checks.append(check)
                if not check.passed:
                    self._trip(ctx, strategy, check)
        return checks

    def _account_checks(self, ctx) -> list[Check]:
        s = self.settings
        if s.max_daily_loss is None and s.max_daily_loss_pct is None:
            return []
        pnl = ctx.account_pnl_today
        loss = cny(-pnl)
        checks = []
        if s.max_daily_loss is not None:
            checks.append(self._limit("daily_loss_account", "the account", loss, s.max_daily_loss))
        if s.max_daily_loss_pct is not None:
            start = ctx.account.total_asset - pnl
            if start > 0:
                checks.append(self._pct(loss, start, s.max_daily_loss_pct))
        return checks

    def _strategy_check(self, ctx, strategy: str) -> Check | None:
        limit = self.settings.strategy_limits.get(strategy, self.settings.max_daily_loss_per_strategy)
        if limit is None:
            return None
        loss = cny(-ctx.strategy_pnl_today(strategy))
        return self._limit("daily_loss_strategy", f"strategy {strategy!r}", loss, limit)

    @staticmethod
    def _limit(rule: str, who: str, loss: Decimal, limit: Decimal) -> Check:
        if loss > limit:
            return failed(rule, f"{who} has lost {loss} CNY today, over the daily loss limit of {limit} CNY", loss, limit)
        return passed(rule, f"{who}'s loss today {loss} <= {limit} CNY", loss, limit)

    @staticmethod
    def _pct(loss: Decimal, start: Decimal, limit: Decimal) -> Check:
        ratio = loss / start
        shown = ratio.quantize(PCT_DIGITS)
        if ratio > limit:
            return failed("daily_loss_account_pct", f"the account has lost {shown:.2%} of its starting total asset "
                                                    f"{cny(start)} CNY today, over the limit of {limit:.2%}", shown, limit)
        return passed("daily_loss_account_pct", f"the account's loss today {shown:.2%} <= {limit:.2%}", shown, limit)

    # -- acting ----------------------------------------------------------------

    def _roll(self, day: dt.date) -> None:
        if day != self.day:
            self.day, self.tripped = day, set()

    def _trip(self, ctx, strategy: str | None, check: Check) -> None:
        scope = f"strategy:{strategy}" if strategy else "account"
        if scope in self.tripped:
            return
        self.tripped.add(scope)
        ctx.set_trading_state(self.settings.action, f"{check.rule}: {check.reason}", strategy=strategy)


def make_plugin(config) -> LossRules | None:
    """Plugin ``risk_loss`` from ``config.risk.loss``; None when the section is disabled."""
    settings: LossLimits = config.risk.loss
    if not settings.enabled:
        return None
    return LossRules(settings, (s.name for s in getattr(config, "strategies", ()) if getattr(s, "enabled", True)))
