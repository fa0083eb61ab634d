"""Backtest engines over small bar files (the fixtures of tests/backtest, shared)."""

from tests.backtest.conftest import backtest  # noqa: F401  (the fixture)
