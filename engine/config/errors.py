"""The one exception type for bad configuration."""

from __future__ import annotations


class ConfigError(Exception):
    """Bad configuration: the message names the file, the line and the field.

    ``problems`` holds one line per problem so a user sees every mistake at once.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid configuration in {path}:\n{lines}")
