"""Issue 20 item 8: a secret held in a plugin's local variable never reaches the log.

loguru's ``diagnose=True`` default prints the value of every variable on the
failing lines of a traceback; a plugin raising on a line that uses a password
would put the password in the log file.
"""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from engine import hookimpl
from engine.config.models import LoggingSettings
from engine.logs import setup_logging

SECRET = "pw-7f3a9c-never-log-me"


class LeakyPlugin:
    """Raises in ``on_tick`` on a line that uses a secret held in a local variable."""

    @hookimpl
    def on_tick(self, ctx, tick):
        token = SECRET[:]  # a local, as a plugin holding a broker or webhook password would
        raise RuntimeError("login refused" + token[:0])


def test_a_raising_plugin_never_logs_its_local_secret(engine_factory, tmp_path: Path) -> None:
    log_file = tmp_path / "engine.log"
    setup_logging(LoggingSettings(file=log_file, level="DEBUG"), console=False)
    try:
        engine = engine_factory(plugins=(("leaky", LeakyPlugin()),))
        summary = engine.run()
    finally:
        logger.remove()
    text = log_file.read_text(encoding="utf-8")
    assert summary.plugin_errors > 0
    assert "RuntimeError: login refused" in text  # the traceback is there ...
    assert SECRET not in text  # ... without the values of the plugin's variables
