"""The engine core: the engine thread and its inbound queue, the clock, engine state."""

from .engine import Engine, RunSummary

__all__ = ["Engine", "RunSummary"]
