"""What the engine keeps in memory over a long run: per-day retention of orders, fills and trade
ids, and the portfolio's incremental valuation (exact against a full re-valuation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.account.fill_log import FillLog
from engine.orders.book import OrderBook, TradeIds
from engine.account.portfolio import Portfolio
from engine.models import Fill, Order, OrderStatus, Side

DAY1, DAY2, DAY3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def _order(client_id: str, day: dt.date, *, status=OrderStatus.SUCCEEDED, order_id=None, seq=None) -> Order:
    when = dt.datetime.combine(day, dt.time(10, 0))
    return Order(client_order_id=client_id, strategy="s", code="600000.SH", side=Side.BUY, volume=100,
                 price=Decimal("10.00"), price_type=11, status=status, order_id=order_id, seq=seq,
                 created_at=when, updated_at=when)


def _fill(trade_id: str, day: dt.date, price: str = "10.00", side: Side = Side.BUY, volume: int = 100,
          code: str = "600000.SH") -> Fill:
    amount = Decimal(price) * volume
    return Fill(trade_id=trade_id, client_order_id="c", order_id=1, strategy="s", code=code, side=side,
                price=Decimal(price), volume=volume, amount=amount, commission=Decimal("5.00"),
                time=dt.datetime.combine(day, dt.time(10, 0)))


def test_finished_orders_of_earlier_days_are_forgotten_from_every_index():
    book = OrderBook()
    old = _order("a", DAY1, order_id=7, seq=3)
    still_open = _order("b", DAY1, status=OrderStatus.REPORTED, order_id=8)
    kept = _order("c", DAY2, order_id=9)
    for order in (old, still_open, kept):
        book.add(order)
    book.bind_seq(old, 3)
    assert book.retire_before(DAY2) == 1
    assert book.find(remark="a") is None and book.find(order_id=7) is None and book.find(seq=3) is None
    assert book.find(remark="b") is still_open and book.open_orders() == [still_open]  # open orders stay
    assert book.orders_of_day(DAY2) == [kept] and book.orders_of_day(DAY1) == [still_open]
    still_open.status = OrderStatus.CANCELED
    book.closed(still_open)
    assert book.retire_before(DAY2) == 1 and book.orders_of_day(DAY1) == []


def test_unacknowledged_orders_are_tracked_until_the_broker_gives_an_id_or_they_end():
    book = OrderBook()
    waiting = _order("w", DAY1, status=OrderStatus.UNREPORTED)
    ended = _order("e", DAY1, status=OrderStatus.UNREPORTED)
    book.add(waiting)
    book.add(ended)
    assert set(book.unacknowledged) == {"w", "e"}
    book.bind_order_id(waiting, 11)
    ended.status = OrderStatus.JUNK
    book.closed(ended)
    assert book.unacknowledged == {}


def test_trade_ids_cover_today_and_the_previous_day_only():
    seen = TradeIds()
    seen.add("t1")
    seen.new_day()
    seen.add("t2")
    assert "t1" in seen and "t2" in seen and len(seen) == 2
    seen.new_day()
    assert "t1" not in seen and "t2" in seen
    seen.discard("t2")
    assert "t2" not in seen


def test_fill_log_groups_by_day_and_drops_old_days():
    log = FillLog()
    for number, day in enumerate((DAY1, DAY1, DAY2, DAY3)):
        log.append(_fill(f"t{number}", day))
    assert [f.trade_id for f in log.of_day(DAY1)] == ["t0", "t1"] and len(log) == 4
    assert log.retire_before(DAY2) == 2
    assert [f.trade_id for f in log] == ["t2", "t3"] and log.of_day(DAY1) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["600000.SH", "000001.SZ", "300750.SZ"]),
                          st.integers(min_value=1, max_value=99_999).map(lambda c: c / 100),
                          st.sampled_from(["mark", "buy", "sell"])), min_size=1, max_size=40))
def test_incremental_valuation_equals_a_full_revaluation(steps):
    portfolio = Portfolio("acct")
    for number, (code, price, action) in enumerate(steps):
        if action == "mark":
            portfolio.mark(code, price)
        else:
            side = Side.BUY if action == "buy" else Side.SELL
            portfolio.apply_fill(_fill(f"t{number}", DAY1, price=f"{Decimal(repr(price)):.2f}", side=side, code=code))
        incremental = (portfolio.account.market_value, portfolio.account.floating_pnl)
        portfolio._revalue()
        assert incremental == (portfolio.account.market_value, portfolio.account.floating_pnl)
