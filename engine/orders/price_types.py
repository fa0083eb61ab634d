"""Price types: ``"limit"`` / ``"market"`` aliases and which xtconstant types each exchange accepts."""

from __future__ import annotations

from ..xt import constants as xtc

__all__ = ["DEFAULT_MARKET_PRICE_TYPE", "resolve_price_type"]

#: What ``price_type="market"`` means per exchange: best five levels, the rest cancelled.
DEFAULT_MARKET_PRICE_TYPE = {
    "SH": xtc.MARKET_SH_CONVERT_5_CANCEL, "BJ": xtc.MARKET_SH_CONVERT_5_CANCEL, "SZ": xtc.MARKET_SZ_CONVERT_5_CANCEL,
}
_PRICE_TYPE_NAMES = {value: name for name, value in vars(xtc).items()
                     if name == "LATEST_PRICE" or name == "FIX_PRICE" or name.startswith("MARKET_") and isinstance(value, int)
                     and not name.startswith("MARKET_ENUM")}


def resolve_price_type(code: str, price_type: int | str) -> int:
    """``"limit"``/``"market"`` aliases to xtconstant values, and a check that the exchange accepts the type.

    :raises ValueError: naming the type, the exchange and the types it accepts.
    """
    exchange = code.rpartition(".")[2].upper()
    if price_type == "limit":
        return xtc.FIX_PRICE
    if price_type == "market":
        if exchange not in DEFAULT_MARKET_PRICE_TYPE:
            raise ValueError(f"{code}: no market order type for exchange {exchange!r}")
        return DEFAULT_MARKET_PRICE_TYPE[exchange]
    if not isinstance(price_type, int) or isinstance(price_type, bool):
        raise ValueError(f"price_type must be an xtconstant value, 'limit' or 'market'; got {price_type!r}")
    if price_type in xtc.LIMIT_PRICE_TYPES:
        return price_type
    accepted = xtc.MARKET_PRICE_TYPES.get(exchange, frozenset())
    if price_type not in accepted:
        name = _PRICE_TYPE_NAMES.get(price_type, "unknown")
        allowed = ", ".join(f"{t} ({_PRICE_TYPE_NAMES.get(t, '?')})" for t in sorted(accepted)) or "none"
        raise ValueError(f"{code}: price type {price_type} ({name}) is not accepted on {exchange or 'this exchange'}; "
                         f"market types there: {allowed}")
    return price_type
