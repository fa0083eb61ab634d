"""Per-strategy holdings and today's P&L from fills (Decimal-exact)."""

from __future__ import annotations

from decimal import Decimal

from engine.account.strategy_book import StrategyBook
from engine.models import Fill, Side


def fill(side, volume, price, fees="5.00", strategy="s", code="600000.SH", n=[0]):
    n[0] += 1
    price = Decimal(price)
    return Fill(f"T{n[0]}", f"c{n[0]}", n[0], strategy, code, side, price, volume, price * volume, Decimal(fees))


def test_buy_then_sell_realises_pnl_net_of_fees():
    book = StrategyBook()
    book.apply_fill(fill(Side.BUY, 1000, "10.00", "5.10"))
    held = book.holding("s", "600000.SH")
    assert held.volume == 1000 and held.avg_price == Decimal("10.0051")
    assert book.daily_pnl("s", {"600000.SH": 10.5}) == Decimal("494.90")  # (10.5 - 10.0051) x 1000
    book.apply_fill(fill(Side.SELL, 1000, "10.50", "10.35"))
    assert book.holding("s", "600000.SH").volume == 0
    assert book.daily_pnl("s", {"600000.SH": 10.5}) == Decimal("484.55")
    assert book.position_value("s", {"600000.SH": 10.5}) == 0


def test_a_new_day_measures_from_the_last_price_and_forgets_realised():
    book = StrategyBook()
    book.apply_fill(fill(Side.BUY, 100, "10.00", "5.00"))
    book.apply_fill(fill(Side.BUY, 100, "11.00", "5.00"))
    book.roll_day({"600000.SH": 12.0})
    assert book.daily_pnl("s", {"600000.SH": 12.0}) == 0
    assert book.daily_pnl("s", {"600000.SH": 11.5}) == Decimal("-100.0")
    book.apply_fill(fill(Side.SELL, 100, "11.50", "5.00"))
    assert book.daily_pnl("s", {"600000.SH": 11.5}) == Decimal("-105.0")


def test_strategies_are_kept_apart():
    book = StrategyBook()
    book.apply_fill(fill(Side.BUY, 100, "10.00", strategy="a"))
    book.apply_fill(fill(Side.BUY, 200, "10.00", strategy="b"))
    assert book.holding("a", "600000.SH").volume == 100 and book.holding("b", "600000.SH").volume == 200
    assert book.position_value("b", {"600000.SH": 10.0}) == Decimal("2000.0")
    assert book.strategies() == ["a", "b"]
