"""``backtest:`` settings: which bars to replay and how the simulated counter fills on bars.

A backtest runs the same engine, gateway, risk and audit path as paper mode; only
the market data differs (bars instead of ticks, published through
``SimXtData.publish_bars``) and every push is delivered inline (``delivery='sync'``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..config.models import FeeSettings, PositionSeed

__all__ = ["BacktestSettings"]


class BacktestSettings(BaseModel):
    """``backtest:`` the bar replay and the simulated counter behind it.

    ``bars`` is one bar file (then ``code`` names its instrument, the format has no
    code column) or a folder of files named ``<code>.csv`` / ``<code>.csv.gz``
    (e.g. ``600000.SH.csv``). Files use the bar format of ``docs/data-format.md``:
    ``datetime,open,high,low,close,volume``, bar END time, volume in shares.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    bars: Path | None = Field(None, description="a bar file, or a folder of <code>.csv[.gz] bar files")
    code: str | None = Field(None, description="the instrument of a single bar file (e.g. 600000.SH)")
    codes: list[str] | None = Field(None, description="with a folder: replay only these codes (default: all files)")
    instruments: Path | None = Field(None, description="instruments.csv (names, listing dates, ST flags); optional")
    period: Literal["1m", "5m", "15m", "30m", "1h", "1d"] = Field("1m", description="the bars' period (xtdata name)")
    fill_rule: Literal["next_open", "close"] = Field(
        "next_open", description="an order fills on the next bar: at its open (next_open) or its close (close)")
    slippage_bps: Decimal = Field(Decimal("0"), ge=0, description="fill prices move this many basis points against the order")
    participation: Decimal = Field(Decimal("1"), gt=0, le=1, description="a fill takes at most this share of the bar's volume")
    initial_cash: Decimal = Field(Decimal("1000000"), ge=0)
    positions: list[PositionSeed] = Field(default_factory=list)
    fees: FeeSettings = Field(default_factory=FeeSettings)
    outside_session: Literal["hold", "reject"] = Field(
        "hold", description="orders in 09:25-09:30 or the lunch break: held until matching resumes, or rejected")
    calendar: Literal["exchange", "weekdays"] = Field(
        "exchange", description="exchange: the XSHG calendar (bars on closed days are skipped); "
                                "weekdays: every Monday-Friday is a trading day (synthetic data)")
    seed: int = 0

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str | None) -> str | None:
        from ..instruments import InstrumentError, parse_code

        if value is not None:
            try:
                parse_code(value)
            except InstrumentError as exc:
                raise ValueError(str(exc)) from None
        return value

    def bars_path(self) -> Path:
        """The bars setting, or a clear error when it is missing."""
        if self.bars is None:
            raise ValueError("backtest.bars: give a bar file or a folder of <code>.csv bar files")
        return self.bars
