"""A paper run applies the garbage-collector tuning while it runs and undoes it at the end."""

from __future__ import annotations

import gc

from engine import hookimpl


class Probe:
    def __init__(self):
        self.thresholds = []

    @hookimpl
    def on_heartbeat(self):
        self.thresholds.append(gc.get_threshold()[0])


def test_a_run_applies_the_tuning_only_while_it_runs(engine_factory):
    probe = Probe()
    before = gc.get_threshold()
    engine_factory(plugins=(("probe", probe),)).run()
    assert probe.thresholds and set(probe.thresholds) == {50_000}
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_gc_tuning_can_be_turned_off(engine_factory):
    probe = Probe()
    before = gc.get_threshold()
    engine_factory("engine:\n  gc_tuning: false\n", plugins=(("probe", probe),)).run()
    assert probe.thresholds and set(probe.thresholds) == {before[0]}
