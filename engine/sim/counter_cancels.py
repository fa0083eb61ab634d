"""The counter's cancels: the request, its refusals (final order, no-cancel window), and the release
of what the order froze.

A mixin of :class:`~engine.sim.counter.SimCounter`; runs under the counter's lock.
"""

from __future__ import annotations

from collections.abc import Callable

from ..xt import constants as xc
from . import errors as E
from . import records as R
from .ledger import SimOrder
from .sessions import phase_at

__all__ = ["CancelMixin"]


class CancelMixin:
    """Cancels for :class:`SimCounter`."""

    def _finish_cancel(self, order: SimOrder, message: str) -> None:
        inst = self.instrument(order.code)
        if order.is_buy:
            self.ledger.release_buy(order)
        else:
            self.ledger.release_sell(order)
        order.status_msg = message or order.status_msg
        self._set_status(order, xc.ORDER_PART_CANCEL if order.traded_volume else xc.ORDER_CANCELED, inst)
        self._emit_balances(order, inst)

    def cancel_order(self, order_id: int, *, origin: object = None,
                     on_result: Callable[[int, SimOrder | None, str], None] | None = None) -> int:
        """Cancel ``order_id``: 0 accepted, -1 refused (final order / no-cancel window), -2 unknown."""
        return self._run(lambda: self._cancel(order_id, origin, on_result))

    def _cancel(self, order_id, origin, on_result) -> int:
        order = self.ledger.orders.get(order_id)
        if order is None:
            if on_result:
                on_result(-2, None, "[COUNTER][SIM-CXL][委托不存在]")
            return -2
        inst = self.instrument(order.code)
        now = self.now()
        refusal = ""
        if order.is_final:
            refusal = E.sim_rejection("CXL", "委托已是最终状态，不能撤单", order_id=order_id,
                                      order_status=order.status).message
        elif order.status != xc.ORDER_WAIT_REPORTING and (
                not self.calendar.is_trading_day(now.date())
                or not (self.policy.cancel_allowed(phase_at(inst, now)) or self._bar_clock(self.book(order.code)))):
            refusal = E.sim_rejection("CXL", "当前时间不允许撤单", order_id=order_id,
                                      time=now.strftime("%H:%M:%S")).message
        if on_result:
            on_result(-1 if refusal else 0, order, refusal)
        if refusal:
            self._emit("cancel_error", R.cancel_error_record(order, self.account_id, refusal), origin)
            return -1
        if order.status != xc.ORDER_WAIT_REPORTING:
            pending = xc.ORDER_PARTSUCC_CANCEL if order.traded_volume else xc.ORDER_REPORTED_CANCEL
            self._set_status(order, pending, inst)
        self._finish_cancel(order, "")
        return 0
