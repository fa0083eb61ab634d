"""Parameter sweeps (``qmt-engine sweep``, docs/sweep.md).

Modules: :mod:`.spec` (the sweep file), :mod:`.samplers` (grid, random, optuna TPE), :mod:`.trial`
(one trial = one full engine run with its own audit database), :mod:`.executors` (local pool, Dask,
Ray), :mod:`.store` (the sweep's SQLite database), :mod:`.ranking`, :mod:`.walk_forward`,
:mod:`.report` (terminal table, CSV/JSON, HTML) and :mod:`.driver` (runs and resumes a sweep,
``verify_best``). Nothing here is imported by ``import engine``; optuna and distributed are imported
only by the parts that use them.
"""

from .spec import SweepSpec, SweepSpecError, load_sweep_spec

__all__ = ["SweepSpec", "SweepSpecError", "load_sweep_spec"]
