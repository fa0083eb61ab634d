"""The scheduler's one exception type."""

from __future__ import annotations

__all__ = ["ScheduleError"]


class ScheduleError(ValueError):
    """A job that cannot be scheduled: a duplicate name, invalid settings, an unknown job, bad last runs."""
