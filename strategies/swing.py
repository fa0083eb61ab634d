"""A swing strategy for bars: buy a lot after a dip, sell it after a rise (T+1 allowed).

Each strategy instance trades only its own shares (``ctx.strategy_position``), so
two of them with other parameters can run side by side and the report splits
the P&L between them. Params: ``dip`` and ``rise`` (fractions of the previous
bar's close), ``lots`` (100-share lots per buy).
"""

from engine import hookimpl


class Swing:
    def __init__(self):
        self.last = {}

    @hookimpl
    def on_bar(self, ctx, bar):
        before = self.last.get(bar.code)
        self.last[bar.code] = bar.close
        if before is None or ctx.open_orders(bar.code):
            return
        own = ctx.strategy_position(bar.code).volume  # this strategy's shares, not the account's
        sellable = min(own, ctx.position(bar.code).can_use_volume)
        move = bar.close / before - 1
        if own == 0 and move < -ctx.params["dip"]:
            ctx.buy(bar.code, ctx.params["lots"] * 100, price=bar.close)
        elif sellable and move > ctx.params["rise"]:
            ctx.sell(bar.code, sellable, price=bar.close)
