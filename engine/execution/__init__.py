"""Execution beyond one limit order: targets, rebalancing, protective orders and algorithms under
A-share rules (docs/execution.md).

* :mod:`.lots`: board lot rules for buys and sells (STAR 200 then 1, odd-lot sells).
* :mod:`.book`, :mod:`.inputs`: what a plan is computed from (positions, T+1, prices, limits, fees).
* :mod:`.planner`: the pure planner (orders + what could not be done and why).
* :mod:`.targets`: the executor behind ``ctx.order_target`` / ``ctx.rebalance`` (sells, then buys).
* :mod:`.stops`: stop-loss, take-profit and trailing stops (``ctx.attach_stop``), T+1 aware.
* :mod:`.algorithm`, :mod:`.algos`: the algorithm interface (parent/child, one live child) and Chase, TWAP, VWAP, Iceberg.
* :mod:`.service`: per-engine state, driven by the built-in ``execution`` plugin.
"""

from .algorithm import AlgorithmError, ExecAlgorithm, price_by_rule
from .algos import TWAP, VWAP, Chase, Iceberg, volume_profile
from .book import Book, Holding, Quote
from .lots import buy_volume, sell_volume
from .planner import Plan, PlanError, PlannedOrder, Skip, check_weights, plan, target_volume, targets_from_weights
from .service import ExecutionService
from .stops import ProtectiveOrder, StopError, StopLevels
from .targets import TargetRun

__all__ = [
    "TWAP", "VWAP", "AlgorithmError", "Chase", "Iceberg", "volume_profile", "ExecAlgorithm", "price_by_rule", "Book", "ExecutionService", "Holding", "Plan", "PlanError", "PlannedOrder", "ProtectiveOrder", "Quote", "Skip",
    "StopError", "StopLevels", "TargetRun",
    "buy_volume", "check_weights", "plan", "sell_volume", "target_volume", "targets_from_weights",
]
