"""Orders that bring positions to targets under A-share rules: a pure function of a :class:`Book`.

:func:`plan` takes target volumes; :func:`targets_from_weights` and
:func:`target_volume` turn weights, values and percents into them. The plan lists
sells first (they free cash), then buys in the order the targets were given, each
capped by the cash left after fees are reserved, and everything that could not be
done with the reason (T+1, limit-up, limit-down, suspended, lot sizes, cash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from ..instruments import buy_lot
from ..models.enums import Side
from ..models.money import ZERO
from .book import Book, order_fees
from .lots import buy_volume, sell_volume

__all__ = ["Plan", "PlanError", "PlannedOrder", "Skip", "check_weights", "plan", "target_volume", "targets_from_weights"]


class PlanError(ValueError):
    """A target the planner cannot take (a negative volume, weights summing above 1...); the message names it."""


@dataclass(frozen=True)
class PlannedOrder:
    """One order of a plan: a limit order at ``price``; ``amount`` and ``fees`` are the estimates at that price."""

    code: str
    side: Side
    volume: int
    price: Decimal
    amount: Decimal
    fees: Decimal


@dataclass(frozen=True)
class Skip:
    """Something the plan could not do: ``volume`` shares of ``code`` (``side``) and why."""

    code: str
    side: Side | None
    volume: int
    reason: str

    def __str__(self) -> str:
        what = f"{self.side.value} {self.volume} " if self.side is not None else ""
        return f"{what}{self.code}: {self.reason}"


@dataclass
class Plan:
    """Sells (sent first), buys, and the list of what could not be done."""

    sells: list[PlannedOrder] = field(default_factory=list)
    buys: list[PlannedOrder] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    cash_left: Decimal = ZERO

    @property
    def orders(self) -> list[PlannedOrder]:
        return [*self.sells, *self.buys]


def target_volume(book: Book, code: str, *, volume: int | None = None, value: Decimal | float | None = None,
                  percent: Decimal | float | None = None) -> int:
    """The target volume of ``code`` from exactly one of ``volume``, ``value`` (CNY) or ``percent`` (of total asset).

    Value and percent are converted at the code's price (rounded down to a whole share).
    """
    given = [name for name, v in (("volume", volume), ("value", value), ("percent", percent)) if v is not None]
    if len(given) != 1:
        raise PlanError(f"order_target({code}): give exactly one of volume=, value=, percent= (got {given or 'none'})")
    if volume is not None:
        if not isinstance(volume, int) or volume < 0:
            raise PlanError(f"order_target({code}): volume={volume!r} must be an int >= 0")
        return volume
    if percent is not None:
        pct = Decimal(str(percent))
        if not 0 <= pct <= 1:
            raise PlanError(f"order_target({code}): percent={percent!r} must be a fraction in [0, 1]")
        value = pct * book.total_asset
    amount = Decimal(str(value))
    if amount < 0:
        raise PlanError(f"order_target({code}): value={value!r} must be >= 0")
    quote = book.quotes.get(code)
    if quote is None or not quote.price:
        return -1  # no price: the planner skips it with that reason
    return int(amount / quote.price)


def check_weights(weights: Mapping[str, float | Decimal], cash_buffer: float | Decimal = 0) -> None:
    """Raise :class:`PlanError` for a negative weight, a bad ``cash_buffer``, or weights plus buffer above 1."""
    buffer = Decimal(str(cash_buffer))
    if not 0 <= buffer < 1:
        raise PlanError(f"rebalance: cash_buffer={cash_buffer!r} must be a fraction in [0, 1)")
    total = ZERO
    for code, weight in weights.items():
        try:
            w = Decimal(str(weight))
        except ArithmeticError:
            raise PlanError(f"rebalance: the weight of {code} is {weight!r}, not a number") from None
        if not w.is_finite() or w < 0:
            raise PlanError(f"rebalance: the weight of {code} is {weight!r}; weights must be >= 0")
        total += w
    if total + buffer > 1:
        raise PlanError(f"rebalance: weights sum to {total} and cash_buffer is {buffer}: together above 1")


def targets_from_weights(book: Book, weights: Mapping[str, float | Decimal], *,
                         cash_buffer: float | Decimal = 0) -> dict[str, int]:
    """Target volumes for ``weights`` (fractions of total asset); held codes not listed get 0.

    :raises PlanError: a negative weight, or weights plus ``cash_buffer`` above 1.
    """
    check_weights(weights, cash_buffer)
    targets = {code: target_volume(book, code, percent=Decimal(str(w))) for code, w in weights.items()}
    for code, holding in book.holdings.items():
        if code not in targets and holding.effective > 0:
            targets[code] = 0
    return targets


def plan(book: Book, targets: Mapping[str, int], *, cash_buffer: float | Decimal = 0,
         sells: bool = True, buys: bool = True, sell_cash_usable: bool = True) -> Plan:
    """The orders that bring each code of ``targets`` to its target volume (-1: no price, skipped).

    :param cash_buffer: a fraction of total asset the buys leave in cash.
    :param sells: plan the sells (False: a sell that is needed is reported, not planned).
    :param buys: plan the buys.
    :param sell_cash_usable: count the planned sells' proceeds (net of fees) as cash for the buys.
    """
    result = Plan()
    wanted_buys: list[tuple[str, int]] = []
    for code, target in targets.items():
        quote = book.quotes.get(code)
        if target < 0 or quote is None or quote.price is None or quote.price <= 0:
            result.skipped.append(Skip(code, None, 0, "no price for this code now"))
            continue
        delta = target - book.holding(code).effective
        if delta < 0:
            _plan_sell(book, code, -delta, result, sells)
        elif delta > 0:
            wanted_buys.append((code, delta))
    cash = book.cash - Decimal(str(cash_buffer)) * book.total_asset
    if sell_cash_usable:
        cash += sum((o.amount - o.fees for o in result.sells), ZERO)
    for code, delta in wanted_buys:
        cash = _plan_buy(book, code, delta, cash, result, buys)
    result.cash_left = cash
    return result


def _plan_sell(book: Book, code: str, wanted: int, result: Plan, enabled: bool) -> None:
    quote = book.quotes[code]
    holding = book.holding(code)
    if quote.suspended:
        result.skipped.append(Skip(code, Side.SELL, wanted, "suspended today"))
        return
    if quote.at_limit_down:
        result.skipped.append(Skip(code, Side.SELL, wanted, f"at its limit-down price {quote.limit_down}: cannot be sold"))
        return
    if not enabled:
        result.skipped.append(Skip(code, Side.SELL, wanted, "the sell did not complete"))
        return
    volume = sell_volume(code, wanted, holding.sellable)
    if volume < min(wanted, holding.sellable) or wanted > holding.sellable:
        short = wanted - volume
        if wanted > holding.sellable:
            why = (f"only {holding.sellable} of {holding.volume} held are sellable today "
                   f"(T+1: shares bought today sell from the next trading day)")
        else:
            why = f"odd-lot rule: a partial sell of {code} must be whole lots (or all of the odd remainder)"
        result.skipped.append(Skip(code, Side.SELL, short, why))
    if volume > 0:
        price = book.limit_price(code, buy=False)
        amount = price * volume
        result.sells.append(PlannedOrder(code, Side.SELL, volume, price, amount,
                                         order_fees(book.fees, code, True, amount)))


def _plan_buy(book: Book, code: str, wanted: int, cash: Decimal, result: Plan, enabled: bool) -> Decimal:
    quote = book.quotes[code]
    if quote.suspended:
        result.skipped.append(Skip(code, Side.BUY, wanted, "suspended today"))
        return cash
    if quote.at_limit_up:
        result.skipped.append(Skip(code, Side.BUY, wanted, f"at its limit-up price {quote.limit_up}: cannot be bought"))
        return cash
    if not enabled:
        result.skipped.append(Skip(code, Side.BUY, wanted, "buys were not planned"))
        return cash
    volume = buy_volume(code, wanted)
    if volume == 0:
        result.skipped.append(Skip(code, Side.BUY, wanted, "below the board's minimum buy lot"))
        return cash
    price = book.limit_price(code, buy=True)
    affordable = _affordable(book, code, price, volume, cash)
    if affordable < volume:
        result.skipped.append(Skip(code, Side.BUY, wanted - affordable,
                                   f"not enough cash ({max(cash, ZERO):.2f} CNY usable after fees and the buffer)"))
    if affordable == 0:
        return cash
    amount = price * affordable
    fees = order_fees(book.fees, code, False, amount)
    result.buys.append(PlannedOrder(code, Side.BUY, affordable, price, amount, fees))
    return cash - amount - fees


def _affordable(book: Book, code: str, price: Decimal, volume: int, cash: Decimal) -> int:
    """The largest valid volume up to ``volume`` whose amount plus fees fits in ``cash``."""
    if cash <= 0:
        return 0
    rate = book.fees.commission_rate + book.fees.transfer_fee_rate
    estimate = min(volume, int((cash - book.fees.min_commission) / (price * (1 + rate))) if cash > book.fees.min_commission else 0)
    candidate = buy_volume(code, max(estimate, 0))
    # the estimate is within a few steps; walk up while the next step still fits, down while this one does not
    while candidate > 0 and price * candidate + order_fees(book.fees, code, False, price * candidate) > cash:
        candidate = buy_volume(code, candidate - 1)
    while True:
        bigger = buy_volume(code, min(volume, candidate + max(1, _step(code, candidate))))
        if bigger <= candidate or price * bigger + order_fees(book.fees, code, False, price * bigger) > cash:
            return candidate
        candidate = bigger


def _step(code: str, current: int) -> int:
    minimum, step = buy_lot(code)
    return minimum if current == 0 else step
