"""Values as the audit stores them."""

from __future__ import annotations

_PLAIN = frozenset({type(None), int, float, str, bool})


def audit_text(value):
    """Decimals as exact strings for the audit; plain values unchanged."""
    if type(value) in _PLAIN or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)
