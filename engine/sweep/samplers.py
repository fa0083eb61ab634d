"""Which parameter sets a sweep tries: the grid, seeded random draws, or optuna's TPE.

Every sampler is deterministic given the sweep file: the grid in the order of the space, random draws
from optuna's :class:`~optuna.samplers.RandomSampler` with the sweep's seed, and TPE in fixed batches
(``sampler.batch``) with a seed per batch and the finished trials of the earlier batches told in
their order. So the same sweep proposes the same parameter sets on one process, a pool or a Dask
cluster, and a resumed sweep continues where it stopped (proposed sets are kept in the sweep store).
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable

from .spec import Dimension, SweepSpec

__all__ = ["Planner", "Scored", "distribution", "fresh", "grid_points", "random_points"]

#: a finished parameter set as the TPE model sees it: (params, objective or None when it failed
#: or broke a constraint)
Scored = tuple[dict[str, Any], "float | None"]


def grid_points(space: dict[str, Dimension]) -> list[dict[str, Any]]:
    """Every combination, the last parameter varying fastest."""
    names = list(space)
    return [dict(zip(names, combo)) for combo in itertools.product(*(space[n].grid() for n in names))]


def distribution(dim: Dimension):
    """The optuna distribution of a dimension."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if dim.values is not None:
        return CategoricalDistribution(dim.values)
    if dim.is_int:
        step = int(dim.step) if dim.step is not None and not dim.log else 1
        return IntDistribution(int(dim.low), int(dim.high), log=dim.log, step=step)
    return FloatDistribution(dim.low, dim.high, log=dim.log, step=None if dim.log else dim.step)


def _distributions(space: dict[str, Dimension]) -> dict:
    return {name: distribution(dim) for name, dim in space.items()}


def _quiet_optuna() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def random_points(space: dict[str, Dimension], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` independent draws (optuna's RandomSampler, seeded)."""
    import optuna

    _quiet_optuna()
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    dists = _distributions(space)
    return [study.ask(dists).params for _ in range(count)]


def tpe_batch(space: dict[str, Dimension], history: Iterable[Scored], count: int, *, seed: int, batch_index: int,
              startup: int, maximize: bool) -> list[dict[str, Any]]:
    """The next ``count`` parameter sets from TPE after ``history`` (in order). A fresh study each
    batch, seeded with ``seed`` and the batch's index, so the proposal depends on nothing else."""
    import optuna
    from optuna.trial import TrialState, create_trial

    _quiet_optuna()
    dists = _distributions(space)
    sampler = optuna.samplers.TPESampler(seed=seed * 100_003 + batch_index, n_startup_trials=startup,
                                         constant_liar=True)
    study = optuna.create_study(sampler=sampler, direction="maximize" if maximize else "minimize")
    for params, value in history:
        if value is None:
            study.add_trial(create_trial(params=params, distributions=dists, state=TrialState.FAIL))
        else:
            study.add_trial(create_trial(params=params, distributions=dists, value=value))
    return [study.ask(dists).params for _ in range(count)]


class Planner:
    """Proposes the sweep's parameter sets up to its budget.

    ``next(proposed, scored, batches)``: parameter sets to add, given the ones proposed so far (in
    order), the finished ones with their objective, and the number of TPE batches asked so far. Grid
    and random return every set of the budget (the driver keeps those not proposed yet: a resumed
    sweep, or a larger budget, extends the same list, and a random draw that repeats an earlier one is
    dropped); TPE returns one batch once every earlier set has finished (an empty list while some
    still run).
    """

    def __init__(self, spec: SweepSpec, budget: int | None) -> None:
        self.spec = spec
        self.kind = spec.sampler.kind
        if self.kind == "grid":
            self.points = grid_points(spec.space)
            self.budget = min(budget, len(self.points)) if budget else len(self.points)
        else:
            self.budget = budget or spec.budget or 0

    def next(self, proposed: list[dict[str, Any]], scored: list[Scored] | None, batches: int = 0) -> list[dict[str, Any]]:
        left = self.budget - len(proposed)
        if left <= 0:
            return []
        if self.kind == "grid":
            return self.points[:self.budget]
        if self.kind == "random":
            return random_points(self.spec.space, self.budget, self.spec.sampler.seed)
        if scored is None or len(scored) < len(proposed):
            return []  # wait for the running batch
        return tpe_batch(self.spec.space, scored, min(self.spec.sampler.batch, left), seed=self.spec.sampler.seed,
                         batch_index=batches, startup=self.spec.sampler.startup_trials,
                         maximize=self.spec.objective.direction == "maximize")


def fresh(candidates: list[dict[str, Any]], proposed: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
    """The sets of ``candidates`` not in ``proposed`` (nor repeated), at most ``room`` of them."""
    seen = {_identity(p) for p in proposed}
    out = []
    for params in candidates:
        key = _identity(params)
        if key not in seen and len(out) < room:
            seen.add(key)
            out.append(params)
    return out


def _identity(params: dict[str, Any]) -> str:
    import json

    return json.dumps(params, sort_keys=True, default=str)
