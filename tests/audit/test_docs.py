"""docs/audit.md stays true: the schema section is generated, the example SQL runs."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from engine.audit import EVENT_TABLES
from engine.audit.schema_doc import (
    DOC_PATH, END_MARKER, REGENERATE_COMMAND, START_MARKER, main, render_schema_markdown,
    replace_schema_section, schema_section,
)

DOC = DOC_PATH.read_text(encoding="utf-8")


def test_schema_section_matches_the_migrations() -> None:
    generated = render_schema_markdown().strip("\n")
    assert schema_section(DOC) == generated, (
        f"the schema section of {DOC_PATH} is out of date; run `{REGENERATE_COMMAND}`"
    )


def test_every_table_is_described_in_the_prose() -> None:
    prose = DOC[: DOC.index(START_MARKER)]
    for name, entry in EVENT_TABLES.items():
        assert f"| `{entry.table}` | `{name}` |" in prose, f"{entry.table} is missing from the tables list"


def _sql_examples() -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", DOC[: DOC.index(START_MARKER)], flags=re.S)
    return [stmt.strip() for block in blocks for stmt in block.split(";") if stmt.strip()]


@pytest.mark.parametrize("statement", _sql_examples())
def test_example_queries_run(day_db: Database, statement: str) -> None:
    rows = day_db.execute(statement, {"id": "c-2", "order": "c-4", "run": "live-1"}).fetchall()
    assert rows, f"the example returned nothing on the sample day:\n{statement}"


def test_write_updates_only_the_schema_section(tmp_path: Path) -> None:
    doc = tmp_path / "audit.md"
    doc.write_text(f"# Title\n\nprose\n\n{START_MARKER}\nstale\n{END_MARKER}\n\nafter\n", encoding="utf-8")
    assert main(["--write", "--doc", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nprose\n\n") and text.endswith(f"{END_MARKER}\n\nafter\n")
    assert schema_section(text) == render_schema_markdown().strip("\n")
    with pytest.raises(ValueError, match="markers"):
        replace_schema_section("no markers here", "x")


def test_schema_doc_of_the_in_memory_db_matches_a_real_file(audit_db: Database, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
    finally:
        conn.close()
    rendered = render_schema_markdown()
    assert all(f"### `{table}`" in rendered for table in tables)
