"""What ``audit verify`` reports: :class:`Problem` (one finding) and :class:`VerifyReport` (the whole pass).

:func:`engine.audit.verify.verify_chain` fills them; the CLI prints them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .chain import GENESIS, ChainHead


@dataclass(frozen=True)
class Problem:
    """One finding: what kind, a sentence saying what is wrong, and where (when known)."""

    kind: str
    message: str
    table: str | None = None
    run_id: str | None = None
    seq: int | None = None
    position: int | None = None
    block: int | None = None

    def where(self) -> str:
        """``table fills, run live-1, seq 8 (chain position 8, block 5)`` (the parts that are known)."""
        parts = [f"table {self.table}" if self.table else "", f"run {self.run_id}" if self.run_id else "",
                 f"seq {self.seq}" if self.seq is not None else ""]
        chain = [f"chain position {self.position}" if self.position else "", f"block {self.block}" if self.block else ""]
        text = ", ".join(p for p in parts if p)
        located = ", ".join(c for c in chain if c)
        return f"{text} ({located})" if text and located else text or located


@dataclass
class VerifyReport:
    """What :func:`verify_chain` found. ``ok`` is true when nothing was tampered with."""

    database: str
    head: ChainHead = GENESIS
    blocks: int = 0
    chained_rows: int = 0
    unchained_rows: dict[str, int] = field(default_factory=dict)
    head_file: str = ""
    runs_without_stop: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found (unchained rows and warnings are not problems)."""
        return self.problem_count == 0

    @property
    def first(self) -> Problem | None:
        """The first problem in chain order, or ``None``."""
        return self.problems[0] if self.problems else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict of the whole report."""
        data = asdict(self)
        data["ok"] = self.ok
        return data


def first_seq_gap(seq_before: dict[str, int], entries: list[Any]) -> tuple[str, int] | None:
    """The first (run_id, seq) missing from a block's entries, when seqs of a run skip one.

    Seqs of a run are consecutive unless an event failed to be written, so a gap is a
    hint, shown only when a block is already known to be broken.
    """
    last = dict(seq_before)
    for entry in entries:
        try:
            run_id, seq = entry[1], entry[2]  # [table, run_id, seq] (m005) or [..., content_hash] (m004)
        except (TypeError, IndexError, KeyError):
            continue
        if isinstance(seq, int) and run_id in last and seq > last[run_id] + 1:
            return run_id, last[run_id] + 1
        if isinstance(seq, int):
            last[run_id] = max(seq, last.get(run_id, seq))
    return None
