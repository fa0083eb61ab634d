"""Exceptions and the counter's rejection messages.

Rejections of a well-formed order are business results, not exceptions: the
counter reports them asynchronously as status 57 plus ``on_order_error``, with a
message in the shape real Hundsun-style counters send through MiniQMT
(ashare_rules.md §7.5, S19). Texts the sources confirm are used verbatim; the
``SIM-*`` codes are the simulator's own for cases no real text was found for.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..instruments import InstrumentError

#: What real QMT puts in ``error_id``: an "unset" sentinel; the code is in the message.
ERROR_ID_UNSET = 2147483647


class SimError(Exception):
    """Base class of the simulator's exceptions."""


class SimConfigError(SimError, ValueError):
    """A SimConfig value is invalid; the message names the key and the value."""


class SimDataError(SimError, InstrumentError):
    """Market data or instrument rows fed to the simulator are malformed."""


class SimCallbackThreadError(SimError, RuntimeError):
    """A synchronous SDK call was made from the callback (worker) thread."""


@dataclass(frozen=True)
class Rejection:
    """Why the counter refused an order or a cancel: a code and the full message."""

    code: str
    message: str


def _detail(**fields: object) -> str:
    return ",".join(f"{k}={v}" for k, v in fields.items())


def insufficient_funds(account_id: str, required: str, available: str) -> Rejection:
    """The verbatim shape of a real counter's 260200 rejection."""
    return Rejection("260200", "[COUNTER][260200][可用资金不足]["
                     + _detail(fund_account=account_id, money_type=0,
                               p_occur_balance=required, v_enable_balance_t=available) + "]")


def insufficient_position(code: str, volume: int, available: int, exchange_type: int,
                          account_id: str) -> Rejection:
    """The verbatim shape of a real counter's 251005 rejection (also T+1 sells)."""
    return Rejection("251005", "[COUNTER][251005][证券可用数量不足]["
                     + _detail(v_stock_code=code.split(".")[0], v_occur_amount=f"{volume:.2f}",
                               p_enable_amount=f"{available:.2f}", entrust_prop=0, entrust_type=0,
                               exchange_type=exchange_type, stock_account=account_id) + "]")


def outside_trading_time() -> Rejection:
    """The verbatim real text for orders outside the trading windows (and on holidays)."""
    return Rejection("120144", "[COUNTER] [120144][当前时间不允许交易]")


def sim_rejection(code: str, text: str, **fields: object) -> Rejection:
    """A simulator-defined rejection: ``[COUNTER][SIM-<code>][<text>][k=v,...]``."""
    tail = f"[{_detail(**fields)}]" if fields else ""
    return Rejection(f"SIM-{code}", f"[COUNTER][SIM-{code}][{text}]{tail}")
