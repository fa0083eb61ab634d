"""qmt-engine: a plugin-based strategy automation engine for MiniQMT (xtquant).

A plugin or strategy file needs one import::

    from engine import hookimpl
"""

from .hookspecs import hookimpl, hookspec

__version__ = "0.1.0"
__all__ = ["__version__", "hookimpl", "hookspec"]
