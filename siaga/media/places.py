"""The gazetteer of the deployment's regency, built from the region table.

Names come from the regions under the regency (kecamatan and desa), their aliases stored in
``wilayah.RegionAlias`` (editable in the admin) and the hand-written defaults of
``siaga.media.place_aliases``. It is built once per process and rebuilt when regions or aliases
change. The matching itself is the engine's (``siaga.engines.nlp.places``).
"""

from __future__ import annotations

import threading

from django.db.models import Count, Q

from siaga.core.deployment import deployment_regency
from siaga.engines.nlp.places import Gazetteer, Place
from siaga.media.place_aliases import ALIASES
from siaga.wilayah.models import Region, RegionAlias

_lock = threading.Lock()
_cache: dict[str, object] = {}


def gazetteer() -> Gazetteer:
    regency = deployment_regency()
    under = Q(code=regency) | Q(code__startswith=regency + ".")
    stamp = (
        regency,
        Region.objects.filter(under).aggregate(n=Count("pk"))["n"],
        RegionAlias.objects.filter(
            Q(region_id=regency) | Q(region__code__startswith=regency + ".")
        ).count(),
    )
    with _lock:
        if _cache.get("stamp") == stamp:
            return _cache["gazetteer"]  # type: ignore[return-value]
    places = [
        Place(code=code, name=name, level=level, parent_code=parent)
        for code, name, level, parent in Region.objects.filter(under).values_list(
            "code", "name", "level", "parent_id"
        )
    ]
    aliases: dict[str, list[str]] = {}
    known = {p.code for p in places}
    for code, names in ALIASES.get(regency, {}).items():
        if code in known:
            aliases.setdefault(code, []).extend(names)
    for code, name in RegionAlias.objects.filter(region_id__in=known).values_list(
        "region_id", "name"
    ):
        aliases.setdefault(code, []).append(name)
    built = Gazetteer(places, aliases)
    with _lock:
        _cache.update(stamp=stamp, gazetteer=built)
    return built


def reset_cache() -> None:
    with _lock:
        _cache.clear()
