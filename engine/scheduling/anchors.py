"""The fixed points of an A-share trading day that ``when:`` jobs and ``every:`` jobs refer to.

Continuous trading runs 09:30-11:30 and 13:00-15:00, exchange-local time
(ashare_rules.md). The anchors of ``when:``:

=================  ========  ===============  ==============================
``when``           anchor    default offset   fires by default at
=================  ========  ===============  ==============================
``before_open``    09:30     ``-5m``          09:25 (end of the call auction)
``open``           09:30     ``0s``           09:30
``lunch_break``    11:30     ``0s``           11:30
``afternoon_open`` 13:00     ``0s``           13:00
``close``          15:00     ``0s``           15:00
``after_close``    15:00     ``+5m``          15:05
=================  ========  ===============  ==============================

``before_open`` needs a negative offset and ``after_close`` a positive one, so
that the name always says which side of the anchor the job is on.
"""

from __future__ import annotations

import datetime as dt

from .durations import format_duration

__all__ = ["ANCHORS", "DEFAULT_OFFSETS", "SESSIONS", "WHOLE_DAY", "anchored_time"]

#: Continuous-trading sessions as (start, end) times; ``every:`` jobs fire in [start, end).
SESSIONS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(9, 30), dt.time(11, 30)),
    (dt.time(13, 0), dt.time(15, 0)),
)

#: The window of ``every:`` jobs with ``sessions_only: false`` (end is midnight, exclusive).
WHOLE_DAY: tuple[tuple[dt.time, dt.time | None], ...] = ((dt.time(0, 0), None),)

#: The time each ``when:`` name is measured from.
ANCHORS: dict[str, dt.time] = {
    "before_open": dt.time(9, 30),
    "open": dt.time(9, 30),
    "lunch_break": dt.time(11, 30),
    "afternoon_open": dt.time(13, 0),
    "close": dt.time(15, 0),
    "after_close": dt.time(15, 0),
}

#: The offset used when a ``when:`` job gives none.
DEFAULT_OFFSETS: dict[str, dt.timedelta] = {
    "before_open": dt.timedelta(minutes=-5),
    "after_close": dt.timedelta(minutes=5),
}


def anchored_time(when: str, offset: dt.timedelta | None) -> dt.time:
    """The time of day of ``when`` shifted by ``offset`` (the default offset if ``None``).

    :raises ValueError: unknown anchor, an offset on the wrong side of ``before_open`` /
        ``after_close``, or a result outside the same calendar day.
    """
    if when not in ANCHORS:
        raise ValueError(f"unknown when {when!r}; expected one of {', '.join(ANCHORS)}")
    delta = DEFAULT_OFFSETS.get(when, dt.timedelta(0)) if offset is None else offset
    anchor = ANCHORS[when]
    if when == "before_open" and delta >= dt.timedelta(0):
        raise ValueError(f"when: before_open needs a negative offset such as '-10m' "
                         f"({anchor:%H:%M} minus 10 minutes), got {_show(delta)}")
    if when == "after_close" and delta <= dt.timedelta(0):
        raise ValueError(f"when: after_close needs a positive offset such as '10m' "
                         f"({anchor:%H:%M} plus 10 minutes), got {_show(delta)}")
    seconds = anchor.hour * 3600 + anchor.minute * 60 + int(delta.total_seconds())
    if not 0 <= seconds < 86_400:
        raise ValueError(f"when: {when} ({anchor:%H:%M}) with offset {_show(delta)} falls outside the day")
    return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def _show(delta: dt.timedelta) -> str:
    return repr(format_duration(delta))
