"""Buy a dip, sell the bounce: the ten-line strategy from the README."""

from engine import hookimpl


@hookimpl
def on_tick(ctx, tick):
    position = ctx.position(tick.code)
    if ctx.open_orders(tick.code):
        return
    if position.volume == 0 and tick.ask1 and tick.last_price < tick.pre_close * (1 - ctx.params["dip"]):
        ctx.buy(tick.code, 100, price=tick.ask1)
    elif position.can_use_volume and tick.bid1 and tick.bid1 > float(position.avg_price) * (1 + ctx.params["take"]):
        ctx.sell(tick.code, position.can_use_volume, price=tick.bid1)
