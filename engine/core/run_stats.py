"""Counters kept during a run and the summary printed at its end."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from ..models import Fill, Side
from ..models.money import ZERO, round_cents

if TYPE_CHECKING:
    from ..account import AccountLedger


@dataclass
class RunStats:
    ticks: int = 0
    orders: int = 0
    fills: int = 0
    denials: int = 0
    order_errors: int = 0
    plugin_errors: int = 0
    journal_failures: int = 0
    fees: Decimal = ZERO
    bought: Decimal = ZERO
    sold: Decimal = ZERO
    start_equity: Decimal = ZERO

    def record_fill(self, fill: Fill) -> None:
        self.fills += 1
        self.fees += fill.commission
        if fill.side is Side.BUY:
            self.bought += fill.amount
        else:
            self.sold += fill.amount

    def summary(self, *, run_id: str, mode: str, reason: str, elapsed: float, ledger: AccountLedger,
                faulted: Iterable[str], audit_path: str) -> "RunSummary":
        """The run's summary: these counters and the account at the end (``ledger``)."""
        account = ledger.account
        end_equity = account.total_asset
        return RunSummary(
            run_id=run_id, mode=mode, reason=reason, elapsed_seconds=round(elapsed, 3),
            ticks=self.ticks, orders=self.orders, fills=self.fills, denials=self.denials,
            order_errors=self.order_errors, plugin_errors=self.plugin_errors,
            faulted_plugins=sorted(faulted), fees=round_cents(self.fees),
            bought=round_cents(self.bought), sold=round_cents(self.sold),
            start_equity=round_cents(self.start_equity), end_equity=round_cents(end_equity),
            pnl=round_cents(end_equity - self.start_equity) if self.start_equity else ZERO,
            cash=round_cents(account.cash), market_value=round_cents(account.market_value),
            open_positions=len(ledger.open_positions()), positions=ledger.open_positions(), audit_path=audit_path,
        )


@dataclass(frozen=True)
class RunSummary:
    """What a run did; printed by ``qmt-engine run`` and stored with the run record."""

    run_id: str
    mode: str
    reason: str
    elapsed_seconds: float
    ticks: int
    orders: int
    fills: int
    denials: int
    order_errors: int
    plugin_errors: int
    faulted_plugins: list[str] = field(default_factory=list)
    fees: Decimal = ZERO
    bought: Decimal = ZERO
    sold: Decimal = ZERO
    start_equity: Decimal = ZERO
    end_equity: Decimal = ZERO
    pnl: Decimal = ZERO
    cash: Decimal = ZERO
    market_value: Decimal = ZERO
    open_positions: int = 0
    positions: dict[str, int] = field(default_factory=dict)
    audit_path: str = ""

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}

    def one_line(self) -> str:
        return (f"{self.orders} orders, {self.fills} fills, {self.denials} denials, fees {self.fees}, "
                f"P&L {self.pnl}; audit: {self.audit_path}")
