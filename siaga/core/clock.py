"""The one clock of Siaga: every module asks ``clock.now()`` for the current time.

A deployment may shift its clock (``clock_set``), for a demo or an exercise that plays a day
before the vote. The shift is stored in the ``Deployment`` row and cached for a few seconds per
process, so asking the time costs no query on a hot path.
"""

import datetime as dt
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_CACHE_SECONDS = 5.0
_cache: dict[str, float] = {}


def _offset_seconds() -> int:
    fetched_at = _cache.get("fetched_at")
    if fetched_at is not None and time.monotonic() - fetched_at < _CACHE_SECONDS:
        return int(_cache["offset"])
    from siaga.core.models import Deployment

    offset = Deployment.objects.values_list("clock_offset_seconds", flat=True).first() or 0
    _cache.update(offset=offset, fetched_at=time.monotonic())
    return offset


def clear_cache() -> None:
    _cache.clear()


def now() -> dt.datetime:
    """The current time (aware, UTC) as the deployment sees it."""
    return timezone.now() + dt.timedelta(seconds=_offset_seconds())


def local_now() -> dt.datetime:
    """``now()`` in the deployment's time zone (WITA for Kutai Timur)."""
    return now().astimezone(ZoneInfo(settings.TIME_ZONE))


def today() -> dt.date:
    return local_now().date()


def local_date(moment: dt.datetime) -> dt.date:
    """The deployment's calendar day of ``moment``."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def offset_for(target: dt.datetime) -> int:
    """The clock offset in seconds that makes ``now()`` equal ``target`` at this moment."""
    return round((target - timezone.now()).total_seconds())
