"""``${VAR}`` / ``${VAR:-default}`` substitution that works in block and flow YAML and yields typed values.

The text is scanned *before* YAML parsing: each ``${...}`` becomes a plain placeholder word, so
``params: {n: ${N:-5}}`` parses. After composing, a plain scalar that is exactly one placeholder is
replaced by the variable's value typed like YAML 1.2 core scalars (``7`` -> int, ``0.5`` -> float,
``true`` -> bool, ``null`` -> None; ``0012`` stays the text ``"0012"``). A placeholder inside a longer
scalar or a quoted scalar gives text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_PLACEHOLDER = re.compile(r"QMTENVPLACEHOLDER(\d+)X")
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


@dataclass(frozen=True)
class EnvReference:
    """One ``${NAME}`` or ``${NAME:-default}`` found in the file."""

    name: str
    default: str | None


def protect(text: str) -> tuple[str, list[EnvReference]]:
    """Replace every ``${...}`` by a placeholder word; return the new text and the references in order."""
    references: list[EnvReference] = []

    def replace(match: re.Match) -> str:
        references.append(EnvReference(match.group(1), match.group(2)))
        return f"QMTENVPLACEHOLDER{len(references) - 1}X"

    return ENV_PATTERN.sub(replace, text), references


def has_placeholder(value: str) -> bool:
    return _PLACEHOLDER.search(value) is not None


def substitute(value: str, references: list[EnvReference], env: Mapping[str, str], *, typed: bool,
               missing: list[str]) -> Any:
    """Put the variables' values back into ``value``; type the result when ``typed`` and it was a lone placeholder.

    Names of unset variables without a default are appended to ``missing``.
    """
    whole = _PLACEHOLDER.fullmatch(value)

    def lookup(match: re.Match) -> str:
        ref = references[int(match.group(1))]
        if ref.name in env:
            return env[ref.name]
        if ref.default is not None:
            return ref.default
        missing.append(ref.name)
        return ""

    text = _PLACEHOLDER.sub(lookup, value)
    return type_scalar(text) if typed and whole else text


def restore(value: str, references: list[EnvReference]) -> str:
    """The original ``${...}`` spelling of a value (for keys and error messages)."""
    def back(match: re.Match) -> str:
        ref = references[int(match.group(1))]
        return "${" + ref.name + (f":-{ref.default}" if ref.default is not None else "") + "}"

    return _PLACEHOLDER.sub(back, value)


def type_scalar(text: str) -> Any:
    """Type a substituted value: YAML 1.2 core ints/floats/bools/null; anything else (``0012``) stays text."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("null", "~"):
        return None
    if _INT.fullmatch(stripped) and not re.fullmatch(r"[-+]?0[0-9]+", stripped):
        return int(stripped)
    if _FLOAT.fullmatch(stripped) and not re.fullmatch(r"[-+]?0[0-9]+", stripped):
        return float(stripped)
    return text
