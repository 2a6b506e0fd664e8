"""The default post-vote calendar, as offsets from voting day (H), and its arithmetic.

The offsets follow the shape of the Pilkada 2024 schedule (PKPU 2/2024): the kecamatan
recapitulation by the PPK in the days right after the vote, then the regency recapitulation by
the KPU and the determination of the result, then the window in which a candidate may bring a
dispute to the Constitutional Court (MK): three working days after the determination. Each
offset is a ``(first_day, last_day)`` pair of days after H; times are local (the deployment's
time zone). Every watch point seeded from them stays editable: a KPU that moves its plenary
moves the watch point, not this module.

Public holidays are not known here: the MK window skips Saturdays and Sundays only, and the
user corrects it when a holiday falls in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

# PPK recapitulation in every kecamatan: H+1 .. H+5.
REKAP_PPK_DAYS = (1, 5)
# KPU regency recapitulation (plenary): H+6 .. H+8, then the determination of the result: H+9.
REKAP_KPU_DAYS = (6, 8)
PENETAPAN_DAYS = (9, 9)
# A dispute may be filed with the MK within three working days after the determination.
SENGKETA_MK_WORKING_DAYS = 3
# Office hours of a recapitulation plenary (they often run late into the night: the watch
# point ends at 22:00 local).
DAY_STARTS = dt.time(8, 0)
DAY_ENDS = dt.time(22, 0)
# The MK takes filings until the end of the last day.
MK_DAY_ENDS = dt.time(23, 59)


@dataclass(frozen=True)
class Window:
    """When a watch point starts and ends (aware, local time of the deployment)."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at ``time`` in the deployment's time zone."""
    return dt.datetime.combine(day, time, tzinfo=zone())


def days_window(voting_day: dt.date, days: tuple[int, int]) -> Window:
    """H+first 08:00 to H+last 22:00, local."""
    first, last = days
    return Window(
        starts_at=local(voting_day + dt.timedelta(days=first), DAY_STARTS),
        ends_at=local(voting_day + dt.timedelta(days=last), DAY_ENDS),
    )


def working_days_after(day: dt.date, count: int) -> list[dt.date]:
    """The ``count`` working days (Monday to Friday) that follow ``day``."""
    found: list[dt.date] = []
    current = day
    while len(found) < count:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            found.append(current)
    return found


def mk_window(voting_day: dt.date) -> Window:
    """The dispute window: the working days after the determination day, 08:00 to 23:59."""
    determination = voting_day + dt.timedelta(days=PENETAPAN_DAYS[1])
    days = working_days_after(determination, SENGKETA_MK_WORKING_DAYS)
    return Window(starts_at=local(days[0], DAY_STARTS), ends_at=local(days[-1], MK_DAY_ENDS))


def voting_day_end(voting_day: dt.date) -> dt.datetime:
    """The first moment after voting day, local: midnight that ends it."""
    return local(voting_day + dt.timedelta(days=1), dt.time(0, 0))
