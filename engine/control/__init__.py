"""Operator control of a running engine: the kill switch and persisted trading states.

``qmt-engine halt [--cancel-open]`` and ``qmt-engine resume`` write a command
into a small SQLite file (``engine.control_path``); the running engine polls it
and applies each command once. The engine records every trading-state change
there too, so a HALTED or REDUCING state survives a restart.
"""

from .store import ControlCommand, ControlStore

__all__ = ["ControlCommand", "ControlStore"]
