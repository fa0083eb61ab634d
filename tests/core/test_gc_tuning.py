"""The run's garbage-collector settings are applied for the run and undone afterwards."""

from __future__ import annotations

import gc

from engine.core.gc_tuning import GcTuning


def test_start_freezes_and_raises_the_young_threshold_stop_restores_both():
    before = gc.get_threshold()
    tuning = GcTuning(young_threshold=12_345)
    tuning.start()
    try:
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
        tuning.start()  # idempotent
        assert gc.get_threshold()[0] == 12_345
    finally:
        tuning.stop()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    tuning.stop()  # idempotent
    assert gc.get_threshold() == before
