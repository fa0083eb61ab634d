"""Cash dividends and bonus shares on the ex-date (除权除息日), applied to the simulated account.

The store keeps raw prices and each code's dividend rows (``cash``, ``bonus_shares`` and
``transfer_shares`` per share). On the day roll to an ex-date, for every position held
at the previous close (the record date is the last trading day before the ex-date):

* **cash**: ``volume x cash per share`` (pre-tax; the dividend tax A-share investors pay
  on a later sale, by holding period, is not modelled) is credited to the balance;
* **shares**: ``floor(volume x (bonus + transfer per share))`` new shares join the
  position. They count in ``volume`` at once but become sellable only from the next
  trading day, when the exchange lists them (红股上市日); the position's total cost
  stays the same, so its cost per share falls;
* the day's previous close used for the price limits is the ex-right reference price
  ``(close - cash) / (1 + bonus + transfer)`` (:func:`ex_right_price`).

Rights issues (配股) need a subscription decision and are not applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from ..models.money import ZERO, round_cents, to_decimal

__all__ = ["AppliedAction", "CorporateAction", "actions_from_rows", "ex_right_price"]


@dataclass(frozen=True)
class CorporateAction:
    """One ex-date of one code: per-share cash (CNY) and new shares (bonus + transfer)."""

    code: str
    ex_date: dt.date
    cash: Decimal = ZERO
    shares: Decimal = ZERO

    @property
    def is_empty(self) -> bool:
        return self.cash == 0 and self.shares == 0


@dataclass(frozen=True)
class AppliedAction:
    """What an ex-date did to one position."""

    code: str
    ex_date: dt.date
    volume: int          # held at the record date
    cash: Decimal        # credited
    new_shares: int      # added (sellable from the next trading day)


def actions_from_rows(code: str, rows: list[dict]) -> list[CorporateAction]:
    """Dividend rows of the store (:func:`engine.datastore.read_dividends`) as actions, oldest first."""
    out = []
    for row in rows:
        action = CorporateAction(code, row["ex_date"], to_decimal(row.get("cash") or 0),
                                 to_decimal(row.get("bonus_shares") or 0) + to_decimal(row.get("transfer_shares") or 0))
        if not action.is_empty:
            out.append(action)
    return sorted(out, key=lambda a: a.ex_date)


def ex_right_price(close: float, action: CorporateAction) -> float:
    """The ex-right reference price: the previous close less the cash, spread over the new share count."""
    return (float(close) - float(action.cash)) / (1.0 + float(action.shares))


def apply_action(ledger, action: CorporateAction) -> AppliedAction | None:
    """Credit the cash and add the shares of ``action`` to ``ledger`` (after its day roll); None when not held."""
    pos = ledger.positions.get(action.code)
    if pos is None or pos.volume <= 0:
        return None
    held = pos.volume
    cash = round_cents(action.cash * held)
    new_shares = int((action.shares * held).to_integral_value(rounding=ROUND_FLOOR))
    ledger.balance += cash
    if new_shares:
        pos.volume += new_shares  # can_use unchanged: listed (sellable) from the next trading day
    return AppliedAction(action.code, action.ex_date, held, cash, new_shares)
