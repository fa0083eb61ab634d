"""Market order types per exchange: the 'market' alias and clear errors for refused types."""

from __future__ import annotations

import pytest

from engine.orders.price_types import resolve_price_type
from engine.xt import constants as xtc


@pytest.mark.parametrize("code, expected", [("600000.SH", 42), ("920001.BJ", 42), ("000001.SZ", 47)])
def test_market_alias_maps_to_the_exchange_constant(code, expected):
    assert resolve_price_type(code, "market") == expected


@pytest.mark.parametrize("code, price_type", [("600000.SH", 44), ("600000.SH", 45), ("000001.SZ", 46),
                                               ("000001.SZ", 48), ("920001.BJ", 43)])
def test_accepted_market_types_pass(code, price_type):
    assert resolve_price_type(code, price_type) == price_type


def test_limit_types_and_alias():
    assert resolve_price_type("600000.SH", "limit") == xtc.FIX_PRICE
    assert resolve_price_type("600000.SH", xtc.LATEST_PRICE) == xtc.LATEST_PRICE


def test_a_type_the_exchange_refuses_is_a_clear_error():
    with pytest.raises(ValueError) as excinfo:
        resolve_price_type("600000.SH", xtc.MARKET_SZ_FULL_OR_CANCEL)
    message = str(excinfo.value)
    assert "600000.SH: price type 48 (MARKET_SZ_FULL_OR_CANCEL) is not accepted on SH" in message
    assert "42 (MARKET_SH_CONVERT_5_CANCEL)" in message
    with pytest.raises(ValueError, match="42 \\(MARKET_SH_CONVERT_5_CANCEL\\) is not accepted on SZ"):
        resolve_price_type("000001.SZ", 42)
    with pytest.raises(ValueError, match="got 'best'"):
        resolve_price_type("000001.SZ", "best")
