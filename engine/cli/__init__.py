"""The ``qmt-engine`` command (also ``python -m engine``).

Subcommands: ``run``, ``report``, ``config check``, ``audit ...``, ``plugins``, ``halt``, ``resume``, ``state``, ``serve``, ``data ...``.
"""

from __future__ import annotations

import typer

from . import audit_cmd, config_cmd, control_cmd, data_cmd, plugins_cmd, report_cmd, run_cmd, serve_cmd

app = typer.Typer(
    name="qmt-engine",
    help="Plugin-based strategy engine for A-share trading through MiniQMT: live, paper and replay, "
    "with risk plugins and a SQLite audit trail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run")(run_cmd.run)
app.add_typer(config_cmd.app, name="config")
app.add_typer(audit_cmd.app, name="audit")
app.command("report")(report_cmd.report)
app.command("plugins")(plugins_cmd.plugins)
app.command("halt")(control_cmd.halt)
app.command("resume")(control_cmd.resume)
app.command("state")(control_cmd.state)
app.command("serve")(serve_cmd.serve)
app.add_typer(data_cmd.app, name="data")


def main() -> None:
    app()
