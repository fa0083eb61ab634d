"""docs/scheduling.md stays honest: its YAML validates, its plugin example registers, every key is documented."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import yaml

from engine.scheduling import CalendarSettings, JobScheduler, JobSettings
from engine.scheduling.settings import DaysName, WhenName

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheduling.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_yaml_examples_validate():
    jobs, calendars = 0, 0
    for text in blocks("yaml"):
        data = yaml.safe_load(text)
        for entry in data.get("jobs", []):
            JobSettings(**entry)
            jobs += 1
        if "calendar" in data:
            CalendarSettings(**data["calendar"])
            calendars += 1
    assert jobs >= 5 and calendars == 1


def test_the_plugin_example_registers_its_jobs(clock, calendar):
    [example] = [text for text in blocks("python") if "def register_jobs" in text]
    namespace: dict = {}
    exec(compile(example, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    scheduler = JobScheduler(clock=clock, calendar=calendar)
    namespace["Reports"]().register_jobs(scheduler.registrar_for("reports"))
    assert [(job.name, job.target) for job in scheduler.jobs] == [
        ("eod_report", "reports"), ("intraday_snapshot", "reports")]


def test_every_key_and_choice_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for name in JobSettings.model_fields:
        assert f"| `{name}` |" in text, name
    for choice in typing.get_args(WhenName) + typing.get_args(DaysName):
        assert f"| `{choice}`" in text, choice
