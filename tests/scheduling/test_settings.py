"""JobSettings / CalendarSettings: accepted forms, normalisation and the error messages users see."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from pydantic import ValidationError

from engine.scheduling import CalendarSettings, JobSettings
from engine.scheduling.durations import format_duration, parse_duration, parse_time_of_day


def job(**fields) -> JobSettings:
    return JobSettings(**{"name": "j", "target": "strategy", **fields})


def error_text(**fields) -> str:
    with pytest.raises(ValidationError) as info:
        job(**fields)
    return str(info.value)


@pytest.mark.parametrize(("fields", "kind", "text"), [
    ({"at": "14:50"}, "at", "at 14:50:00"),
    ({"at": "9:05:30"}, "at", "at 09:05:30"),
    ({"every": "90s"}, "every", "every 1m30s in sessions"),
    ({"every": "1h", "sessions_only": False}, "every", "every 1h all day"),
    ({"when": "before_open"}, "when", "before_open (09:25:00)"),
    ({"when": "after_close", "offset": "+30m"}, "when", "after_close (15:30:00)"),
    ({"when": "close", "offset": "-10m"}, "when", "close (14:50:00)"),
])
def test_valid_timings_are_normalised(fields, kind, text):
    settings = job(**fields)
    assert settings.kind == kind
    assert settings.timing_text() == text


def test_parsed_properties():
    settings = job(when="lunch_break", offset="-1m", max_late="1h30m", params={"w": 1})
    assert settings.time_of_day == dt.time(11, 29)
    assert settings.offset_delta == dt.timedelta(minutes=-1)
    assert settings.max_late_delta == dt.timedelta(minutes=90)
    assert settings.interval is None
    assert job(every="5m").interval == dt.timedelta(minutes=5)
    assert (settings.days, settings.missed, settings.enabled) == ("trading", "skip", True)


def test_defaults_of_when_anchors():
    assert job(when="open").time_of_day == dt.time(9, 30)
    assert job(when="afternoon_open").time_of_day == dt.time(13, 0)
    assert job(when="close").time_of_day == dt.time(15, 0)
    assert job(when="after_close").time_of_day == dt.time(15, 5)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"at": 890}, 'quote the time: "14:50"'),
    ({"at": 53430}, 'quote the time: "14:50:30"'),
    ({"at": "25:00"}, "not a valid time of day"),
    ({"at": "2pm"}, "is not a time of day"),
    ({"at": "14:50", "every": "5m"}, "give exactly one of at, every, when (found at and every)"),
    ({}, "give exactly one of at, every, when (found none)"),
    ({"every": "5"}, "is not a duration"),
    ({"every": 30}, "a bare number has no unit"),
    ({"every": "0s"}, "between '1s' and '24h'"),
    ({"every": "25h"}, "between '1s' and '24h'"),
    ({"every": "-5m"}, "a sign is not allowed here"),
    ({"when": "before_open", "offset": "10m"}, "before_open needs a negative offset"),
    ({"when": "after_close", "offset": "-5m"}, "after_close needs a positive offset"),
    ({"when": "close", "offset": "10h"}, "falls outside the day"),
    ({"when": "noon"}, "'before_open', 'open', 'lunch_break', 'afternoon_open', 'close' or 'after_close'"),
    ({"at": "14:50", "offset": "5m"}, "offset only applies to when: jobs"),
    ({"at": "14:50", "sessions_only": False}, "sessions_only only applies to every: jobs"),
    ({"at": "14:50", "days": "monthly"}, "first_trading_day_of_month"),
    ({"at": "14:50", "missed": "retry"}, "'skip' or 'run_late'"),
    ({"at": "14:50", "max_late": "0s"}, "max_late: '0s' must be longer than 0s"),
    ({"at": "14:50", "evrey": "5m"}, "Extra inputs are not permitted"),
    ({"at": "14:50", "name": "my job"}, "may only contain letters, digits"),
])
def test_invalid_settings_say_what_is_wrong(fields, expected):
    assert expected in error_text(**fields)


def test_errors_name_the_job_and_field():
    message = error_text(name="rebalance", at="14:50", every="5m")
    assert "job 'rebalance'" in message
    with pytest.raises(ValidationError) as info:
        job(at="99:00")
    assert info.value.errors()[0]["loc"] == ("at",)


def test_target_is_required():
    with pytest.raises(ValidationError) as info:
        JobSettings(name="j", at="14:50")
    assert info.value.errors()[0]["loc"] == ("target",)
    assert info.value.errors()[0]["type"] == "missing"


def test_settings_are_frozen():
    settings = job(at="14:50")
    with pytest.raises(ValidationError):
        settings.at = "15:00"


def test_unquoted_yaml_time_is_explained():
    entry = yaml.safe_load("name: rebalance\ntarget: s\nat: 14:50\n")
    assert entry["at"] == 890  # what PyYAML (YAML 1.1) makes of it
    with pytest.raises(ValidationError, match='YAML reads an unquoted 14:50 as a base-60 number; quote the time'):
        JobSettings(**entry)
    assert JobSettings(**yaml.safe_load('name: r\ntarget: s\nat: "14:50"\n')).at == "14:50:00"


@pytest.mark.parametrize("model", [JobSettings, CalendarSettings])
def test_every_field_is_documented(model):
    assert model.model_config["extra"] == "forbid" and model.model_config["frozen"] is True
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"


def test_calendar_settings_build_a_calendar_with_extra_holidays():
    settings = CalendarSettings(**yaml.safe_load("extra_holidays: [2027-01-01, 2026-11-02]"))
    calendar = settings.make_calendar(fallback_warn=lambda message: None)
    assert settings.extra_holidays == [dt.date(2027, 1, 1), dt.date(2026, 11, 2)]
    assert not calendar.is_trading_day(dt.date(2026, 11, 2))  # a Monday closed by configuration
    assert not calendar.is_trading_day(dt.date(2027, 1, 1))
    assert calendar.is_trading_day(dt.date(2027, 1, 4))
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        CalendarSettings(holidays=[])


@pytest.mark.parametrize(("text", "delta"), [
    ("30s", dt.timedelta(seconds=30)), ("5m", dt.timedelta(minutes=5)), ("1h", dt.timedelta(hours=1)),
    ("1h30m", dt.timedelta(minutes=90)), ("2h0m5s", dt.timedelta(hours=2, seconds=5)), ("90S", dt.timedelta(seconds=90)),
])
def test_durations_round_trip(text, delta):
    assert parse_duration(text) == delta
    assert parse_duration(format_duration(delta)) == delta
    assert parse_duration("-" + text, signed=True) == -delta


@pytest.mark.parametrize("text", ["", "m", "5x", "5m1h", "1.5h", " ", "5 m"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)


def test_time_of_day_forms():
    assert parse_time_of_day("09:25") == dt.time(9, 25)
    assert parse_time_of_day(dt.time(9, 25)) == dt.time(9, 25)
    with pytest.raises(ValueError, match="expected a time of day"):
        parse_time_of_day(9.25)
