"""API behind the situation-room map: everything the map needs in one request (/api/v1/map)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from siaga.core.permissions import Action, can
from siaga.dashboard.statuses import statuses_payload, tps_status
from siaga.wilayah import selectors
from siaga.wilayah.choices import Level

router = Router(tags=["dashboard"])

TPS_FIELDS = ["id", "lat", "lon", "label", "desa", "dpt", "status"]


class MapRegion(Schema):
    code: str
    name: str
    level: str
    level_label: str
    lat: float | None
    lon: float | None
    parent: str | None


class MapTotals(Schema):
    tps: int
    dpt_male: int
    dpt_female: int
    dpt: int


class MapStatus(Schema):
    code: str
    label: str
    color: str
    rank: int
    escalate: bool


class MapData(Schema):
    region: MapRegion
    boundaries: dict[str, Any]  # a GeoJSON FeatureCollection; features carry code, name, level
    statuses: list[MapStatus]
    tps_fields: list[str]
    tps: list[list[Any]]  # one compact row per TPS, in the order of tps_fields
    totals: MapTotals


@router.get("/map", response=MapData, summary="Everything the situation-room map shows")
def map_data(request, region: str | None = None):
    """The region, its boundaries and its children's, every TPS in scope under it, and totals.

    ``region`` is a Kemendagri code (default: the deployment's regency). TPS rows follow
    ``tps_fields``: ``[id, lat, lon, label, desa name, dpt, status]``. One request, a handful
    of queries, whatever the number of TPS.
    """
    user = request.user
    if not can(user, Action.VIEW):
        raise HttpError(404, _("Wilayah tidak ditemukan."))
    try:
        if region:
            place = selectors.region_get(user=user, code=region)
        else:
            place = selectors.home_region(user=user)
    except selectors.NotFound as exc:
        raise HttpError(404, _("Wilayah tidak ditemukan.")) from exc

    features = [
        {
            "type": "Feature",
            "geometry": r.boundary,
            "properties": {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "self": r.code == place.code,
            },
        }
        for r in selectors.region_boundaries(user=user, region=place)
    ]
    rows, male, female = [], 0, 0
    for pk, lat, lon, number, desa, dpt_male, dpt_female, special in selectors.tps_map_rows(
        user=user, region=place
    ):
        male += dpt_male
        female += dpt_female
        rows.append(
            [
                pk,
                lat,
                lon,
                f"TPS {number:03d}",
                desa,
                dpt_male + dpt_female,
                tps_status(special_location=special),
            ]
        )
    return {
        "region": {
            "code": place.code,
            "name": place.name,
            "level": place.level,
            "level_label": str(Level(place.level).label),
            "lat": place.lat,
            "lon": place.lon,
            "parent": place.parent_id,
        },
        "boundaries": {"type": "FeatureCollection", "features": features},
        "statuses": statuses_payload(),
        "tps_fields": TPS_FIELDS,
        "tps": rows,
        "totals": {"tps": len(rows), "dpt_male": male, "dpt_female": female, "dpt": male + female},
    }
