"""The counter's queries: today's orders, trades, positions and the asset, as SDK records.

A mixin of :class:`~engine.sim.counter.SimCounter`.
"""

from __future__ import annotations

from decimal import Decimal

from ..models.money import ZERO, round_cents
from ..xt import constants as xc
from ..xt.records import XtAccountStatus
from . import records as R

__all__ = ["QueryMixin"]


class QueryMixin:
    """Read-only views of the ledger for :class:`SimCounter`."""

    # -- queries -----------------------------------------------------------------------

    def _market_value(self) -> Decimal:
        total = ZERO
        for pos in self.ledger.positions.values():
            price = self.last_price(pos.code)
            total += round_cents((price if price is not None else pos.avg_price) * pos.volume)
        return total

    def _statement_positions(self) -> list[dict]:
        return [{"code": p.code, "volume": p.volume, "avg_price": str(p.avg_price),
                 "last_price": str(self.last_price(p.code) or "")} for p in self.ledger.positions.values()]

    def query_asset(self):
        with self._lock:
            return R.asset_record(self.ledger, self._market_value())

    def query_orders(self, cancelable_only: bool = False) -> list:
        with self._lock:
            return [R.order_record(o, self.account_id, self.instrument(o.code).name)
                    for o in sorted(self.ledger.orders.values(), key=lambda o: o.order_id)
                    if not cancelable_only or o.status in xc.CANCELABLE_ORDER_STATUSES]

    def query_order(self, order_id: int):
        with self._lock:
            o = self.ledger.orders.get(order_id)
            return R.order_record(o, self.account_id, self.instrument(o.code).name) if o else None

    def query_trades(self) -> list:
        with self._lock:
            return [R.trade_record(t, self.ledger.orders[t.order_id], self.account_id,
                                   self.instrument(t.code).name) for t in self.ledger.trades]

    def query_positions(self) -> list:
        with self._lock:
            return [R.position_record(p, self.account_id, self.last_price(p.code),
                                      self.instrument(p.code).name)
                    for p in self.ledger.positions.values() if p.volume or p.frozen]

    def query_position(self, code: str):
        with self._lock:
            p = self.ledger.positions.get(code)
            if p is None or not (p.volume or p.frozen):
                return None
            return R.position_record(p, self.account_id, self.last_price(code), self.instrument(code).name)

    def account_status(self) -> XtAccountStatus:
        return XtAccountStatus(self.account_id, xc.SECURITY_ACCOUNT, xc.ACCOUNT_STATUS_OK)

    def statements(self) -> list[dict]:
        """Daily statements recorded so far (empty without ``account_db``)."""
        return self.store.statements() if self.store is not None else []

