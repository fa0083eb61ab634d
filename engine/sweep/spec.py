"""The sweep file (``qmt-engine sweep sweep.yaml``): what to vary, how to rank, where to run.

::

    base: ../config.yaml              # the configuration every trial starts from (or `config:` inline)
    folder: ../var/sweeps/ma          # default: var/sweeps/<file name> beside the sweep file
    space:                            # dotted paths, as `qmt-engine run --set PATH=VALUE`
      strategies.momentum.params.lookback: {values: [20, 40, 60]}
      strategies.momentum.params.top: {low: 3, high: 9, step: 3}
      strategies.momentum.params.slack: {low: 0.01, high: 0.05, log: true}
    sampler: {kind: grid}             # grid | random | tpe (optuna); seed for random and tpe
    budget: null                      # most trials (grid: the whole grid; random/tpe: required)
    objective: {metric: sharpe, direction: maximize}
    constraints: [{metric: max_drawdown, min: -0.2}]
    executor: {kind: local, jobs: null}   # local | dask (address: tcp://host:8786) | ray
    walk_forward: null                # {train: {start, end}, test: {start, end}} or {rolling: {...}}

Relative paths are resolved against the sweep file's folder. Every mistake is reported with the file,
the line and the field (:class:`SweepSpecError`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = ["Constraint", "Dimension", "ExecutorSettings", "Objective", "SamplerSettings", "SweepSpec",
           "SweepSpecError", "WalkForwardSettings", "load_sweep_spec"]


class SweepSpecError(ValueError):
    """A sweep file that cannot be used; ``problems`` holds one line per mistake (file, line, field)."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"invalid sweep file {path}:\n" + "\n".join(f"  - {p}" for p in problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


Scalar = Union[bool, int, float, str, None]


class Dimension(_Section):
    """One parameter's values: ``values: [...]`` (a list; the grid takes each), or a range
    ``low``/``high`` with an optional ``step`` (the grid needs it) and ``log`` (random and tpe).
    A range whose ``low``, ``high`` and ``step`` are whole numbers draws integers."""

    values: list[Scalar] | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = Field(None, gt=0)
    log: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> "Dimension":
        if self.values is not None:
            if self.low is not None or self.high is not None or self.step is not None:
                raise ValueError("give either values: [...] or low/high (with step), not both")
            if not self.values:
                raise ValueError("values: the list is empty")
            if len({json.dumps(v) for v in self.values}) != len(self.values):
                raise ValueError("values: a value is listed twice")
            return self
        if self.low is None or self.high is None:
            raise ValueError("expected values: [...], or low and high (e.g. {low: 5, high: 20, step: 5})")
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g}) is below low ({self.low:g})")
        if self.log and self.low <= 0:
            raise ValueError("log: true needs low > 0")
        return self

    @property
    def is_int(self) -> bool:
        """A range of whole numbers (``low``, ``high`` and ``step``, if given, all integral)."""
        ends = [self.low, self.high] + ([self.step] if self.step is not None else [])
        return self.values is None and all(v is not None and float(v).is_integer() for v in ends)

    def grid(self) -> list[Any]:
        """Every value the grid sampler takes, in order."""
        if self.values is not None:
            return list(self.values)
        if self.step is None:
            raise ValueError("a grid over a range needs step (or list the values)")
        count = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
        points = [self.low + i * self.step for i in range(count)]
        if self.is_int:
            return [int(round(p)) for p in points]
        digits = max(0, -int(math.floor(math.log10(self.step))) + 6)
        return [round(p, digits) for p in points]


class SamplerSettings(_Section):
    """``grid`` (every combination, in order), ``random`` or ``tpe`` (optuna's Tree-structured
    Parzen Estimator). ``batch``: trials tpe proposes before it sees their results; fixed so a
    sweep gives the same trials whatever the number of workers."""

    kind: Literal["grid", "random", "tpe"] = "grid"
    seed: int = 0
    batch: int = Field(4, ge=1)
    startup_trials: int = Field(8, ge=1, description="tpe: random trials before the model is used")


class Objective(_Section):
    """The run metric a trial is ranked by (a key of the results' metrics: sharpe, calmar,
    total_return, annual_return, sortino, max_drawdown, ...)."""

    metric: str = "sharpe"
    direction: Literal["maximize", "minimize"] = "maximize"


class Constraint(_Section):
    """A trial whose metric is below ``min`` or above ``max`` (or missing) is infeasible: kept in
    the store and the report, never ranked best. E.g. ``{metric: max_drawdown, min: -0.2}``."""

    metric: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bound(self) -> "Constraint":
        if self.min is None and self.max is None:
            raise ValueError("a constraint needs min or max")
        return self

    def holds(self, metrics: dict[str, Any]) -> bool:
        value = metrics.get(self.metric)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self) -> str:
        parts = ([f">= {self.min:g}"] if self.min is not None else []) + ([f"<= {self.max:g}"] if self.max is not None else [])
        return f"{self.metric} {' and '.join(parts)}"


class ExecutorSettings(_Section):
    """Where trials run: ``local`` (a process pool of ``jobs`` processes, default: the cores),
    ``dask`` (a ``distributed`` scheduler at ``address``) or ``ray`` (``address``: a Ray cluster, or
    none to start one on this machine). The data are read by the workers at the configured paths
    (``data: shared``): every worker must see the same files there, which each trial checks against
    the driver's data fingerprint. Each trial's files (its audit database) come back to the driver
    and are written under the sweep folder, so workers need no shared sweep folder."""

    kind: Literal["local", "dask", "ray"] = "local"
    jobs: int | None = Field(None, ge=1, description="local: processes (default: the cores)")
    address: str | None = Field(None, description="dask: the scheduler, e.g. tcp://host:8786; ray: the cluster")
    data: Literal["shared"] = "shared"

    @model_validator(mode="after")
    def _address(self) -> "ExecutorSettings":
        if self.kind == "dask" and not self.address:
            raise ValueError("kind: dask needs address: the scheduler, e.g. tcp://host:8786")
        return self


class Window(_Section):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _order(self) -> "Window":
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class Rolling(_Section):
    """Rolling windows over ``start``..``end``: train ``train_months``, test the next
    ``test_months``, then move on by ``step_months`` (default: ``test_months``)."""

    start: dt.date
    end: dt.date
    train_months: int = Field(ge=1)
    test_months: int = Field(ge=1)
    step_months: int | None = Field(None, ge=1)


class WalkForwardSettings(_Section):
    """In-sample / out-of-sample split: one ``train``/``test`` pair, or ``rolling`` windows. Each
    parameter set runs on every window's train and test periods (``backtest.start``/``end``); trials
    are ranked by the in-sample objective (the mean over windows) and the report shows the
    out-of-sample figures beside it."""

    train: Window | None = None
    test: Window | None = None
    rolling: Rolling | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "WalkForwardSettings":
        pair = self.train is not None or self.test is not None
        if pair and self.rolling is not None:
            raise ValueError("give train/test or rolling, not both")
        if pair and (self.train is None or self.test is None):
            raise ValueError("train and test are both needed")
        if not pair and self.rolling is None:
            raise ValueError("expected train: {start, end} and test: {start, end}, or rolling: {...}")
        return self


class SweepSpec(_Section):
    """A validated sweep file. Paths are absolute (resolved against the sweep file's folder)."""

    base: Path | None = Field(None, description="the base configuration file")
    config: dict[str, Any] | None = Field(None, description="or the base configuration inline")
    folder: Path | None = None
    space: dict[str, Dimension]
    sampler: SamplerSettings = Field(default_factory=SamplerSettings)
    budget: int | None = Field(None, ge=1)
    objective: Objective = Field(default_factory=Objective)
    constraints: list[Constraint] = Field(default_factory=list)
    executor: ExecutorSettings = Field(default_factory=ExecutorSettings)
    walk_forward: WalkForwardSettings | None = None
    source_path: Path | None = Field(None, exclude=True)

    @field_validator("space")
    @classmethod
    def _paths(cls, space: dict[str, Dimension]) -> dict[str, Dimension]:
        if not space:
            raise ValueError("the search space is empty; name at least one parameter")
        for path in space:
            if not path or any(not part for part in path.split(".")):
                raise ValueError(f"{path!r}: expected a dotted path, e.g. strategies.ma_cross.params.fast")
        return space

    @model_validator(mode="after")
    def _consistent(self) -> "SweepSpec":
        if (self.base is None) == (self.config is None):
            raise ValueError("give base: <config file> or config: {...} (inline), exactly one")
        if self.sampler.kind != "grid" and self.budget is None:
            raise ValueError(f"sampler {self.sampler.kind} needs budget: the number of trials")
        if self.sampler.kind == "grid":
            for name, dim in self.space.items():
                if dim.values is None and dim.step is None:
                    raise ValueError(f"space.{name}: a grid over a range needs step (or list the values)")
        return self

    def fingerprint(self) -> str:
        """SHA-256 of what decides the trials and their ranking (space, sampler, objective, constraints,
        walk-forward, the base configuration's content; not the executor, budget or folder): a sweep
        folder holds one sweep, and resuming it with another of these is refused."""
        data = self.model_dump(mode="json", exclude={"executor", "budget", "folder", "base"})
        if self.base is not None:  # the base file's content, not where it is: a moved sweep still resumes
            data["base_sha256"] = hashlib.sha256(self.base.read_bytes()).hexdigest() if self.base.is_file() else str(self.base)
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _lines(node: yaml.Node, loc: tuple, out: dict[tuple, int]) -> None:
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _lines(value, loc + (key.value,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, loc + (i,), out)


def _line_of(loc: tuple, lines: dict[tuple, int]) -> int:
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _dotted(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (("." if i else "") + str(p)) for i, p in enumerate(loc)) or "(top level)"


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file. :raises SweepSpecError: naming the file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SweepSpecError(str(path), [f"cannot read the file: {exc.strerror or exc}"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SweepSpecError(str(path), [f"{where}YAML syntax error: {getattr(exc, 'problem', None) or exc}"]) from None
    if not isinstance(data, dict):
        raise SweepSpecError(str(path), ["expected a mapping of settings (base, space, objective, ...)"])
    lines: dict[tuple, int] = {}
    if node is not None:
        _lines(node, (), lines)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown setting; see docs/sweep.md"
            problems.append(f"line {_line_of(loc, lines)}: {_dotted(loc)}: {message}")
        raise SweepSpecError(str(path), problems) from None
    here = path.resolve().parent
    updates: dict[str, Any] = {"source_path": path.resolve()}
    if spec.base is not None:
        updates["base"] = (here / spec.base).resolve()
    updates["folder"] = (here / spec.folder).resolve() if spec.folder is not None else here / "var" / "sweeps" / path.stem
    return spec.model_copy(update=updates)
