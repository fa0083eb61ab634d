"""``risk:`` in config.yaml: one section per rule family, one built-in plugin per section.

Every limit is inclusive (a measured value equal to its limit passes) and
``null`` turns that one limit off; ``enabled: false`` keeps a whole family's
plugin out of the run (as does ``plugins.disabled: [risk_<family>]``).
Amounts are CNY, fractions are plain numbers (``0.05`` = 5%).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ...instruments import InstrumentError, parse_code

__all__ = ["CodeRules", "ExposureLimits", "FlowLimits", "LossLimits", "OrderLimits", "RiskSettings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_code(code: str) -> str:
    """A full code such as ``600000.SH``; the message names the bad one."""
    try:
        parse_code(code)
    except InstrumentError as exc:
        raise ValueError(str(exc)) from None
    return code


#: A stock code checked at load time (its list index appears in the error's location).
Code = Annotated[str, AfterValidator(_check_code)]


class OrderLimits(_Section):
    """``risk.order:`` checks on one order by itself (plugin ``risk_order``): size, value, price, lots, ticks."""

    enabled: bool = Field(True, description="false keeps the plugin risk_order out of the run")
    max_order_value: Decimal | None = Field(
        Decimal("500000"), gt=0, description="CNY, price x volume of one order (market orders priced at the last price)")
    max_order_volume: int | None = Field(1_000_000, gt=0, description="shares in one order")
    check_exchange_max_volume: bool = Field(
        True, description="the board's largest order the exchange accepts (main 1,000,000; STAR 100,000/50,000 market; "
                          "ChiNext 300,000/150,000 market)")
    price_band_pct: Decimal | None = Field(
        Decimal("0.05"), gt=0, lt=1, description="largest distance of a limit price from the last price, as a fraction")
    check_limit_prices: bool = Field(
        True, description="deny a limit price above today's UpStopPrice or below DownStopPrice (instrument details)")
    check_lots: bool = Field(
        True, description="buys in whole lots for the board; sells in whole lots unless the whole odd remainder goes")
    check_ticks: bool = Field(True, description="the limit price is a whole multiple of the instrument's price tick")
    check_sellable: bool = Field(
        False, description="deny a sell above the T+1 sellable volume before the counter does (it rejects it anyway)")


class CodeRules(_Section):
    """``risk.codes:`` which codes may be bought or sold short of a reduction (plugin ``risk_codes``)."""

    enabled: bool = Field(True, description="false keeps the plugin risk_codes out of the run")
    allowed: list[Code] | None = Field(None, description="only these codes may be traded (null: any code)")
    blocked: list[Code] = Field(default_factory=list, description="these codes may never be bought")
    block_st: bool = Field(False, description="deny buys of risk-warning stocks: ST or *ST in the instrument name")
    block_delisting_risk: bool = Field(
        True, description="deny buys of delisting-risk stocks: *ST (退市风险警示) or 退 in the instrument name")
    deny_unknown_instruments: bool = Field(
        True, description="deny buys of a code whose instrument details are unknown while a name rule is on")


class ExposureLimits(_Section):
    """``risk.exposure:`` what the account would hold if the order filled (plugin ``risk_exposure``).

    Projected value = held value at the last price + open buy orders + this order.
    """

    enabled: bool = Field(True, description="false keeps the plugin risk_exposure out of the run")
    max_position_value_per_code: Decimal | None = Field(
        None, gt=0, description="CNY the account may hold in one code")
    max_position_value_per_strategy: Decimal | None = Field(
        None, gt=0, description="CNY one strategy may hold over all codes (from its own fills)")
    max_account_position_value: Decimal | None = Field(
        None, gt=0, description="CNY the whole account may hold over all codes")
    max_gross_exposure_pct: Decimal | None = Field(
        Decimal("1.0"), gt=0, description="projected holdings as a fraction of total asset (1.0 = fully invested)")
    max_open_orders: int | None = Field(50, gt=0, description="open orders for the whole account")


class FlowLimits(_Section):
    """``risk.flow:`` message rates, duplicates and self-trades (plugin ``risk_flow``).

    The exchanges classify an account as high-frequency from 300 orders plus
    cancels in one second or 20,000 in one day (SSE/SZSE/BSE programmatic
    trading rules, in force since 2025-07-07; see docs/risk.md). The defaults stay well below.
    """

    enabled: bool = Field(True, description="false keeps the plugin risk_flow out of the run")
    max_orders_and_cancels_per_second: int | None = Field(
        50, gt=0, description="orders + cancels the account sends in any one-second window (exchange mark: 300)")
    max_orders_and_cancels_per_day: int | None = Field(
        10_000, gt=0, description="orders + cancels the account sends in one trading day (exchange mark: 20,000)")
    duplicate_window_seconds: float | None = Field(
        2.0, gt=0, description="deny an order identical (code, side, price, volume) to one sent less than this ago")
    duplicate_per_strategy: bool = Field(
        False, description="true: only the same strategy's identical orders count as duplicates")
    prevent_self_trade: bool = Field(
        True, description="deny a buy at or above the account's own resting sell on the code, and the reverse")


class LossLimits(_Section):
    """``risk.loss:`` today's realised + unrealised P&L, fees included (plugin ``risk_loss``).

    A breach moves trading (the account, or the strategy) to ``action`` once per
    trading day and denies orders that do not reduce a position.
    """

    enabled: bool = Field(True, description="false keeps the plugin risk_loss out of the run")
    max_daily_loss: Decimal | None = Field(None, gt=0, description="CNY the account may lose today")
    max_daily_loss_pct: Decimal | None = Field(
        Decimal("0.05"), gt=0, lt=1, description="fraction of the day's starting total asset the account may lose")
    max_daily_loss_per_strategy: Decimal | None = Field(
        None, gt=0, description="CNY any one strategy may lose today")
    strategy_limits: dict[str, Decimal] = Field(
        default_factory=dict, description="per-strategy CNY limits that replace max_daily_loss_per_strategy")
    action: Literal["REDUCING", "HALTED"] = Field(
        "REDUCING", description="trading state after a breach: REDUCING (only reducing sells) or HALTED")

    @field_validator("strategy_limits")
    @classmethod
    def _positive(cls, limits: dict[str, Decimal]) -> dict[str, Decimal]:
        for name, limit in limits.items():
            if limit <= 0:
                raise ValueError(f"strategy {name!r}: the loss limit must be greater than 0, got {limit}")
        return limits


class RiskSettings(_Section):
    """``risk:`` the built-in pre-trade rules, one section (and one plugin) per family."""

    order: OrderLimits = Field(default_factory=OrderLimits, description="plugin risk_order")
    codes: CodeRules = Field(default_factory=CodeRules, description="plugin risk_codes")
    exposure: ExposureLimits = Field(default_factory=ExposureLimits, description="plugin risk_exposure")
    flow: FlowLimits = Field(default_factory=FlowLimits, description="plugin risk_flow")
    loss: LossLimits = Field(default_factory=LossLimits, description="plugin risk_loss")
