"""Quiet hours as arithmetic: when a moment falls in a window, and when that window ends.

The window is half-open [start, end): its first minute is quiet, its last is not.
"""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.notifications.quiet import quiet_until, quiet_window_check
from tests.notifications.conftest import wita

NIGHT = (dt.time(22, 0), dt.time(6, 0))  # wraps midnight
SIESTA = (dt.time(13, 0), dt.time(15, 0))  # within one day


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (wita(2024, 11, 26, 21, 59), None),  # before
        (wita(2024, 11, 26, 22, 0), wita(2024, 11, 27, 6, 0)),  # its first minute
        (wita(2024, 11, 26, 23, 30), wita(2024, 11, 27, 6, 0)),  # before midnight: tomorrow
        (wita(2024, 11, 27, 0, 0), wita(2024, 11, 27, 6, 0)),  # midnight itself
        (wita(2024, 11, 27, 1, 15), wita(2024, 11, 27, 6, 0)),  # after midnight: today
        (wita(2024, 11, 27, 5, 59, 59), wita(2024, 11, 27, 6, 0)),
        (wita(2024, 11, 27, 6, 0), None),  # its end is no longer quiet
        (wita(2024, 11, 27, 12, 0), None),  # after
    ],
)
def test_a_window_that_wraps_midnight_ends_on_the_right_day(moment, expected):
    assert quiet_until(moment, *NIGHT) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (wita(2024, 11, 26, 12, 59), None),
        (wita(2024, 11, 26, 13, 0), wita(2024, 11, 26, 15, 0)),
        (wita(2024, 11, 26, 14, 30), wita(2024, 11, 26, 15, 0)),
        (wita(2024, 11, 26, 15, 0), None),
        (wita(2024, 11, 26, 23, 0), None),
    ],
)
def test_a_window_within_one_day_ends_the_same_day(moment, expected):
    assert quiet_until(moment, *SIESTA) == expected


def test_the_end_is_in_the_zone_of_the_moment():
    end = quiet_until(wita(2024, 11, 26, 23, 0), *NIGHT)
    assert end.utcoffset() == dt.timedelta(hours=8)
    assert end.astimezone(dt.UTC) == dt.datetime(2024, 11, 26, 22, 0, tzinfo=dt.UTC)


def test_no_window_means_never_quiet():
    assert quiet_until(wita(2024, 11, 26, 23, 0), None, None) is None


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (dt.time(22, 0), None, "quiet_end"),
        (None, dt.time(6, 0), "quiet_start"),
        (dt.time(22, 0), dt.time(22, 0), "quiet_end"),
    ],
)
def test_a_half_or_empty_window_is_refused_naming_the_field(start, end, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        quiet_window_check(start, end)
    with pytest.raises(ValueError, match=f"^{field}: "):
        quiet_until(wita(2024, 11, 26, 23, 0), start, end)
