"""Built-in plugins, registered from ``engine.plugin_manager.DEFAULT_PLUGINS``.

They implement the same hooks a user's plugin would, and any of them can be
turned off with ``plugins.disabled: [name]`` in ``config.yaml``:

* ``audit``   (:mod:`.audit_log`): writes every event to the SQLite audit database.
* ``risk_order``, ``risk_codes``, ``risk_exposure``, ``risk_flow``, ``risk_loss`` (:mod:`.risk`): the pre-trade rules from ``risk:`` (docs/risk.md).
* ``console`` (:mod:`.console`): readable log lines for orders, fills and denials.
* ``trading_day`` (:mod:`.trading_day`): the daily routine (pre-open check, close, post-close statement).
* ``notify`` (:mod:`.notify`): notifications through apprise URLs; off until ``notify.channels`` is set.
* ``metrics`` (:mod:`.metrics`): a Prometheus endpoint; off until ``metrics.port`` is set.
* ``execution`` (:mod:`.execution`): ``ctx.rebalance`` sends its buys once its sells are final (docs/execution.md).
* ``results`` (:mod:`engine.results.marks`): the account's value, positions and P&L over time (``equity_marks``).
"""
