"""Run the real engine (paper mode: simulator + replay + SQLite audit) inside a test."""

from __future__ import annotations

import textwrap

import pytest

from engine.audit import open_audit_db
from engine.config import load_config
from engine.core import Engine

BASE_CONFIG = """
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
paper:
  codes: {codes}
  initial_cash: 1000000
{paper}plugins:
  load_entrypoints: false
  disabled: {disabled}
"""


@pytest.fixture
def engine_factory(tmp_path):
    """Build an Engine on a config written to tmp_path; ``extra`` is YAML appended to the base."""

    def build(extra: str = "", *, codes=("600000.SH",), disabled=("console",), plugins=(), paper: str = ""):
        paper_lines = textwrap.indent(textwrap.dedent(paper), "  ")
        text = BASE_CONFIG.format(codes=list(codes), disabled=list(disabled), paper=paper_lines) + textwrap.dedent(extra)
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return Engine(load_config(path, environ={}), extra_plugins=tuple(plugins), load_entrypoints=False)

    return build


@pytest.fixture
def audit_rows(tmp_path):
    """Read a table of the test's audit database as a list of dicts."""

    def rows(table: str, where: str = "1=1"):
        db = open_audit_db(tmp_path / "audit.db", create=False)
        try:
            return list(db.query(f"SELECT * FROM [{table}] WHERE {where} ORDER BY seq"))
        finally:
            db.close()

    return rows
