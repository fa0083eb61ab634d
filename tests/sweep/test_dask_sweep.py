"""The same sweep on a real Dask cluster (``distributed.LocalCluster``, two worker processes) gives the
same results as the local pool; the workers read the data at the configured (shared) path and ship
their audit databases back."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlite_utils import Database

from engine.audit.verify import verify_chain
from engine.sweep.driver import make_task, run_sweep
from engine.sweep.spec import ExecutorSettings, load_sweep_spec
from engine.sweep.trial import run_trial
from engine.sweep.walk_forward import periods

from .conftest import by_params, trial_rows, write_sweep

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as running:
        yield running


def test_a_dask_cluster_gives_the_local_pools_results(local_sweep, cluster, tmp_path):
    path, local_out, _ = local_sweep
    sweep = write_sweep(tmp_path, sweep_folder="dask-out")
    spec = load_sweep_spec(sweep)
    outcome = run_sweep(spec, executor=ExecutorSettings(kind="dask", address=cluster.scheduler_address))
    assert outcome.ran == 4 and outcome.errors == 0 and "dask at tcp://" in outcome.executor
    local, remote = by_params(trial_rows(local_out / "sweep.db")), by_params(trial_rows(tmp_path / "dask-out" / "sweep.db"))
    assert local.keys() == remote.keys()
    for key, row in remote.items():
        assert row["status"] == "done"
        assert row["fills_digest"] == local[key]["fills_digest"]
        assert row["metrics"] == local[key]["metrics"]
        assert row["config_fingerprint"] == local[key]["config_fingerprint"]
        assert row["data_fingerprint"] == local[key]["data_fingerprint"]
    # the trials ran on the cluster's two worker processes, not here
    workers = {row["worker"] for row in remote.values()}
    assert 1 <= len(workers) <= 2 and all(w.rsplit(":", 1)[1] != str(__import__("os").getpid()) for w in workers)
    # each worker ran in a scratch folder and shipped its files back: the audit databases are in the sweep folder
    for row in remote.values():
        assert row["audit_path"].startswith(str(tmp_path / "dask-out" / "trials"))
        db = Database(row["audit_path"])
        try:
            assert verify_chain(db).ok
        finally:
            db.close()
    ranked_locally = json.loads((local_out / "results.json").read_text(encoding="utf-8"))["candidates"]
    assert [c.params for c in outcome.candidates] == [c["params"] for c in ranked_locally]


def test_a_worker_with_other_data_refuses_the_trial(cluster, tmp_path):
    """Workers read the data at the configured path: one whose files differ from the driver's (another
    copy, another version) fails the trial with an error saying so, instead of ranking other data."""
    sweep = write_sweep(tmp_path)
    spec = load_sweep_spec(sweep)
    task = make_task(spec, 0, {"strategies.momentum.params.lookback": 10}, periods(spec)[0],
                     expected_data="f" * 64, ship_files=True)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        result = client.submit(run_trial, task, pure=False).result(timeout=120)
    finally:
        client.close()
    assert result.status == "error" and result.run_id is None
    assert "differ from the driver's" in result.error and "data: shared" in result.error
    right = run_trial(dataclasses.replace(task, expected_data_fingerprint=result.data_fingerprint,
                                          out_dir=str(tmp_path / "here")))
    assert right.status == "done"
