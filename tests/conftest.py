"""Fixtures shared by every test folder."""

from __future__ import annotations

import logging

import pytest
from loguru import logger

from browser import browser  # noqa: F401  (the session's headless Chromium: tests/browser.py)


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


@pytest.fixture
def audit_rows(tmp_path):
    """Rows of one table of the test's audit database (``tmp_path/audit.db``), in event order."""
    from engine.audit import open_audit_db

    def rows(table: str, where: str = "1=1"):
        db = open_audit_db(tmp_path / "audit.db", create=False)
        try:
            return list(db.query(f"SELECT * FROM [{table}] WHERE {where} ORDER BY seq"))
        finally:
            db.close()

    return rows


logging.getLogger("asyncio").setLevel(logging.WARNING)
