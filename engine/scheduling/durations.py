"""Parsing the small time vocabulary of ``jobs:`` entries: durations and times of day.

* A duration is a string of hours, minutes and seconds, in that order, each part
  optional but at least one present: ``"30s"``, ``"5m"``, ``"1h"``, ``"1h30m"``,
  ``"90s"``. An offset may carry a sign: ``"-5m"``, ``"+10m"``.
* A time of day is ``"HH:MM"`` or ``"HH:MM:SS"`` (24-hour clock, exchange-local time).

PyYAML reads an unquoted ``14:50`` as the base-60 number 890 (YAML 1.1), so a
number where a time was expected gets an error that says to quote it.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["format_duration", "parse_duration", "parse_time_of_day"]

_DURATION = re.compile(r"^(?P<sign>[+-])?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_TIME_OF_DAY = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")


def _yaml_number_hint(value: int) -> str:
    """What an unquoted YAML ``HH:MM`` / ``HH:MM:SS`` that became ``value`` probably said."""
    if 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"
    hours, rest = divmod(value, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def parse_duration(value: object, *, signed: bool = False) -> dt.timedelta:
    """``"5m"`` -> ``timedelta(minutes=5)``; ``signed=True`` also accepts ``"-5m"`` / ``"+5m"``.

    :raises ValueError: with a message that quotes the bad value and shows the accepted form.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"expected a duration such as '30s', '5m', '1h' or '1h30m', got {value!r}"
                         + (" (a bare number has no unit: write e.g. '30s')" if isinstance(value, int) else ""))
    text = value.strip().lower()
    match = _DURATION.match(text)
    if not text or match is None or not any(match.group(k) for k in ("h", "m", "s")):
        raise ValueError(f"{value!r} is not a duration: write hours, minutes and seconds like "
                         f"'30s', '5m', '1h' or '1h30m'{' with an optional sign' if signed else ''}")
    if match.group("sign") and not signed:
        raise ValueError(f"{value!r}: a sign is not allowed here (write e.g. '5m')")
    delta = dt.timedelta(hours=int(match.group("h") or 0), minutes=int(match.group("m") or 0),
                         seconds=int(match.group("s") or 0))
    return -delta if match.group("sign") == "-" else delta


def parse_time_of_day(value: object) -> dt.time:
    """``"14:50"`` or ``"14:50:30"`` -> :class:`datetime.time`.

    :raises ValueError: for anything else, including the number PyYAML makes of an unquoted time.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        hint = _yaml_number_hint(value)
        raise ValueError(f"got the number {value}: YAML reads an unquoted {hint} as a base-60 number; "
                         f"quote the time: \"{hint}\"")
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a time of day 'HH:MM' or 'HH:MM:SS', got {value!r}")
    match = _TIME_OF_DAY.match(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a time of day: write 'HH:MM' or 'HH:MM:SS' (24-hour clock)")
    hour, minute, second = int(match.group("h")), int(match.group("m")), int(match.group("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{value!r} is not a valid time of day (hours 0-23, minutes and seconds 0-59)")
    return dt.time(hour, minute, second)


def format_duration(delta: dt.timedelta) -> str:
    """The inverse of :func:`parse_duration`: ``timedelta(minutes=90)`` -> ``'1h30m'``, ``-5 min`` -> ``'-5m'``."""
    total = int(delta.total_seconds())
    sign, total = ("-", -total) if total < 0 else ("", total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n]
    return sign + ("".join(parts) or "0s")
