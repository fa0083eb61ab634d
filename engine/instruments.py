"""A-share instrument facts shared by the engine, its risk rules and the simulator.

Code to board (ashare_rules.md §1), lots, sizes, ticks and price limits.

Classify by suffix first, then by prefix, and test ``920`` before anything
else on BJ. The instrument table (``load_instruments`` rows) wins over prefixes
for the kind (stock/etf/lof/bond/index); prefixes are the fallback.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from .models.money import FUND_TICK, STOCK_TICK, round_to_tick, to_decimal

__all__ = [
    "Instrument", "InstrumentError", "PriceLimits", "board_of", "buy_lot", "instrument_from_row", "price_limits",
    "price_tick", "shares_per_lot",
]


class InstrumentError(ValueError):
    """A code or an instrument row the engine cannot use; the message names it."""

CODE_RE = re.compile(r"^(\d{6})\.(SH|SZ|BJ)$")

# Boards
SH_MAIN, SZ_MAIN, STAR, CHINEXT, BSE = "SH_MAIN", "SZ_MAIN", "STAR", "CHINEXT", "BSE"
FUND, BOND, INDEX, UNTRADABLE = "FUND", "BOND", "INDEX", "UNTRADABLE"
KINDS = ("stock", "etf", "lof", "bond", "index")

ST_TEN_PCT_FROM = dt.date(2026, 7, 6)
CHINEXT_REFORM = dt.date(2020, 8, 24)
STAR_OPEN = dt.date(2019, 7, 22)
MAIN_REGISTRATION = dt.date(2023, 4, 10)

#: (max limit order, max market order) per board, §2.1 (ChiNext: 300k/150k, the [D] default).
MAX_ORDER = {SH_MAIN: (1_000_000, 1_000_000), SZ_MAIN: (1_000_000, 1_000_000),
             STAR: (100_000, 50_000), CHINEXT: (300_000, 150_000), BSE: (1_000_000, 1_000_000),
             FUND: (1_000_000, 1_000_000), BOND: (100_000, 100_000)}
#: (buy minimum, buy step) per board, §2.1.
BUY_LOT = {SH_MAIN: (100, 100), SZ_MAIN: (100, 100), STAR: (200, 1), CHINEXT: (100, 100),
           BSE: (100, 1), FUND: (100, 100), BOND: (10, 10)}


def parse_code(code: object) -> tuple[str, str]:
    """``'600519.SH'`` -> ``('600519', 'SH')``; raises InstrumentError for anything else."""
    m = CODE_RE.match(code) if isinstance(code, str) else None
    if not m:
        raise InstrumentError(f"stock code {code!r} is not 6 digits + .SH/.SZ/.BJ")
    return m.group(1), m.group(2)


def kind_from_prefix(code: str) -> str | None:
    """Instrument kind guessed from the code prefix (§1); None when not tradable/unknown."""
    num, ex = parse_code(code)
    p3 = num[:3]
    if ex == "BJ":
        return "stock" if p3 == "920" else None
    if ex == "SH":
        if p3 in ("600", "601", "603", "605", "688", "689"):
            return "stock"
        if p3 == "000":
            return "index"
        if num[:2] in ("51", "52", "56") or p3 == "588":
            return "etf"
        if p3 in ("501", "502", "506"):
            return "lof"
        if p3 in ("110", "111", "113", "118"):
            return "bond"
        return None
    if p3 in ("000", "001", "002", "003", "300", "301", "302"):
        return "stock"
    if p3 == "399":
        return "index"
    if p3 == "159":
        return "etf"
    if num[:2] == "16":
        return "lof"
    if p3 in ("123", "127", "128"):
        return "bond"
    return None


def board_of(code: str, kind: str | None = None) -> str:
    """The board of ``code`` (kind from the instrument table when given, else from prefixes)."""
    num, ex = parse_code(code)
    kind = kind or kind_from_prefix(code)
    if kind is None:
        return UNTRADABLE
    if kind == "index":
        return INDEX
    if kind in ("etf", "lof"):
        return FUND
    if kind == "bond":
        return BOND
    if ex == "BJ":
        return BSE if num.startswith("920") else UNTRADABLE
    if ex == "SH":
        return STAR if num[:3] in ("688", "689") else SH_MAIN
    return CHINEXT if num[:3] in ("300", "301", "302") else SZ_MAIN


@dataclass(frozen=True)
class Instrument:
    """One tradable (or not) security as the counter sees it."""

    code: str
    name: str = ""
    kind: str = "stock"
    board: str = SH_MAIN
    listing_date: dt.date | None = None
    is_st: bool = False
    t0: bool = False
    suspended: bool = False
    limit_pct: Decimal | None = None

    @property
    def exchange(self) -> str:
        return self.code[-2:]

    @property
    def tick(self) -> Decimal:
        return STOCK_TICK if self.kind == "stock" else FUND_TICK

    @property
    def shares_per_lot(self) -> int:
        """Shares in one xtdata volume lot (stocks/funds 100; bonds: 1 手 = 10 张)."""
        return 10 if self.kind == "bond" else 100

    @property
    def tradable(self) -> bool:
        return self.board not in (INDEX, UNTRADABLE)

    @property
    def pays_stamp_and_transfer(self) -> bool:
        return self.kind == "stock"

    def with_status(self, **changes: object) -> Instrument:
        return replace(self, **changes)


def _flag(row: dict, key: str, where: str) -> bool:
    v = row.get(key, 0)
    if v in (None, ""):
        return False
    if isinstance(v, str):
        v = v.strip().lower()
        if v in ("1", "true", "yes"):
            return True
        if v in ("0", "false", "no"):
            return False
    elif v in (0, 1, True, False):
        return bool(v)
    raise InstrumentError(f"{where}: {key}={row.get(key)!r} must be 0/1")


def instrument_from_row(row: dict, where: str = "instrument row") -> Instrument:
    """Build an :class:`Instrument` from a metadata row (code, name, listing_date, is_st, t0, kind)."""
    code = row.get("code")
    try:
        parse_code(code)
    except InstrumentError as exc:
        raise InstrumentError(f"{where}: {exc}") from None
    kind = (row.get("kind") or "").strip().lower() or kind_from_prefix(code)
    if kind is not None and kind not in KINDS:
        raise InstrumentError(f"{where}: kind={row.get('kind')!r} is not one of {', '.join(KINDS)}")
    listing = row.get("listing_date")
    if listing not in (None, ""):
        try:
            listing = listing if isinstance(listing, dt.date) else dt.date.fromisoformat(str(listing))
        except ValueError:
            raise InstrumentError(f"{where}: listing_date={listing!r} is not YYYY-MM-DD") from None
    else:
        listing = None
    pct = row.get("limit_pct")
    return Instrument(
        code=code, name=str(row.get("name") or ""), kind=kind or "stock",
        board=board_of(code, kind), listing_date=listing,
        is_st=_flag(row, "is_st", where), t0=_flag(row, "t0", where) or kind == "bond",
        suspended=_flag(row, "suspended", where),
        limit_pct=None if pct in (None, "") else to_decimal(pct),
    )


@dataclass(frozen=True)
class PriceLimits:
    """Today's limit prices; ``None`` for both on a no-limit day (IPO days)."""

    up: Decimal | None
    down: Decimal | None

    @property
    def has_limit(self) -> bool:
        return self.up is not None


def _pct_band(inst: Instrument, day: dt.date, day_number: int | None) -> tuple[Decimal, Decimal] | None:
    """(up, down) fractions, or None for no limit (§3.2)."""
    b = inst.board
    if inst.limit_pct is not None:
        return inst.limit_pct, inst.limit_pct
    if b == BOND:
        return (Decimal("0.573"), Decimal("0.433")) if day_number == 1 else (Decimal("0.2"), Decimal("0.2"))
    if day_number is not None and inst.listing_date is not None:
        if b == BSE and day_number == 1:
            return None
        five_day = (b == STAR and inst.listing_date >= STAR_OPEN) or \
                   (b == CHINEXT and inst.listing_date >= CHINEXT_REFORM) or \
                   (b in (SH_MAIN, SZ_MAIN) and inst.listing_date >= MAIN_REGISTRATION)
        if five_day and day_number <= 5:
            return None
    if b in (STAR, CHINEXT) and (b == STAR or day >= CHINEXT_REFORM):
        return Decimal("0.2"), Decimal("0.2")
    if b == BSE:
        return Decimal("0.3"), Decimal("0.3")
    if inst.is_st and b in (SH_MAIN, SZ_MAIN, CHINEXT):
        pct = Decimal("0.10") if day >= ST_TEN_PCT_FROM else Decimal("0.05")
        return pct, pct
    return Decimal("0.1"), Decimal("0.1")


def price_limits(inst: Instrument, prev_close: Decimal, day: dt.date,
                 day_number: int | None) -> PriceLimits:
    """Limit prices rounded half-up to the tick (§3.2); ``day_number`` is the trading day since listing."""
    band = _pct_band(inst, day, day_number)
    if band is None:
        return PriceLimits(None, None)
    up, down = band
    return PriceLimits(round_to_tick(prev_close * (1 + up), inst.tick),
                       round_to_tick(prev_close * (1 - down), inst.tick))


# -- facts by code alone (no instrument table): what the engine checks before the counter ----------


def price_tick(code: str) -> Decimal:
    """The minimum price step: 0.01 CNY for stocks, 0.001 for funds and bonds (§3.1)."""
    return STOCK_TICK if (kind_from_prefix(code) or "stock") == "stock" else FUND_TICK


def buy_lot(code: str) -> tuple[int, int]:
    """(minimum, step) of a buy order's volume on ``code``'s board (§2.1)."""
    return BUY_LOT.get(board_of(code), (100, 100))


def shares_per_lot(code: str) -> int:
    """Shares (or 张) in one xtdata volume lot: 100 for stocks and funds, 10 for bonds."""
    return 10 if kind_from_prefix(code) == "bond" else 100
