"""Simulator configuration: one frozen dataclass per concern, validated on construction.

Every key has the default recommended by ashare_rules.md §10; docs/simulator.md
lists them all. Invalid values raise :class:`SimConfigError` naming the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..models.money import to_decimal
from .errors import SimConfigError

__all__ = ["FaultConfig", "FeeProfile", "InitialPosition", "SimConfig"]


def _dec(value: object, key: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    try:
        d = to_decimal(value)  # type: ignore[arg-type]
    except Exception as exc:
        raise SimConfigError(f"{key}: {value!r} is not a number") from exc
    if not d.is_finite() or (minimum is not None and d < minimum):
        raise SimConfigError(f"{key}: {value!r} must be a finite number >= {minimum}")
    return d


def _choice(value: str, key: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SimConfigError(f"{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class FeeProfile:
    """Broker fee profile (ashare_rules.md §6). Rates are fractions of the turnover.

    Each item is rounded half-up to 0.01 CNY. The rounding and the commission
    minimum apply to an order's cumulative turnover (``min_commission_per='order'``,
    rqalpha's convention), so the fees of an order filled in several pieces equal
    the fees of one fill of the same total; ``'fill'`` charges the minimum on every fill.
    """

    commission_rate: Decimal = Decimal("0.00025")
    min_commission: Decimal = Decimal("5")
    stamp_duty_rate: Decimal = Decimal("0.0005")
    transfer_fee_rate: Decimal = Decimal("0.00001")
    etf_no_min: bool = False
    min_commission_per: str = "order"

    def __post_init__(self) -> None:
        for key in ("commission_rate", "min_commission", "stamp_duty_rate", "transfer_fee_rate"):
            object.__setattr__(self, key, _dec(getattr(self, key), f"fee.{key}"))
        _choice(self.min_commission_per, "fee.min_commission_per", ("order", "fill"))

    @classmethod
    def named(cls, name: str) -> FeeProfile:
        """``default`` (§6) or ``etf_no_min`` (the ETF commission minimum waived)."""
        if name == "default":
            return cls()
        if name == "etf_no_min":
            return cls(etf_no_min=True)
        raise SimConfigError(f"fee profile: unknown name {name!r} (default, etf_no_min)")


@dataclass(frozen=True)
class InitialPosition:
    """A holding the paper account starts with; ``can_use_volume`` defaults to all of it."""

    code: str
    volume: int
    cost_price: Decimal = Decimal("0")
    can_use_volume: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.volume, int) or self.volume <= 0:
            raise SimConfigError(f"positions[{self.code}].volume: {self.volume!r} must be an int > 0")
        object.__setattr__(self, "cost_price", _dec(self.cost_price, f"positions[{self.code}].cost_price"))
        cu = self.volume if self.can_use_volume is None else self.can_use_volume
        if not isinstance(cu, int) or not 0 <= cu <= self.volume:
            raise SimConfigError(f"positions[{self.code}].can_use_volume: {cu!r} must be 0..volume")
        object.__setattr__(self, "can_use_volume", cu)


@dataclass(frozen=True)
class FaultConfig:
    """Seeded fault injection; everything off by default.

    * ``disconnect_at``: exchange-local times at which every connected trader gets
      ``on_disconnected`` (checked whenever the counter sees the clock).
    * ``disconnect_prob``: chance per published tick batch of a random disconnect.
    * ``reconnect_after_s``: ``connect()`` fails until this many clock seconds after
      a disconnect.
    * ``push_latency_s``: (min, max) seconds the worker waits before each push
      (thread delivery only).
    * ``duplicate_prob``: chance a push is delivered twice.
    * ``reorder_prob``: chance a fill's trade push is delivered before its order update.
    * ``reject_prob``: chance a new order is rejected at random (status 57).
    """

    disconnect_at: tuple[dt.datetime, ...] = ()
    disconnect_prob: float = 0.0
    reconnect_after_s: float = 0.0
    push_latency_s: tuple[float, float] = (0.0, 0.0)
    duplicate_prob: float = 0.0
    reorder_prob: float = 0.0
    reject_prob: float = 0.0

    def __post_init__(self) -> None:
        for key in ("disconnect_prob", "duplicate_prob", "reorder_prob", "reject_prob"):
            v = getattr(self, key)
            if not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
                raise SimConfigError(f"faults.{key}: {v!r} must be a probability in [0, 1]")
        lo, hi = self.push_latency_s
        if lo < 0 or hi < lo:
            raise SimConfigError(f"faults.push_latency_s: {self.push_latency_s!r} must be 0 <= min <= max")
        if self.reconnect_after_s < 0:
            raise SimConfigError(f"faults.reconnect_after_s: {self.reconnect_after_s!r} must be >= 0")
        object.__setattr__(self, "disconnect_at", tuple(sorted(self.disconnect_at)))

    @property
    def any_push_fault(self) -> bool:
        return (self.push_latency_s[1] > 0 or self.duplicate_prob > 0 or self.reorder_prob > 0)


@dataclass(frozen=True)
class SimConfig:
    """Everything the simulated counter needs to know; defaults follow ashare_rules.md §10.

    ``fill_rule`` (bars only): ``next_open`` fills a resting order at the open of the
    next bar published after it was placed, ``close`` at that bar's close.
    ``slippage_bps`` moves bar fill prices against the order; ``participation``
    caps a fill at that fraction of the bar's or tick's traded volume.
    ``delivery='sync'`` delivers pushes inline in the calling thread (backtests).
    ``bar_orders`` (backtests): the clock is a bar clock, not a session clock. An order
    placed while the code's latest data is a bar is accepted at any time of a trading
    day (a daily bar is labelled 15:00, after the close) and waits for that code's next
    bar, even when that bar is the next trading day's: such an order is carried over
    the day roll instead of expiring; once it has met one bar it is a day order again.
    """

    account_id: str = "SIM000001"
    initial_cash: Decimal = Decimal("1000000")
    positions: tuple[InitialPosition, ...] = ()
    fee: FeeProfile = field(default_factory=FeeProfile)
    odd_lot_mode: str = "exchange"
    cage_mode: str = "reject"
    star_cage_ten_tick_floor: bool = False
    outside_session: str = "hold"
    fill_rule: str = "next_open"
    slippage_bps: Decimal = Decimal("0")
    participation: Decimal = Decimal("1")
    seed: int = 0
    faults: FaultConfig = field(default_factory=FaultConfig)
    delivery: str = "thread"
    account_db: Path | None = None
    st_buy_cap: int = 500_000
    bar_orders: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.account_id, str) or not self.account_id:
            raise SimConfigError(f"account_id: {self.account_id!r} must be a non-empty str")
        object.__setattr__(self, "initial_cash", _dec(self.initial_cash, "initial_cash"))
        object.__setattr__(self, "slippage_bps", _dec(self.slippage_bps, "slippage_bps"))
        part = _dec(self.participation, "participation")
        if not Decimal(0) < part <= Decimal(1):
            raise SimConfigError(f"participation: {self.participation!r} must be in (0, 1]")
        object.__setattr__(self, "participation", part)
        _choice(self.odd_lot_mode, "odd_lot_mode", ("exchange", "whole_balance"))
        _choice(self.cage_mode, "cage_mode", ("reject", "hold"))
        _choice(self.outside_session, "outside_session", ("hold", "reject"))
        _choice(self.fill_rule, "fill_rule", ("next_open", "close"))
        _choice(self.delivery, "delivery", ("thread", "sync"))
        object.__setattr__(self, "positions", tuple(self.positions))
        codes = [p.code for p in self.positions]
        if len(codes) != len(set(codes)):
            raise SimConfigError(f"positions: duplicate codes in {codes}")
        if self.account_db is not None:
            object.__setattr__(self, "account_db", Path(self.account_db))
        if not isinstance(self.seed, int):
            raise SimConfigError(f"seed: {self.seed!r} must be an int")
