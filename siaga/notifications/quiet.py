"""Quiet hours: the local hours in which a person wants no non-urgent message outside the inbox.

Pure arithmetic on wall-clock times, kept apart from the database so that the edge cases (the
window's ends, a window that wraps midnight) are tested on their own. The window is half-open,
``[start, end)``: at 22:00 of a 22:00-06:00 window it is quiet, at 06:00 it is not.
"""

from __future__ import annotations

import datetime as dt


def quiet_window_check(start: dt.time | None, end: dt.time | None) -> None:
    """Raise ValueError naming the field when a window is half given or empty.

    No window at all (both None) is valid: it means no quiet hours.
    """
    if (start is None) != (end is None):
        field = "quiet_end" if end is None else "quiet_start"
        raise ValueError(f"{field}: quiet hours need both a start and an end")
    if start is not None and start == end:
        raise ValueError("quiet_end: quiet hours must end at another time than they start")


def quiet_until(
    moment: dt.datetime, start: dt.time | None, end: dt.time | None
) -> dt.datetime | None:
    """When the quiet hours around ``moment`` end, or None if ``moment`` is outside them.

    ``moment`` is an aware datetime in the deployment's time zone; the answer is in the same
    zone, on the same day as ``moment`` or the next one (for 23:30 in 22:00-06:00: 06:00
    tomorrow; for 01:00: 06:00 today).
    """
    quiet_window_check(start, end)
    if start is None or end is None:
        return None
    now = moment.time().replace(tzinfo=None)
    wraps_midnight = start > end
    inside = (now >= start or now < end) if wraps_midnight else (start <= now < end)
    if not inside:
        return None
    day = moment.date()
    if now >= end:  # the end is on the next calendar day
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=moment.tzinfo)
