"""Which desa holds a map point: the boundary that contains it, else the nearest desa point.

Public reporters and Telegram users send a location, not a code. With boundaries imported the
answer is exact; without them (the demo ships none) the nearest desa representative point within
``max_km`` is taken, which is right for most of a regency and says so in its name.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import shape

from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region

NEAREST_MAX_KM = 15.0


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # an equirectangular approximation is ample within one regency
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def desa_at_point(
    lat: float, lon: float, *, under: str, max_km: float = NEAREST_MAX_KM
) -> Region | None:
    """The desa under region code ``under`` containing (lat, lon), or the nearest one, or None."""
    desa = Region.objects.filter(level=Level.VILLAGE, code__startswith=under + ".")
    for region in desa.filter(boundary__isnull=False).only("code", "name", "boundary").iterator():
        try:
            if shapely.intersects_xy(shape(region.boundary), lon, lat):
                return region
        except Exception:  # noqa: BLE001, S112 (a broken stored boundary must not stop a report)
            continue
    best, best_km = None, max_km
    for region in desa.exclude(lat=None).only("code", "name", "lat", "lon").iterator():
        km = _km(lat, lon, region.lat, region.lon)
        if km <= best_km:
            best, best_km = region, km
    return best
