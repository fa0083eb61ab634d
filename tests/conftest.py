"""Fixtures shared by every test folder."""

from __future__ import annotations

import logging

import pytest
from loguru import logger


@pytest.fixture
def caplog(caplog):
    """Route loguru into pytest's caplog (loguru's documented recipe)."""
    handler_id = logger.add(caplog.handler, format="{message}", level=0)
    yield caplog
    logger.remove(handler_id)


@pytest.fixture
def write_config(tmp_path):
    """Write a config.yaml into tmp_path and return its path."""

    def write(text: str, name: str = "config.yaml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


logging.getLogger("asyncio").setLevel(logging.WARNING)
