"""Fixtures for the market data tests: the regenerated sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.marketdata.sample import generate_sample


@pytest.fixture(scope="session")
def regenerated_sample(tmp_path_factory) -> Path:
    """The sample generated afresh into a temporary directory (once per test session)."""
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out)
    return out
