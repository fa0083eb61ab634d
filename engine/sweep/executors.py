"""Where trials run: a local process pool, a Dask ``distributed`` cluster, or Ray.

The executor is a setting (``executor: {kind: local | dask | ray}``), never a code change: each
one takes :class:`~engine.sweep.trial.TrialTask` objects and yields their
:class:`~engine.sweep.trial.TrialResult` as they finish, running the same
:func:`~engine.sweep.trial.run_trial`.

* ``local``: :class:`concurrent.futures.ProcessPoolExecutor` with ``jobs`` processes (default: the
  cores), started with ``spawn`` (as on Windows; no state inherited from the driver). Trials write
  their files straight into the sweep folder.
* ``dask``: a :class:`distributed.Client` connected to the scheduler at ``address``. Workers need
  ``qmt-engine`` (and the strategy modules) installed and the data at the configured paths; each trial
  runs in a scratch folder on its worker and ships its files (the audit database) back.
* ``ray``: ``ray.init(address)`` when the ``ray`` package is installed, the same shipping as Dask.
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import Future
from typing import Any, Iterable, Iterator

from .spec import ExecutorSettings
from .trial import TrialResult, TrialTask, run_trial

__all__ = ["DaskExecutor", "ExecutorError", "LocalExecutor", "RayExecutor", "make_executor"]


class ExecutorError(RuntimeError):
    """The executor cannot start (no scheduler at the address, a package missing)."""


def _lost(task: TrialTask, exc: BaseException, where: str) -> TrialResult:
    """A trial whose worker went away (the trial itself never raises)."""
    return TrialResult(task.key, task.number, "error", dict(task.params), task.window,
                       error=f"{where}: the trial's worker failed: {type(exc).__name__}: {exc}")


class LocalExecutor:
    """A pool of ``jobs`` processes on this machine."""

    kind = "local"
    ship_files = False

    def __init__(self, jobs: int | None = None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = jobs or os.cpu_count() or 1
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"))

    def run(self, tasks: Iterable[TrialTask]) -> Iterator[TrialResult]:
        from concurrent.futures import as_completed

        futures: dict[Future, TrialTask] = {self._pool.submit(run_trial, task): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield future.result()
                except Exception as exc:  # noqa: BLE001 - a pool process died (BrokenProcessPool)
                    yield _lost(task, exc, "local pool")
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def describe(self) -> str:
        return f"local, {self.workers} process{'es' if self.workers != 1 else ''}"


class DaskExecutor:
    """The workers of a Dask ``distributed`` scheduler (``tcp://host:8786``)."""

    kind = "dask"
    ship_files = True

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError("executor kind dask needs the distributed package: "
                                "pip install 'qmt-engine[sweep]' (or 'dask[distributed]')") from None
        self.address = address
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"executor dask: no scheduler answers at {address} ({exc})") from None
        self.workers = len(self._client.scheduler_info().get("workers", {}))

    def run(self, tasks: Iterable[TrialTask]) -> Iterator[TrialResult]:
        from distributed import as_completed

        tasks = list(tasks)
        if not tasks:
            return
        futures = {}
        for task in tasks:
            future = self._client.submit(run_trial, task, pure=False, key=f"qmt-trial-{task.key}-{uuid.uuid4().hex[:8]}")
            futures[future.key] = (future, task)
        try:
            for future in as_completed([f for f, _ in futures.values()], loop=self._client.loop):
                task = futures[future.key][1]
                try:
                    yield future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died or the task was lost
                    yield _lost(task, exc, f"dask {self.address}")
        finally:
            self._client.cancel([f for f, _ in futures.values() if not f.done()])

    def close(self) -> None:
        self._client.close()

    def describe(self) -> str:
        return f"dask at {self.address}, {self.workers} worker{'s' if self.workers != 1 else ''}"


class RayExecutor:
    """Ray tasks, on the cluster at ``address`` or a local one ``ray.init()`` starts."""

    kind = "ray"
    ship_files = True

    def __init__(self, address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise ExecutorError("executor kind ray needs the ray package, which is not installed here: "
                                "pip install 'ray[default]' (Ray has no wheels for some platforms and Python "
                                "versions; use kind: dask or local there)") from None
        self._ray = ray
        ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
        self.address = address or "a local Ray instance"
        self._remote = ray.remote(run_trial)
        self.workers = int(ray.cluster_resources().get("CPU", 1))

    def run(self, tasks: Iterable[TrialTask]) -> Iterator[TrialResult]:
        pending: dict[Any, TrialTask] = {self._remote.remote(task): task for task in tasks}
        try:
            while pending:
                ready, _ = self._ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    task = pending.pop(ref)
                    try:
                        yield self._ray.get(ref)
                    except Exception as exc:  # noqa: BLE001
                        yield _lost(task, exc, "ray")
        finally:
            for ref in pending:
                self._ray.cancel(ref)

    def close(self) -> None:
        self._ray.shutdown()

    def describe(self) -> str:
        return f"ray ({self.address}), {self.workers} CPUs"


def make_executor(settings: ExecutorSettings, jobs: int | None = None):
    """The executor the settings name (``jobs`` from ``--jobs`` wins over ``executor.jobs``)."""
    if settings.kind == "local":
        return LocalExecutor(jobs or settings.jobs)
    if settings.kind == "dask":
        assert settings.address is not None
        return DaskExecutor(settings.address)
    return RayExecutor(settings.address)
