"""Risk plugin example: cap the value held in any one code.

Denies a buy when (current position + this order) x price would exceed
``settings.limit`` CNY. Sells are never blocked (they reduce the position).
"""

from decimal import Decimal

from engine import hookimpl
from engine.models import RiskDecision, Side


@hookimpl
def check_order(ctx, request):
    if request.side is Side.SELL or request.price is None:
        return None
    limit = Decimal(str(ctx.params.get("limit", 300_000)))
    held = ctx.position(request.code).volume
    value = (held + request.volume) * request.price
    if value > limit:
        return RiskDecision.deny("max_position_value", f"{request.code} would hold {value} CNY, over {limit}", value, limit)
    return RiskDecision.allow("max_position_value", value=value, limit=limit)
