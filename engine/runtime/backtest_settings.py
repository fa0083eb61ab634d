"""``backtest:`` settings live with the rest of the configuration (:mod:`engine.config.models`)."""

from ..config.models import BacktestSettings

__all__ = ["BacktestSettings"]
