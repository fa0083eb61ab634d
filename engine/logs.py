"""Logging through loguru: readable console lines and a rotating file, the run id on every line.

Every sink is added with ``diagnose=False`` (:data:`SINK_OPTIONS`): loguru's
default prints the value of each variable on the failing lines of a
traceback, which would put a plugin's password or token in the log file.
"""

from __future__ import annotations

import sys

from loguru import logger

from .config.models import LoggingSettings

CONSOLE_FORMAT = (
    "<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> <cyan>{extra[run_id]}</cyan> "
    "<level>{message}</level>"
)
#: Options every sink in the engine is added with (the CLI's progress sink too).
SINK_OPTIONS = {"diagnose": False}

FILE_FORMAT = "{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <7} | {extra[run_id]} | {name}:{line} | {message}"


def setup_logging(settings: LoggingSettings, *, console: bool = True, console_level: str | None = None) -> None:
    """Replace loguru's default sink with ours. Call once per process (the CLI does).

    :param console: write to stderr (the CLI turns it down while a progress bar runs).
    :param console_level: override ``settings.level`` for the console only.
    """
    logger.remove()
    logger.configure(extra={"run_id": "-"})
    if console:
        logger.add(sys.stderr, level=console_level or settings.level, format=CONSOLE_FORMAT, colorize=None,
                   **SINK_OPTIONS)
    if settings.file is not None:
        settings.file.parent.mkdir(parents=True, exist_ok=True)
        logger.add(settings.file, level=settings.level, format=FILE_FORMAT, rotation=settings.rotation,
                   retention=settings.retention, encoding="utf-8", enqueue=False,
                   **SINK_OPTIONS)
