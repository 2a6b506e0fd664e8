"""Near-duplicate suggestions look across a kecamatan border when the two points are close."""

from __future__ import annotations

import pytest

from siaga.incidents import selectors
from siaga.wilayah.models import Tps

pytestmark = pytest.mark.django_db


def _place(tps: Tps, lat: float, lon: float) -> Tps:
    tps.lat, tps.lon = lat, lon
    tps.save(update_fields=["lat", "lon"])
    return tps


TEXT = "Sekelompok orang mengancam warga di jalan depan TPS supaya tidak datang memilih"


def test_a_report_just_across_the_kecamatan_border_is_suggested(inc, inc_report):
    world = inc.world
    # TPS 1 of Singa Gembara (Sangatta Utara) and TPS 1 of Long Bentuq (Busang), placed 1.1 km
    # apart as if on either side of the border; TPS 2 of Long Bentuq 30 km away
    here = _place(world.tps[world.desa_a1.code][0], 0.5000, 117.5000)
    near = _place(world.tps[world.desa_b1.code][0], 0.5100, 117.5000)
    far = _place(world.tps[world.desa_b1.code][1], 0.7700, 117.5000)
    first = inc_report(inc.analyst, category="intimidasi", tps_id=here.pk, description=TEXT)
    across = inc_report(inc.analyst, category="intimidasi", tps_id=near.pk, description=TEXT)
    distant = inc_report(inc.analyst, category="intimidasi", tps_id=far.pk, description=TEXT)
    assert first.region_id.rsplit(".", 1)[0] != across.region_id.rsplit(".", 1)[0]

    suggested = [
        i.ticket for i, _s in selectors.duplicate_suggestions(user=inc.analyst, incident=first)
    ]

    assert across.ticket in suggested
    assert distant.ticket not in suggested


def test_without_any_point_the_same_desa_is_still_found(inc, inc_report):
    world = inc.world
    same_kec = world.tps[world.desa_a1.code][1]  # the same desa, another TPS; no coordinates
    other_kec = world.tps[world.desa_b1.code][0]  # Busang
    for tps in (inc.tps, same_kec, other_kec):
        _place(tps, None, None)
    first = inc_report(inc.analyst, category="intimidasi", tps_id=inc.tps.pk, description=TEXT)
    neighbour = inc_report(inc.analyst, category="intimidasi", tps_id=same_kec.pk, description=TEXT)
    elsewhere = inc_report(
        inc.analyst, category="intimidasi", tps_id=other_kec.pk, description=TEXT
    )

    suggested = [
        i.ticket for i, _s in selectors.duplicate_suggestions(user=inc.analyst, incident=first)
    ]

    assert neighbour.ticket in suggested
    assert elsewhere.ticket not in suggested
