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
from typing import Iterable, NamedTuple

from ...events import Event, OrderIntent, TradingStateChanged
from ...hookspecs import hookimpl
from ...models import OrderRequest, RiskDecision
from .decisions import allow, cny, deny
from .settings import LossLimits

FAMILY = "daily_loss"
PCT_DIGITS = Decimal("0.0001")


class LossCheck(NamedTuple):
    """One measured loss limit: passed or not, with the loss and the limit."""

    rule: str
    passed: bool
    reason: str
    value: Decimal
    limit: Decimal


class LossRules:
    """Daily loss limits that deny opening orders and move the trading state once per day."""

    def __init__(self, settings: LossLimits, strategies: Iterable[str] = ()) -> None:
        self.settings = settings
        #: strategies whose P&L the heartbeat looks at: configured ones and any that sent an order
        self.strategies: set[str] = set(strategies) | set(settings.strategy_limits)
        #: scopes (``"account"`` or ``"strategy:<name>"``) whose state this rule already changed today
        self.tripped: set[str] = set()
        self.day: dt.date | None = None
        pct = settings.max_daily_loss_pct
        self._pct_text = f"{pct:.2%}" if pct is not None else ""
        self._per_strategy = bool(settings.strategy_limits) or settings.max_daily_loss_per_strategy is not None
        #: (day, P&L today, total asset) of the last heartbeat's account check: the same inputs give
        #: the same answer, so an unchanged account is not measured again
        self._account_seen: tuple | None = None

    # -- hooks ---------------------------------------------------------------

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        checks = self._evaluate(ctx, request.strategy)
        if ctx.reduces_position(request):
            summary = "; ".join([c.reason for c in checks]) or "no loss limit configured"
            return RiskDecision(True, FAMILY, f"sell within the sellable volume of {request.code}: loss limits do not "
                                              f"apply ({summary})")
        for check in checks:
            if not check.passed:
                return deny(check.rule, check.reason, check.value, check.limit)
        return allow(FAMILY, [(c.rule, c.reason, c.value, c.limit) for c in checks])

    @hookimpl
    def on_heartbeat(self, ctx) -> None:
        # the same measurements as check_order; only a breach is turned into a check (and trips)
        pnl = ctx.account_pnl_today
        day = self._begin_day(ctx)
        # no loss today: no limit (all are > 0) can be in breach; else measure, unless nothing changed
        if pnl < 0:
            seen = (day, pnl, ctx.account.total_asset)
            if seen != self._account_seen:
                self._account_seen = seen
                self._evaluate(ctx, None, keep_passed=False)
        if self._per_strategy:
            for strategy in sorted(self.strategies):
                self._evaluate(ctx, strategy, account=False, keep_passed=False)

    @hookimpl
    def on_restore(self, ctx, record) -> None:
        """A restart: today's trips by this rule stay tripped (an operator's resume is not overridden
        again), and strategies that sent orders today are watched (issue 13)."""
        self.day = record.day
        prefix = f"{ctx.name}: {FAMILY}"
        for event in record.events:
            if isinstance(event, TradingStateChanged) and event.cause.startswith(prefix):
                self.tripped.add(event.scope)
            elif isinstance(event, OrderIntent) and not event.external:
                self.strategies.add(event.strategy)

    @hookimpl
    def track_event(self, event: Event) -> None:
        if isinstance(event, OrderIntent) and not event.external:
            self.strategies.add(event.strategy)

    # -- measuring -----------------------------------------------------------

    def _begin_day(self, ctx) -> dt.date:
        """Today's date; a new day forgets which scopes this rule tripped."""
        day = ctx.now.date()
        if day != self.day:
            self.day, self.tripped = day, set()
        return day

    def _evaluate(self, ctx, strategy: str | None, *, account: bool = True, keep_passed: bool = True) -> list[LossCheck]:
        """Measure the account's limits (and ``strategy``'s), and trip the state of any scope in breach.

        ``keep_passed=False`` (the heartbeat) returns failed checks only: the texts of the passed
        ones would be thrown away."""
        self._begin_day(ctx)
        checks: list[LossCheck] = []
        if account:
            for check in self._account_checks(ctx, keep_passed):
                checks.append(check)
                if not check.passed:
                    self._trip(ctx, None, check)
        if strategy is not None:
            check = self._strategy_check(ctx, strategy, keep_passed)
            if check is not None:
                checks.append(check)
                if not check.passed:
                    self._trip(ctx, strategy, check)
        return checks

    def _account_checks(self, ctx, keep_passed: bool = True) -> list[LossCheck]:
        s = self.settings
        if s.max_daily_loss is None and s.max_daily_loss_pct is None:
            return []
        pnl = ctx.account_pnl_today
        loss = cny(-pnl)
        checks = []
        if s.max_daily_loss is not None:
            if keep_passed or loss > s.max_daily_loss:
                checks.append(_limit("daily_loss_account", "the account", loss, s.max_daily_loss))
        limit = s.max_daily_loss_pct
        if limit is not None:
            start = ctx.account.total_asset - pnl
            if start > 0 and (keep_passed or loss / start > limit):
                ratio = loss / start
                shown = ratio.quantize(PCT_DIGITS)
                if ratio > limit:
                    checks.append(LossCheck("daily_loss_account_pct", False, f"the account has lost {shown:.2%} of its "
                                            f"starting total asset {cny(start)} CNY today, over the limit of "
                                            f"{self._pct_text}", shown, limit))
                else:
                    checks.append(LossCheck("daily_loss_account_pct", True, f"the account's loss today {shown:.2%} <= "
                                            f"{self._pct_text}", shown, limit))
        return checks

    def _strategy_check(self, ctx, strategy: str, keep_passed: bool = True) -> LossCheck | None:
        limit = self.settings.strategy_limits.get(strategy, self.settings.max_daily_loss_per_strategy)
        if limit is None:
            return None
        loss = cny(-ctx.strategy_pnl_today(strategy))
        if not keep_passed and loss <= limit:
            return None
        return _limit("daily_loss_strategy", f"strategy {strategy!r}", loss, limit)

    # -- acting ----------------------------------------------------------------

    def _trip(self, ctx, strategy: str | None, check: LossCheck) -> None:
        scope = f"strategy:{strategy}" if strategy else "account"
        if scope in self.tripped:
            return
        self.tripped.add(scope)
        ctx.set_trading_state(self.settings.action, f"{check.rule}: {check.reason}", strategy=strategy)


def _limit(rule: str, who: str, loss: Decimal, limit: Decimal) -> LossCheck:
    if loss > limit:
        return LossCheck(rule, False, f"{who} has lost {loss} CNY today, over the daily loss limit of {limit} CNY", loss, limit)
    return LossCheck(rule, True, f"{who}'s loss today {loss!s} <= {limit!s} CNY", loss, limit)


def make_plugin(config) -> LossRules | None:
    """Plugin ``risk_loss`` from ``config.risk.loss``; None when the section is disabled."""
    settings: LossLimits = config.risk.loss
    if not settings.enabled:
        return None
    return LossRules(settings, (s.name for s in getattr(config, "strategies", ()) if getattr(s, "enabled", True)))
