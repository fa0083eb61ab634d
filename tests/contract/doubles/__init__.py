"""Test doubles for xtquant's Windows-only native modules, backed by the MiniQMT simulator.

* :mod:`.xtpythonclient` replaces ``xtquant.xtpythonclient`` (the trading client
  behind ``xtquant.xttrader.XtQuantTrader``).
* :mod:`.datacenter` replaces ``xtquant.datacenter`` (the quote client behind
  ``xtquant.xtdata`` / ``xtquant.xtdatacenter``).
* :mod:`.miniqmt` is the "MiniQMT process" both talk to: a ``SimCounter`` with
  the switches scenarios need (connect refusals, disconnect pushes, error
  pushes before their async response).
* :mod:`.install` puts the doubles in ``sys.modules`` and imports the real
  ``xtquant.xttrader`` and ``xtquant.xtdata`` over them.

``xtquant.xtbson`` needs no double: its ``_cbson`` accelerator is optional and
the pure-Python codec is used.
"""
