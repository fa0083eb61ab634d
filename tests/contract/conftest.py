"""Fixtures: the real xtquant SDK over native doubles, and a broker backend per scenario."""

from __future__ import annotations

import pytest

from .doubles.install import XtquantMissing, load_real_xtquant
from .harness import BACKENDS, build_broker


@pytest.fixture(scope="package")
def real_xtquant():
    """The real ``xtquant.xttrader`` / ``xtquant.xtdata`` imported over the doubles; ``sys.modules`` restored after.

    Fails (not skips) without the wheel: these tests are the proof that the gateway
    works with the real SDK layer.
    """
    try:
        real = load_real_xtquant()
    except XtquantMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield real
    real.unload()


@pytest.fixture(params=BACKENDS)
def backend_kind(request) -> str:
    """Each scenario runs on the real SDK over the doubles and on the simulator directly."""
    return request.param


def _broker_factory(kind, tmp_path, real):
    built = []

    def make(**kwargs):
        broker = build_broker(kind, tmp_path, real, **kwargs)
        built.append(broker)
        return broker

    return make, built


@pytest.fixture
def make_broker(tmp_path, backend_kind, real_xtquant):
    """Build the test's broker on each backend (optionally with simulator faults); closed after the test."""
    make, built = _broker_factory(backend_kind, tmp_path, real_xtquant)
    yield make
    for broker in built:
        broker.close()


@pytest.fixture
def native_broker(tmp_path, real_xtquant):
    """A broker on the real SDK over the doubles only (for the doubles' own switches)."""
    make, built = _broker_factory("xtquant", tmp_path, real_xtquant)
    yield make()
    for broker in built:
        broker.close()


@pytest.fixture
def broker(make_broker):
    """A broker without faults."""
    return make_broker()
