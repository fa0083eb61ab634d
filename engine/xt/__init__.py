"""The xtquant vocabulary: constants and record types with the SDK's own names.

``engine.xt.constants`` mirrors ``xtquant.xtconstant`` and ``engine.xt.records``
mirrors ``xtquant.xttype`` (same class names, attribute names and constructor
argument order), so the simulator and the gateway speak exactly the SDK's
language and a user's xtquant script runs against the simulator by changing its
imports.
"""
