"""One trial: a full backtest of the base configuration with one parameter set, through the normal engine.

:func:`run_trial` is what every executor calls (in a pool process, a Dask or Ray worker, or in this
process for ``--verify-best``). It loads the base configuration with the trial's parameters as
``--set`` overrides (typed and validated like the file), points the audit database, the control
database and the report folders at the trial's own folder, runs :class:`engine.core.Engine` with every
built-in plugin, risk rule and the audit trail as ``qmt-engine run`` would, and then reads the run's
metrics back from its audit database (:mod:`engine.results`), verifies the audit hash chain, and
digests the fills. The returned :class:`TrialResult` is plain data (it pickles to any worker).

A trial either ``done`` (the run completed with every plugin working), ``failed`` (the run itself went
wrong: a plugin raised, e.g. a strategy refused its parameters, or the run ended in error; this is
a property of the parameters and is not retried) or ``error`` (the trial could not run: bad
configuration, different data on the worker, an exception; retried on resume).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["TrialResult", "TrialTask", "fills_digest", "load_trial_config", "run_trial", "sweep_data_fingerprint",
           "trial_key"]

#: what a trial's run writes, all under the trial's folder
AUDIT_NAME, CONTROL_NAME = "audit.db", "control.db"


@dataclass(frozen=True)
class TrialTask:
    """What a worker needs to run one trial (plain data: it pickles to any worker)."""

    key: str  # the trial's identity in the sweep store (params + window)
    number: int
    params: dict[str, Any]  # dotted path -> value
    base_path: str | None  # the base configuration file, or
    base_inline: dict[str, Any] | None  # the inline one, with
    base_dir: str  # the folder its relative paths are relative to
    out_dir: str  # where the trial's files end up (on the driver)
    window: tuple[str, str, str] | None = None  # (name, start, end): backtest.start / end
    expected_data_fingerprint: str | None = None
    ship_files: bool = False  # run in a scratch folder on the worker and return the files' bytes


@dataclass
class TrialResult:
    key: str
    number: int
    status: str  # done | failed | error
    params: dict[str, Any]
    window: tuple[str, str, str] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    run_id: str | None = None
    audit_path: str | None = None
    audit_ok: bool | None = None
    config_fingerprint: str | None = None
    data_fingerprint: str | None = None
    fills_digest: str | None = None
    fills: int = 0
    error: str | None = None
    elapsed_seconds: float = 0.0  # the whole trial, as the worker measured it
    run_seconds: float = 0.0  # of which Engine(...).run()
    worker: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # shipped back: name -> content


def trial_key(params: dict[str, Any], window: tuple[str, str, str] | None = None) -> str:
    """A stable identity of a parameter set (and walk-forward window): the store's primary key."""
    text = json.dumps({"params": params, "window": list(window) if window else None}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _overrides(task: TrialTask, work: Path) -> list[str]:
    sets = [f"{path}={_text(value)}" for path, value in task.params.items()]
    return sets + [f"audit.path={work / AUDIT_NAME}", f"engine.control_path={work / CONTROL_NAME}",
                   "logging.file=null", f"results.report_dir={work / 'reports'}",
                   f"trading_day.report_dir={work / 'reports'}", "trading_day.report_files=false"]


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_trial_config(task: TrialTask, work: Path):
    """The trial's validated :class:`EngineConfig` (raises ``ConfigError`` naming the override)."""
    from ..config import ConfigError, load_config
    from ..config.models import EngineConfig, resolve_paths
    from ..config.overrides import OverrideError, apply_overrides

    overrides = _overrides(task, work)
    if task.base_path is not None:
        config = load_config(Path(task.base_path), overrides=overrides)
    else:
        data = copy.deepcopy(task.base_inline or {})
        where = f"the sweep's inline config ({task.base_dir})"
        try:
            apply_overrides(data, overrides)
            config = resolve_paths(EngineConfig.model_validate(data), Path(task.base_dir))
        except OverrideError as exc:
            raise ConfigError(where, [str(exc)]) from None
        except ValueError as exc:  # pydantic's ValidationError
            raise ConfigError(where, [str(exc)]) from None
    if task.window is not None:  # set on the validated model: `--set` cannot retype a date the file holds
        import datetime as dt

        _, start, end = task.window
        if config.mode != "backtest" or config.backtest.store is None:
            raise ConfigError(str(task.base_path or "inline config"), [
                "walk_forward: the periods are backtest.start / backtest.end, which need mode: backtest over a "
                "data store (backtest.store)"])
        config = config.model_copy(update={"backtest": config.backtest.model_copy(
            update={"start": dt.date.fromisoformat(start), "end": dt.date.fromisoformat(end)})})
    if config.mode == "live":
        raise ConfigError(str(task.base_path or "inline config"), ["mode: live cannot be swept; use backtest or paper"])
    return config


def sweep_data_fingerprint(config) -> str | None:
    """SHA-256 over the names and contents of the files the run reads: the bar or tick files (and
    instruments) of :func:`engine.results.run_settings.data_files`, or, for a data store
    (``backtest.store``), its bars of the configured period, its dividends, instruments and sector
    lists."""
    from ..results.run_settings import data_files, data_fingerprint

    settings = config.backtest
    if config.mode == "backtest" and settings.store is not None:
        root = Path(settings.store)
        files = [f for part in (Path("bars") / settings.period, Path("dividends"), Path("sectors"))
                 for f in (root / part).rglob("*") if f.is_file()]
        files += [f for f in root.glob("instruments.*") if f.is_file()]
        if settings.codes_file is not None:
            files.append(Path(settings.codes_file))
        return data_fingerprint(sorted(files, key=lambda f: str(f.relative_to(root) if f.is_relative_to(root) else f)))
    return data_fingerprint(data_files(config))


def fills_digest(fills) -> str:
    """SHA-256 of the run's own fills in order: time, strategy, code, side, price, volume, amount and
    fee (not the client order id, which carries the wall-clock date of the run)."""
    rows = [[f.ts.isoformat(), f.strategy, f.code, f.side, str(f.price), f.volume, str(f.amount), str(f.commission)]
            for f in fills]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _quiet_logging() -> None:
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="ERROR", format="{time:HH:mm:ss} {level: <7} trial {message}", diagnose=False)


def run_trial(task: TrialTask, *, quiet: bool = True) -> TrialResult:
    """Run one trial (see the module docstring). Never raises: problems come back as ``status='error'``."""
    import socket

    began = time.perf_counter()
    result = TrialResult(task.key, task.number, "error", dict(task.params), task.window,
                         worker=f"{socket.gethostname()}:{__import__('os').getpid()}")
    scratch = Path(tempfile.mkdtemp(prefix="qmt-trial-")) if task.ship_files else None
    work = scratch if scratch is not None else Path(task.out_dir)
    try:
        if scratch is None:
            shutil.rmtree(work, ignore_errors=True)  # a trial interrupted earlier starts afresh
        work.mkdir(parents=True, exist_ok=True)
        if quiet:
            _quiet_logging()
        _run(task, work, result)
        if scratch is not None:
            result.files = {f.name: f.read_bytes() for f in sorted(work.iterdir()) if f.is_file()
                            and not f.name.endswith((".lock", "-shm"))}
    except Exception as exc:  # noqa: BLE001 - a trial's failure is data for the sweep, not a crash of it
        result.status = "error"
        result.error = f"{type(exc).__name__}: {exc}"
        if not _expected(exc):
            result.error += "\n" + traceback.format_exc(limit=8)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        result.elapsed_seconds = time.perf_counter() - began
    result.audit_path = str(Path(task.out_dir) / AUDIT_NAME) if result.run_id else None
    return result


def _expected(exc: Exception) -> bool:
    from ..config import ConfigError

    return isinstance(exc, (ConfigError, DataMismatchError))


class DataMismatchError(RuntimeError):
    """The worker's data files are not the driver's (executor ``data: shared``)."""


def _run(task: TrialTask, work: Path, result: TrialResult) -> None:
    from ..audit.verify import verify_chain
    from ..core import Engine
    from ..results.load import load_run, open_db
    from ..results.run_results import results_of
    from ..results.run_settings import config_fingerprint

    config = load_trial_config(task, work)
    result.data_fingerprint = sweep_data_fingerprint(config)
    if task.expected_data_fingerprint is not None and result.data_fingerprint != task.expected_data_fingerprint:
        raise DataMismatchError(
            f"the data on worker {result.worker} differ from the driver's (fingerprint "
            f"{(result.data_fingerprint or 'none')[:12]} != {task.expected_data_fingerprint[:12]}): every worker must "
            f"read the same files at the configured paths (executor data: shared)")
    result.config_fingerprint = config_fingerprint(config)
    ran = time.perf_counter()
    engine = Engine(config)
    summary = engine.run()
    result.run_seconds = time.perf_counter() - ran
    result.run_id = summary.run_id
    database, _ = open_db(work / AUDIT_NAME)
    try:
        data = load_run(database, summary.run_id)
        result.metrics = dict(results_of(data).metrics)
        own = data.own_fills
        result.fills, result.fills_digest = len(own), fills_digest(own)
        result.audit_ok = verify_chain(database).ok
    finally:
        database.close()
    if summary.reason == "error":
        result.status, result.error = "failed", "the run ended in error (see its audit database)"
    elif summary.faulted_plugins or summary.plugin_errors:
        result.status = "failed"
        faulted = f", FAULTED: {', '.join(summary.faulted_plugins)}" if summary.faulted_plugins else ""
        result.error = (f"a plugin raised {summary.plugin_errors} time(s){faulted} (the log above; "
                        f"qmt-engine audit --db {Path(task.out_dir) / AUDIT_NAME})")
    elif result.audit_ok is False:
        result.status, result.error = "error", "the audit hash chain does not verify"
    else:
        result.status = "done"
