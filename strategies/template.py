"""A strategy template with every hook stubbed: copy it, rename it, fill in what you need.

Enable it in config.yaml::

    strategies:
      - name: my_strategy
        path: strategies/my_strategy.py
        class: Template
        params: {threshold: 0.02}

Every hook is optional; declare only the arguments you use (by name). Hooks run
one at a time on the engine thread, so no locks are needed. An exception is
caught, recorded in the audit database and logged; after
``engine.max_consecutive_failures`` in a row the strategy is FAULTED and skipped.
"""

from __future__ import annotations

from engine import hookimpl


class Template:
    @hookimpl
    def on_start(self, ctx):
        """Broker ready, account loaded; ctx.params holds this strategy's params."""

    @hookimpl
    def on_tick(self, ctx, tick):
        """A snapshot: tick.last_price, tick.ask_prices / ask_volumes (shares), ..."""

    @hookimpl
    def on_bar(self, ctx, bar):
        """A finished bar (backtests and bar subscriptions)."""

    @hookimpl
    def on_order(self, ctx, order):
        """Any status change of any order (check order.strategy == ctx.name for your own)."""

    @hookimpl
    def on_trade(self, ctx, fill):
        """A fill: fill.price, fill.volume, fill.commission (Decimal)."""

    @hookimpl
    def on_order_error(self, ctx, error):
        """The broker refused an order: error.error_msg is the counter's message."""

    @hookimpl
    def on_cancel_error(self, ctx, error):
        """The broker refused a cancel."""

    @hookimpl
    def on_disconnect(self, ctx, reason):
        """The broker connection is lost; trading is halted until on_reconnect."""

    @hookimpl
    def on_reconnect(self, ctx, attempts):
        """Connection back and state reconciled."""

    @hookimpl
    def on_schedule(self, ctx, job, params):
        """A job from config.yaml named this strategy as its target."""

    @hookimpl
    def on_heartbeat(self, ctx, now):
        """Every engine.heartbeat_seconds of engine time."""

    @hookimpl
    def on_stop(self, ctx, reason):
        """The run is ending (completed, signal, requested or error)."""
