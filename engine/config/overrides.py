"""``--set PATH=VALUE`` overrides applied to the parsed file before validation.

``PATH`` is dotted; a list of named entries (``strategies``, ``plugins.files``, ``jobs``) is addressed
by an entry's ``name`` (``strategies.ma_cross.params.fast=8``) or by its index (``strategies.0``).
``VALUE`` is typed like a ``${VAR}`` value (int, float, bool, null, else text). Where the file already
has a plain value at ``PATH`` (free-form strategy params), the override keeps that value's type: a
float stays a float, text stays text; a value that cannot take that type is an error naming the override.
The result is validated like the file, so a typed setting (an int limit) stays typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .env import type_scalar


@dataclass(frozen=True)
class Override:
    """One ``PATH=VALUE`` as given on the command line."""

    raw: str
    path: tuple[str, ...]
    text: str


class OverrideError(ValueError):
    """An override that cannot be parsed or applied; the message names it."""


def parse_override(raw: str) -> Override:
    path, sep, text = raw.partition("=")
    parts = tuple(path.strip().split("."))
    if not sep or not path.strip() or any(not part for part in parts):
        raise OverrideError(f"--set {raw}: expected PATH=VALUE, e.g. strategies.ma_cross.params.fast=8")
    return Override(raw, parts, text)


def apply_overrides(data: dict, overrides: list[str | Override]) -> dict[tuple, str]:
    """Apply ``overrides`` to ``data`` in place; return ``{location: raw override}`` for error messages."""
    applied: dict[tuple, str] = {}
    for item in overrides:
        override = item if isinstance(item, Override) else parse_override(item)
        loc = _apply(data, override)
        applied[loc] = override.raw
    return applied


def _apply(data: dict, override: Override) -> tuple:
    node: Any = data
    loc: list = []
    for depth, part in enumerate(override.path):
        last = depth == len(override.path) - 1
        if isinstance(node, list):
            index = _list_index(node, part, override)
            loc.append(index)
            if last:
                node[index] = _typed(node[index], override)
                return tuple(loc)
            node = node[index]
            continue
        if not isinstance(node, dict):
            raise OverrideError(f"--set {override.raw}: {'.'.join(override.path[:depth])} is a value, not a section")
        loc.append(part)
        if last:
            node[part] = _typed(node.get(part), override)
            return tuple(loc)
        if node.get(part) is None:
            node[part] = {}
        node = node[part]
    raise AssertionError("unreachable")


def _list_index(entries: list, part: str, override: Override) -> int:
    for index, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("name") == part:
            return index
    if part.isdigit() and int(part) < len(entries):
        return int(part)
    names = [entry.get("name") for entry in entries if isinstance(entry, dict) and entry.get("name")]
    raise OverrideError(f"--set {override.raw}: no entry named {part!r} (entries: {', '.join(names) or 'none'})")


def _typed(existing: Any, override: Override) -> Any:
    value = type_scalar(override.text)
    if existing is None or isinstance(existing, (dict, list)):
        return value
    wanted = type(existing)
    if isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)):
        return value
    if wanted is str:
        return override.text
    if wanted is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise OverrideError(
        f"--set {override.raw}: the file's value here is {existing!r} ({wanted.__name__}); "
        f"{override.text!r} is not a {wanted.__name__} value"
    )
