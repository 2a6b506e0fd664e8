"""Importing kecamatan and desa boundaries from the real Kutai Timur GeoJSON files.

The files live outside the repository, in the sibling folder ``shared/data/wilayah``; they are
never copied here. Bad inputs are the real file corrupted in memory and written to tmp_path.
"""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from shapely.geometry import Point, shape

from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from siaga.wilayah.boundaries import boundaries_import_geojson
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region
from siaga.wilayah.reference import regions_load_reference
from tests.factories import TpsFactory
from tests.wilayah import write_reference_subset

pytestmark = pytest.mark.django_db

DATA_DIR = (Path(__file__).resolve().parents[2] / "../shared/data/wilayah").resolve()
DESA_FILE = DATA_DIR / "kutai_timur_desa.geojson"
KECAMATAN_FILE = DATA_DIR / "kutai_timur_kecamatan.geojson"


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"{path.name} not found in {DATA_DIR}: the boundary tests read the real Kutai Timur "
            "files from the shared data folder next to the repository"
        )
    return path


@pytest.fixture(scope="session")
def reference_dir(tmp_path_factory):
    if not (settings.SIAGA_WILAYAH_DATA_DIR / "villages.csv").exists():
        pytest.skip(f"idn-area-data is not installed in {settings.SIAGA_WILAYAH_DATA_DIR}")
    return write_reference_subset(tmp_path_factory.mktemp("idn-area-data"), "64.08")


@pytest.fixture
def regions(db, reference_dir):
    regions_load_reference(context=AuditContext.cli(), only="64.08", data_dir=reference_dir)


@pytest.fixture
def desa_collection():
    return json.loads(_require(DESA_FILE).read_text())


def _import(path):
    return boundaries_import_geojson(context=AuditContext.cli(), path=path)


def _write(tmp_path, collection, name="boundaries.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(collection))
    return path


def _index(collection, code):
    return next(i for i, f in enumerate(collection["features"]) if f["properties"]["code"] == code)


def test_desa_boundaries_import_with_points_inside_and_a_fingerprint_in_the_audit(regions):
    events = AuditEvent.objects.count()

    report = _import(_require(DESA_FILE))

    assert report.ok, report.errors
    assert (report.counts["features"], report.updated, report.unchanged) == (141, 141, 0)
    villages = Region.objects.filter(level=Level.VILLAGE)
    assert villages.filter(boundary__isnull=False).count() == 141
    for desa in villages:
        polygon = shape(desa.boundary)
        assert polygon.geom_type in ("Polygon", "MultiPolygon")
        assert polygon.contains(Point(desa.lon, desa.lat)), desa.code
    new_events = AuditEvent.objects.filter(seq__gt=events)
    assert new_events.count() == 141
    event = new_events.get(object_id="64.08.08.2006")
    assert event.action == "region.boundary_import"
    assert event.before["boundary_sha256"] is None
    assert len(event.after["boundary_sha256"]) == 64
    assert event.after["vertices"] > 10
    assert "coordinates" not in json.dumps(event.after)  # a fingerprint, not the polygon
    assert audit_verify().ok


def test_kecamatan_boundaries_put_telen_point_inside_although_its_centroid_is_outside(regions):
    report = _import(_require(KECAMATAN_FILE))

    assert report.ok, report.errors
    assert report.updated == 18
    telen = Region.objects.get(code="64.08.07")
    polygon = shape(telen.boundary)
    assert not polygon.contains(polygon.centroid)  # why a representative point is needed
    assert polygon.contains(Point(telen.lon, telen.lat))
    assert Region.objects.filter(level=Level.DISTRICT, boundary__isnull=True).count() == 0


def test_reimporting_the_same_boundaries_changes_nothing(regions):
    _import(_require(KECAMATAN_FILE))
    events = AuditEvent.objects.count()

    report = _import(KECAMATAN_FILE)

    assert report.ok
    assert (report.updated, report.unchanged) == (0, 18)
    assert AuditEvent.objects.count() == events


def test_codes_without_dots_and_known_aliases_are_accepted(regions, desa_collection, tmp_path):
    features = desa_collection["features"]
    features[0]["properties"]["code"] = features[0]["properties"]["code"].replace(".", "")
    features[_index(desa_collection, "64.08.08.2006")]["properties"]["name"] = "KONGBENG INDAH"
    features[0]["properties"]["luas_km2"] = 12.5  # extra properties are ignored

    report = _import(_write(tmp_path, desa_collection))

    assert report.ok, report.errors
    assert report.updated == 141


def _corrupt(collection):
    features = collection["features"]
    bad = copy.deepcopy(collection)
    bad_features = bad["features"]
    bad_features[2]["properties"]["code"] = "64.08.01.2999"  # feature 3: unknown code
    bad_features[4]["properties"]["name"] = "Desa Entah"  # feature 5: wrong name
    bad_features[6]["geometry"] = {"type": "Point", "coordinates": [117.5, 0.5]}  # feature 7
    bad_features[8]["geometry"] = {  # feature 9: a self-intersecting bow tie
        "type": "Polygon",
        "coordinates": [[[117.0, 0.0], [117.1, 0.1], [117.1, 0.0], [117.0, 0.1], [117.0, 0.0]]],
    }
    ring = bad_features[10]["geometry"]["coordinates"]
    while isinstance(ring[0][0], list):
        ring = ring[0]
    ring[1] = [ring[1][0], 95.0]  # feature 11: latitude out of range
    bad_features[12]["properties"]["code"] = features[0]["properties"]["code"]  # feature 13
    bad_features[12]["properties"]["name"] = features[0]["properties"]["name"]
    return bad


def test_bad_features_are_reported_by_number_and_property_and_nothing_is_written(
    regions, desa_collection, tmp_path
):
    events = AuditEvent.objects.count()

    report = _import(_write(tmp_path, _corrupt(desa_collection)))

    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "code"),
        (5, "name"),
        (7, "geometry"),
        (9, "geometry"),
        (11, "geometry"),
        (13, "code"),
    ]
    messages = [e.message for e in report.errors]
    assert "64.08.01.2999" in messages[0]
    assert "Desa Entah" in messages[1]
    assert "Point" in messages[2]
    assert "Self-intersection" in messages[3]
    assert "95" in messages[4]
    assert "feature 1" in messages[5]
    assert not Region.objects.filter(boundary__isnull=False).exists()
    assert not Region.objects.filter(level=Level.VILLAGE, lat__isnull=False).exists()
    assert AuditEvent.objects.count() == events


def test_a_bad_file_leaves_earlier_boundaries_as_they_were(regions, desa_collection, tmp_path):
    _import(DESA_FILE)
    before = dict(Region.objects.values_list("code", "lat"))
    moved = copy.deepcopy(desa_collection)
    moved["features"][0]["geometry"] = moved["features"][1]["geometry"]  # a valid change...
    moved["features"][5]["geometry"] = {"type": "LineString", "coordinates": [[117, 0]] * 2}

    report = _import(_write(tmp_path, moved))  # ...in a file with one bad feature

    assert [(e.row, e.column) for e in report.errors] == [(6, "geometry")]
    assert dict(Region.objects.values_list("code", "lat")) == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("not json", "JSON"),
        ('{"type": "Feature"}', "FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "tidak berisi"),
        (b"\xff\xfe\x00", "JSON"),
    ],
)
def test_files_that_are_not_feature_collections_are_clear_errors(
    regions, tmp_path, content, fragment
):
    path = tmp_path / "bad.geojson"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)

    report = _import(path)

    assert not report.ok
    assert fragment in report.errors[0].message


def test_tps_outside_their_new_desa_polygon_are_warned_about_not_rejected(regions):
    desa = json.loads(_require(DESA_FILE).read_text())
    feature = desa["features"][_index(desa, "64.08.04.2011")]
    inside = shape(feature["geometry"]).representative_point()
    TpsFactory(desa_id="64.08.04.2011", number=1, lat=inside.y, lon=inside.x)
    TpsFactory(desa_id="64.08.04.2011", number=2, lat=1.2, lon=116.3)  # far west, in Busang
    TpsFactory(desa_id="64.08.04.2011", number=3, lat=None, lon=None)

    report = _import(DESA_FILE)

    assert report.ok
    assert report.counts["tps_outside"] == 1
    [warning] = report.warnings
    assert warning.column == "geometry"
    assert "TPS 002" in warning.message and "Singa Gembara" in warning.message


def test_import_geojson_command_prints_feature_errors_and_exits_non_zero(
    regions, desa_collection, tmp_path
):
    path = _write(tmp_path, _corrupt(desa_collection))
    stderr = StringIO()

    with pytest.raises(CommandError, match="6 error"):
        call_command("wilayah", "import-geojson", str(path), stderr=stderr)

    lines = stderr.getvalue().splitlines()
    assert lines[0].startswith("feature 3, code: ")
    assert lines[2].startswith("feature 7, geometry: ")

    out = StringIO()
    call_command("wilayah", "import-geojson", str(KECAMATAN_FILE), stdout=out)
    assert "18 feature(s), 18 updated" in out.getvalue()
