"""The demo generator: exact totals, sizes that look like Kutai Timur, determinism, placement.

These tests need no database: the desa list comes straight from the installed Kemendagri code
list (idn-area-data), as the demo loader would read it from the regions table.
"""

import csv
import json
import math
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from shapely.geometry import Point, box, mapping

from siaga.demo import kutai_timur as facts
from siaga.demo.generator import (
    DesaInput,
    KecamatanInput,
    generate_tps,
    largest_remainder,
)

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "wilayah"


def _kecamatan_from_code_list() -> list[KecamatanInput]:
    data = Path(settings.SIAGA_WILAYAH_DATA_DIR)
    if not (data / "villages.csv").exists():
        pytest.skip(f"idn-area-data is not installed ({data}); run `make install`")
    with (data / "districts.csv").open(encoding="utf-8") as handle:
        names = {r["code"]: r["name"] for r in csv.DictReader(handle) if r["code"][:5] == "64.08"}
    desa = defaultdict(list)
    with (data / "villages.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["code"].startswith("64.08."):
                desa[row["district_code"]].append(DesaInput(row["code"], row["name"]))
    return [KecamatanInput(code, name, tuple(desa[code])) for code, name in names.items()]


@pytest.fixture(scope="module")
def kecamatan():
    return _kecamatan_from_code_list()


@pytest.fixture(scope="module")
def plan(kecamatan):
    return generate_tps(kecamatan)


def _by_kecamatan(plan) -> dict[str, list]:
    grouped = defaultdict(list)
    for tps in plan.tps:
        grouped[tps.desa_code[:8]].append(tps)
    return grouped


def test_the_facts_add_up_to_the_regency_totals():
    assert len(facts.KECAMATAN) == 18
    assert sorted(facts.KECAMATAN) == [f"64.08.{n:02d}" for n in range(1, 19)]
    assert sum(k.dpt for k in facts.KECAMATAN.values()) == facts.TOTAL_DPT == 297_994
    assert sum(k.dpt_male for k in facts.KECAMATAN.values()) == facts.TOTAL_DPT_MALE == 160_805
    assert sum(k.dpt_female for k in facts.KECAMATAN.values()) == 137_189
    for kec in facts.KECAMATAN.values():
        assert kec.town_desa.startswith(kec.code + ".")


def test_the_demo_has_701_tps_holding_exactly_297994_voters(kecamatan, plan):
    assert len(kecamatan) == 18 and sum(len(k.desa) for k in kecamatan) == 141
    assert len(plan.tps) == 701
    assert sum(t.dpt for t in plan.tps) == 297_994
    assert sum(t.dpt_male for t in plan.tps) == 160_805
    assert sum(t.dpt_female for t in plan.tps) == 137_189


def test_no_tps_holds_more_than_600_voters_and_none_is_nearly_empty(plan):
    assert max(t.dpt for t in plan.tps) <= 600
    assert min(t.dpt for t in plan.tps) >= 150
    for tps in plan.tps:
        assert 0.35 <= tps.dpt_male / tps.dpt <= 0.7, tps


def test_every_desa_has_tps_numbered_one_to_n(kecamatan, plan):
    numbers = defaultdict(list)
    for tps in plan.tps:
        numbers[tps.desa_code].append(tps.number)
    all_desa = {d.code for k in kecamatan for d in k.desa}
    assert set(numbers) == all_desa
    for code, found in numbers.items():
        assert sorted(found) == list(range(1, len(found) + 1)), code


def test_large_kecamatan_are_large_and_small_ones_small(plan):
    grouped = _by_kecamatan(plan)
    dpt = {code: sum(t.dpt for t in tps) for code, tps in grouped.items()}
    assert dpt["64.08.04"] == pytest.approx(85_830, rel=0.01)  # Sangatta Utara
    assert dpt["64.08.06"] == pytest.approx(4_320, rel=0.01)  # Busang
    for code, kec in facts.KECAMATAN.items():  # each kecamatan gets exactly its DPT
        assert dpt[code] == kec.dpt
        assert sum(t.dpt_male for t in grouped[code]) == kec.dpt_male
    large = ["64.08.12", "64.08.09", "64.08.02", "64.08.08", "64.08.13", "64.08.14", "64.08.05"]
    small = ["64.08.06", "64.08.17", "64.08.18", "64.08.11"]
    assert max(dpt, key=dpt.get) == "64.08.04"
    assert min(dpt[c] for c in large) > 2 * max(dpt[c] for c in small)
    tps_count = {code: len(tps) for code, tps in grouped.items()}
    assert tps_count["64.08.04"] > 150 and tps_count["64.08.06"] <= 12


def test_generation_is_deterministic(kecamatan, plan):
    again = generate_tps(list(reversed(kecamatan)))
    assert again.tps == plan.tps
    assert again.desa_points == plan.desa_points


def test_special_location_tps_are_placed_where_the_facts_say(plan):
    special = {(t.desa_code, t.special_location) for t in plan.tps if t.special_location}
    assert special == {(s.desa_code, s.kind) for s in facts.SPECIAL_TPS}
    assert any("Rutan" in t.address for t in plan.tps if t.special_location == "lapas")


def test_without_boundaries_tps_lie_near_their_kecamatan_town(plan):
    for tps in plan.tps:
        kec = facts.KECAMATAN[tps.desa_code[:8]]
        dy = (tps.lat - kec.lat) * 111.32
        dx = (tps.lon - kec.lon) * 111.32 * math.cos(math.radians(kec.lat))
        assert math.hypot(dx, dy) <= kec.reach_km + 3, tps
        assert 0.0 < tps.lat < 1.9 and 115.9 < tps.lon < 119.0  # inside the regency's box


def test_town_desa_and_kelurahan_sit_close_to_the_town(kecamatan, plan):
    for kec in kecamatan:
        town = facts.KECAMATAN[kec.code]
        for desa in kec.desa:
            lat, lon = plan.desa_points[desa.code]
            km = math.hypot((lat - town.lat) * 111.32, (lon - town.lon) * 111.32)
            if desa.code == town.town_desa:
                assert km < 0.5, desa
            elif desa.is_kelurahan:
                assert km < 3.5, desa


def test_with_a_boundary_the_desa_tps_fall_inside_it_and_other_desa_do_not_move(kecamatan, plan):
    target = "64.08.06.2003"  # Long Lees, Busang
    square = box(116.30, 0.85, 116.34, 0.89)
    with_boundary = [
        KecamatanInput(
            k.code,
            k.name,
            tuple(
                DesaInput(d.code, d.name, mapping(square) if d.code == target else None)
                for d in k.desa
            ),
        )
        for k in kecamatan
    ]
    moved = generate_tps(with_boundary)
    lat, lon = moved.desa_points[target]
    assert square.contains(Point(lon, lat))
    inside = [t for t in moved.tps if t.desa_code == target]
    assert inside and all(square.contains(Point(t.lon, t.lat)) for t in inside)
    assert [t for t in moved.tps if t.desa_code != target] == [
        t for t in plan.tps if t.desa_code != target
    ]
    # A GeoJSON Feature is accepted as well as a bare geometry.
    as_feature = [
        KecamatanInput(
            k.code,
            k.name,
            tuple(
                DesaInput(d.code, d.name, {"type": "Feature", "geometry": d.boundary})
                if d.boundary
                else d
                for d in k.desa
            ),
        )
        for k in with_boundary
    ]
    assert generate_tps(as_feature).tps == moved.tps


def test_largest_remainder_is_exact_and_keeps_minimums():
    assert largest_remainder(10, [1, 1, 1], [0, 0, 0]) == [4, 3, 3]
    assert sum(largest_remainder(701, [85_830, 4_320, 1], [144, 6, 3])) == 701
    assert largest_remainder(5, [100, 0.001], [1, 1])[1] == 1
    with pytest.raises(ValueError):
        largest_remainder(1, [1, 1], [1, 1])


def test_the_generator_does_not_import_django():
    code = (
        "import sys, siaga.demo.generator, siaga.demo.kutai_timur; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')]"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=settings.BASE_DIR)


def test_each_kecamatan_town_lies_inside_its_kecamatan_polygon():
    path = SHARED / "kutai_timur_kecamatan.geojson"
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared boundary files are not on this machine")
    from shapely.geometry import shape

    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    polygons = {f["properties"]["code"]: shape(f["geometry"]) for f in features}
    names = {f["properties"]["code"]: f["properties"]["name"] for f in features}
    wrong = []
    for code, town in facts.KECAMATAN.items():
        point = Point(town.lon, town.lat)
        if not polygons[code].contains(point):
            found_in = [names[c] for c, p in polygons.items() if p.contains(point)] or ["none"]
            km = polygons[code].distance(point) * 111.32
            wrong.append(f"{town.town} ({names[code]}) is {km:.1f} km outside, in {found_in}")
    assert not wrong, "kecamatan towns outside their kecamatan:\n" + "\n".join(wrong)
