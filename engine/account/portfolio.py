"""The account and positions as the engine sees them.

Cash and positions are the broker's (``XtAsset`` / ``XtPosition`` pushes and
queries are authoritative). A fill updates the position at once, so
``on_trade`` sees it; the broker's next position push then replaces it.
Last prices come from ticks, so market value and floating P&L are live.

``can_use_volume`` is the broker's sellable volume minus the engine's own sell
orders the broker has not acknowledged yet (it freezes shares when it accepts
an order), so two sells in quick succession cannot both count on the same
shares.
"""

from __future__ import annotations

from decimal import Decimal

from ..models import Account, Fill, Position, Side
from ..models.money import ZERO, to_decimal


class Portfolio:
    def __init__(self, account_id: str) -> None:
        self.account = Account(account_id=account_id)
        self.positions: dict[str, Position] = {}
        self.last_prices: dict[str, float] = {}
        self._broker_can_use: dict[str, int] = {}
        self._unacknowledged_sells: dict[str, dict[str, int]] = {}  # code -> {client id: volume}
        #: each position's share of the account's market value and floating P&L, so a new price
        #: re-values one position, not all of them (exact: Decimal sums do not drift)
        self._valued: dict[str, tuple[Decimal, Decimal]] = {}

    def apply_asset(self, asset) -> None:
        """Take cash and frozen cash from an ``XtAsset`` (push or query)."""
        self.account.cash = to_decimal(asset.cash)
        self.account.frozen_cash = to_decimal(asset.frozen_cash)
        self._revalue()

    def apply_position(self, record) -> None:
        """Replace one position with an ``XtPosition`` (push or query)."""
        code = record.stock_code
        held = self.positions.get(code)
        if record.volume <= 0 and (held is None or not held.volume):
            self.positions.pop(code, None)
            self._revalue()
            return
        position = held or Position(code=code)
        if held is None and record.yesterday_volume > 0:
            position.holding_days = 1
        position.volume = int(record.volume)
        self._broker_can_use[code] = int(record.can_use_volume)
        position.frozen_volume = int(record.frozen_volume)
        position.avg_price = to_decimal(record.avg_price) if record.avg_price else position.avg_price
        position.name = record.instrument_name or position.name
        position.last_price = self.last_prices.get(code) or float(record.last_price or 0.0)
        self.positions[code] = position
        self._update_sellable(code)
        self._revalue()

    def apply_fill(self, fill: Fill) -> None:
        """Provisional position and cash update for a fill, before the broker's pushes replace them.

        A buy's cost leaves frozen cash (the broker froze it when it accepted the order); a sale's
        proceeds, net of fees, are usable at once (A-share rules). Total asset therefore moves by
        the fees only, so the account never shows a phantom loss between a fill and the asset push.
        """
        position = self.positions.setdefault(fill.code, Position(code=fill.code))
        account = self.account
        if fill.side is Side.BUY:
            account.frozen_cash = max(account.frozen_cash - fill.amount - fill.commission, ZERO)
        else:
            account.cash += fill.amount - fill.commission
        if fill.side is Side.BUY:
            cost = position.avg_price * position.volume + fill.amount + fill.commission
            position.volume += fill.volume
            position.avg_price = (cost / position.volume).quantize(Decimal("0.0001")) if position.volume else ZERO
        else:  # the shares were frozen when the broker accepted the order: only the volume moves now
            position.volume = max(position.volume - fill.volume, 0)
        position.last_price = self.last_prices.get(fill.code, float(fill.price))
        self._revalue_one(fill.code)

    def sell_sent(self, code: str, client_order_id: str, volume: int) -> None:
        """The engine sent a sell the broker has not acknowledged yet."""
        self._unacknowledged_sells.setdefault(code, {})[client_order_id] = volume
        self._update_sellable(code)

    def sell_acknowledged(self, code: str, client_order_id: str) -> None:
        """The broker reported the sell (it froze the shares) or it ended."""
        pending = self._unacknowledged_sells.get(code)
        if pending and pending.pop(client_order_id, None) is not None:
            self._update_sellable(code)

    def _update_sellable(self, code: str) -> None:
        position = self.positions.get(code)
        if position is not None:
            pending = sum(self._unacknowledged_sells.get(code, {}).values())
            position.can_use_volume = max(self._broker_can_use.get(code, position.can_use_volume) - pending, 0)

    def mark(self, code: str, price: float) -> None:
        """A new last price for ``code``."""
        self.last_prices[code] = price
        position = self.positions.get(code)
        if position is not None:
            position.last_price = price
            self._revalue_one(code)

    def drop(self, code: str) -> None:
        """Forget a position the broker no longer reports."""
        if self.positions.pop(code, None) is not None:
            self._revalue_one(code)

    def roll_day(self) -> None:
        """A new trading day: every holding is one day older."""
        for position in self.positions.values():
            if position.volume:
                position.holding_days += 1

    def _revalue(self) -> None:
        """Re-value every position (after a broker push replaced positions or cash)."""
        self._valued = {code: (p.market_value, p.pnl) for code, p in self.positions.items()}
        self.account.market_value = sum((v for v, _ in self._valued.values()), ZERO)
        self.account.floating_pnl = sum((pnl for _, pnl in self._valued.values()), ZERO)

    def _revalue_one(self, code: str) -> None:
        """Re-value one position: its old share of the totals out, the new one in."""
        position = self.positions.get(code)
        old_value, old_pnl = self._valued.get(code, (ZERO, ZERO))
        value, pnl = (position.market_value, position.pnl) if position is not None else (ZERO, ZERO)
        self._valued[code] = (value, pnl)
        account = self.account
        account.market_value += value - old_value
        account.floating_pnl += pnl - old_pnl
