"""The sweep file's validation (file, line, field) and the samplers' determinism; no backtests here."""

from __future__ import annotations

import textwrap

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.sweep.samplers import Planner, fresh, grid_points, random_points
from engine.sweep.spec import SweepSpecError, load_sweep_spec
from engine.sweep.walk_forward import periods


def _spec(tmp_path, text: str):
    (tmp_path / "base.yaml").write_text("mode: backtest\n", encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_mistakes_are_reported_with_line_and_field(tmp_path):
    path = _spec(tmp_path, """\
        base: base.yaml
        space:
          strategies.m.params.fast: {low: 5, high: 2, step: 1}
          strategies.m.params.slow: {values: [10, 10]}
        sampler: {kind: tpe, seeds: 3}
        """)
    with pytest.raises(SweepSpecError) as caught:
        load_sweep_spec(path)
    problems = caught.value.problems
    assert "line 3: space.strategies.m.params.fast: high (2) is below low (5)" in problems
    assert "line 4: space.strategies.m.params.slow: values: a value is listed twice" in problems
    assert "line 5: sampler.seeds: unknown setting; see docs/sweep.md" in problems
    result = CliRunner().invoke(app, ["sweep", str(path)])
    assert result.exit_code == 2 and "invalid sweep file" in result.output and "line 3" in result.output


def test_a_random_sweep_needs_a_budget_and_dask_an_address(tmp_path):
    path = _spec(tmp_path, """\
        base: base.yaml
        space: {a.b: {low: 1, high: 9}}
        sampler: {kind: random}
        executor: {kind: dask}
        """)
    with pytest.raises(SweepSpecError) as caught:
        load_sweep_spec(path)
    assert "line 4: executor: kind: dask needs address" in str(caught.value)
    path.write_text(path.read_text(encoding="utf-8").replace("executor: {kind: dask}", ""), encoding="utf-8")
    with pytest.raises(SweepSpecError) as caught:
        load_sweep_spec(path)
    assert "sampler random needs budget: the number of trials" in str(caught.value)


def test_ray_when_it_is_not_installed_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    try:
        import ray  # noqa: F401
        pytest.skip("ray is installed here")
    except ImportError:
        pass
    from tests.sweep.conftest import write_sweep

    path = write_sweep(tmp_path)
    result = CliRunner().invoke(app, ["sweep", str(path), "--executor", "ray"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "executor kind ray needs the ray package" in result.output and "kind: dask or local" in result.output


def test_the_grid_is_every_combination_in_order(tmp_path):
    spec = load_sweep_spec(_spec(tmp_path, """\
        base: base.yaml
        space:
          x.fast: {low: 2, high: 6, step: 2}
          x.slack: {low: 0.01, high: 0.03, step: 0.01}
        """))
    points = grid_points(spec.space)
    assert points[:4] == [{"x.fast": 2, "x.slack": 0.01}, {"x.fast": 2, "x.slack": 0.02}, {"x.fast": 2, "x.slack": 0.03},
                          {"x.fast": 4, "x.slack": 0.01}]
    assert len(points) == 9 and all(isinstance(p["x.fast"], int) for p in points)
    assert Planner(spec, 4).next([], None) == points[:4]


def test_random_draws_are_seeded_and_a_larger_budget_extends_them(tmp_path):
    spec = load_sweep_spec(_spec(tmp_path, """\
        base: base.yaml
        space:
          x.fast: {low: 2, high: 30}
          x.slack: {low: 0.001, high: 0.1, log: true}
          x.mode: {values: [a, b]}
        sampler: {kind: random, seed: 7}
        budget: 5
        """))
    first = random_points(spec.space, 5, 7)
    assert first == random_points(spec.space, 5, 7)
    assert random_points(spec.space, 8, 7)[:5] == first
    assert first != random_points(spec.space, 5, 8)
    assert all(2 <= p["x.fast"] <= 30 and isinstance(p["x.fast"], int) and 0.001 <= p["x.slack"] <= 0.1 for p in first)


def test_tpe_proposes_the_same_batches_given_the_same_history(tmp_path):
    spec = load_sweep_spec(_spec(tmp_path, """\
        base: base.yaml
        space: {x.fast: {low: 2, high: 30}, x.slack: {low: 0.01, high: 0.1}}
        sampler: {kind: tpe, seed: 3, batch: 3, startup_trials: 3}
        budget: 9
        """))
    planner = Planner(spec, None)
    first = planner.next([], [], 0)
    assert len(first) == 3 and first == Planner(spec, None).next([], [], 0)
    assert planner.next(first, None, 1) == []  # waits for the batch's results
    history = [(p, float(p["x.fast"])) for p in first[:2]] + [(first[2], None)]  # the third failed
    second = planner.next(first, history, 1)
    assert len(second) == 3 and second == Planner(spec, None).next(first, history, 1)
    assert planner.next(first * 3, history * 3, 3) == []  # budget reached


def test_a_repeated_parameter_set_is_proposed_once():
    a, b, c = {"x": 1}, {"x": 2}, {"x": 3}
    assert fresh([a, b, a, c], [b], room=5) == [a, c]
    assert fresh([a, b, c], [], room=2) == [a, b]


def test_walk_forward_windows(tmp_path):
    spec = load_sweep_spec(_spec(tmp_path, """\
        base: base.yaml
        space: {x.fast: {values: [1]}}
        walk_forward: {rolling: {start: 2024-01-01, end: 2024-12-31, train_months: 6, test_months: 3}}
        """))
    found = [(p.phase, p.window) for p in periods(spec)]
    assert found == [("train", ("w1", "2024-01-01", "2024-06-30")), ("test", ("w1", "2024-07-01", "2024-09-30")),
                     ("train", ("w2", "2024-04-01", "2024-09-30")), ("test", ("w2", "2024-10-01", "2024-12-31"))]
