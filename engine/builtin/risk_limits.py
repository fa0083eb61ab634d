"""Built-in plugin ``risk``: the default pre-trade rules, configured under ``risk:``.

Each rule answers with a :class:`RiskDecision` carrying the rule name, the
measured value, the limit and a reason. A limit set to ``null`` turns that rule
off. Orders that reduce a position (sells within the sellable volume) are never
blocked by the size rules.
"""

from __future__ import annotations

from ..config import EngineConfig
from ..config.models import RiskSettings
from ..hookspecs import hookimpl
from ..instruments import buy_lot
from ..models import OrderRequest, RiskDecision, Side
from ..models.money import to_decimal


class DefaultRiskLimits:
    """Order size, order value, price band, lots and open-order count."""

    def __init__(self, settings: RiskSettings) -> None:
        self.settings = settings

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        reducing = request.side is Side.SELL and request.volume <= ctx.position(request.code).can_use_volume
        for rule in (self._lots, self._volume, self._value, self._price_band, self._open_orders):
            decision = rule(ctx, request, reducing)
            if decision is not None:
                return decision
        return RiskDecision.allow("default_limits", "within the configured limits")

    def _lots(self, ctx, request: OrderRequest, reducing: bool) -> RiskDecision | None:
        if not self.settings.check_lots or request.side is Side.SELL:
            return None
        minimum, step = buy_lot(request.code)
        if request.volume < minimum or (request.volume - minimum) % step:
            return RiskDecision.deny("lot_size", f"a buy of {request.code} must be at least {minimum} shares in steps of {step}",
                                     request.volume, f"min {minimum}, step {step}")
        return None

    def _volume(self, ctx, request: OrderRequest, reducing: bool) -> RiskDecision | None:
        limit = self.settings.max_order_volume
        if limit is not None and not reducing and request.volume > limit:
            return RiskDecision.deny("max_order_volume", f"order volume {request.volume} exceeds {limit} shares", request.volume, limit)
        return None

    def _value(self, ctx, request: OrderRequest, reducing: bool) -> RiskDecision | None:
        limit = self.settings.max_order_value
        if limit is None or reducing:
            return None
        price = request.price if request.price is not None else to_decimal(ctx.last_price(request.code) or 0)
        value = price * request.volume
        if value > limit:
            return RiskDecision.deny("max_order_value", f"order value {value} CNY exceeds {limit} CNY", value, limit)
        return None

    def _price_band(self, ctx, request: OrderRequest, reducing: bool) -> RiskDecision | None:
        band = self.settings.price_band_pct
        last = ctx.last_price(request.code)
        if band is None or request.price is None or not last:
            return None
        distance = abs(request.price / to_decimal(last) - 1)  # Decimal: exactly at the band is allowed
        if distance > to_decimal(band):
            return RiskDecision.deny("price_band", f"limit price {request.price} is {distance:.2%} from the last price {last} (band {band:.2%})",
                                     round(distance, 6), band)
        return None

    def _open_orders(self, ctx, request: OrderRequest, reducing: bool) -> RiskDecision | None:
        limit = self.settings.max_open_orders
        if limit is None:
            return None
        count = len(ctx.open_orders(all_strategies=True))
        if count >= limit:
            return RiskDecision.deny("max_open_orders", f"{count} orders are open (limit {limit})", count, limit)
        return None


def make_plugin(config: EngineConfig) -> DefaultRiskLimits:
    return DefaultRiskLimits(config.risk)
