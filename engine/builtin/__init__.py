"""Built-in plugins, registered from ``engine.plugin_manager.DEFAULT_PLUGINS``.

They implement the same hooks a user's plugin would, and any of them can be
turned off with ``plugins.disabled: [name]`` in ``config.yaml``:

* ``audit``   (:mod:`.audit_log`): writes every event to the SQLite audit database.
* ``risk``    (:mod:`.risk_limits`): the default pre-trade rules from ``risk:``.
* ``console`` (:mod:`.console`): readable log lines for orders, fills and denials.
* ``trading_day`` (:mod:`.trading_day`): the daily routine (pre-open check, close, post-close statement).
"""
