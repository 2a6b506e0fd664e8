"""Importing kecamatan or desa boundaries from a GeoJSON FeatureCollection.

Each feature carries ``code`` and ``name`` properties (others are ignored) and a Polygon or
MultiPolygon in WGS84. Every feature is checked and every problem reported by feature number
(1 = the first feature) and property; one error and nothing is written. On success the geometry
is stored as given in ``Region.boundary`` and the region's point moves to the polygon's
representative point, which, unlike a centroid, always lies inside it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from siaga.core.audit import AuditContext, audit_record
from siaga.core.tabular import ImportReport
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, RegionAlias, Tps
from siaga.wilayah.names import name_key, normalise_code

POLYGON_TYPES = ("Polygon", "MultiPolygon")


@dataclass
class _Feature:
    number: int
    region: Region
    geometry: dict
    polygon: Any  # a shapely Polygon or MultiPolygon


def geometry_sha256(geometry: dict) -> str:
    """A fingerprint of a GeoJSON geometry, independent of key order and whitespace."""
    canonical = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _boundary_state(region: Region) -> dict:
    """What the audit trail keeps of a boundary: a fingerprint, not the polygon itself."""
    if not region.boundary:
        return {"boundary_sha256": None, "vertices": 0, "lat": region.lat, "lon": region.lon}
    try:
        vertices = int(shapely.get_num_coordinates(shape(region.boundary)))
    except Exception:  # a boundary stored by hand and not readable by shapely
        vertices = None
    return {
        "boundary_sha256": geometry_sha256(region.boundary),
        "vertices": vertices,
        "lat": region.lat,
        "lon": region.lon,
    }


def _bad_position(coordinates: Any, depth: int) -> str | None:
    """Check nesting and ranges of GeoJSON coordinates; a message for the first bad position."""
    if depth == 0:
        if (
            not isinstance(coordinates, list)
            or len(coordinates) < 2
            or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in coordinates[:2]
            )
        ):
            return _("posisi %(value)s bukan [bujur, lintang].") % {
                "value": json.dumps(coordinates)[:60]
            }
        lon, lat = coordinates[0], coordinates[1]
        if not (math.isfinite(lon) and -180 <= lon <= 180):
            return _("bujur %(value)s di luar rentang -180..180.") % {"value": lon}
        if not (math.isfinite(lat) and -90 <= lat <= 90):
            return _("lintang %(value)s di luar rentang -90..90.") % {"value": lat}
        return None
    if not isinstance(coordinates, list) or not coordinates:
        return _("susunan koordinat tidak sesuai jenis geometrinya.")
    for item in coordinates:
        problem = _bad_position(item, depth - 1)
        if problem:
            return problem
    return None


def _load(path: Path, report: ImportReport) -> list | None:
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        report.error(None, None, _("Berkas %(path)s tidak ditemukan.") % {"path": path})
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.error(None, None, _("Berkas bukan JSON yang sah: %(reason)s") % {"reason": exc})
        return None
    except OSError as exc:
        report.error(None, None, _("Berkas tidak bisa dibaca: %(reason)s") % {"reason": exc})
        return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        report.error(None, None, _("Berkas bukan GeoJSON FeatureCollection."))
        return None
    features = data.get("features")
    if not isinstance(features, list) or not features:
        report.error(None, "features", _("FeatureCollection tidak berisi feature."))
        return None
    return features


def _check(
    number: int,
    feature: Any,
    regions: dict[str, Region],
    aliases: dict[str, set[str]],
    first_seen: dict[str, int],
    report: ImportReport,
) -> _Feature | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        report.error(number, None, _("Bukan GeoJSON Feature."))
        return None
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    ok = True
    region = None
    raw_code = str(properties.get("code") or "").strip()
    if not raw_code:
        report.error(number, "code", _("Kode wilayah wajib diisi."))
        ok = False
    else:
        code = normalise_code(raw_code)
        region = regions.get(code)
        if region is None:
            report.error(
                number, "code", _("Kode wilayah %(code)s tidak dikenal.") % {"code": raw_code}
            )
            ok = False
        elif code in first_seen:
            report.error(
                number,
                "code",
                _("Kode %(code)s sudah dipakai feature %(first)s.")
                % {"code": code, "first": first_seen[code]},
            )
            ok = False
        else:
            first_seen[code] = number
    raw_name = str(properties.get("name") or "").strip()
    if not raw_name:
        report.error(number, "name", _("Nama wilayah wajib diisi."))
        ok = False
    elif region is not None and name_key(raw_name) not in (
        {name_key(region.name)} | aliases.get(region.code, set())
    ):
        report.error(
            number,
            "name",
            _("Nama %(name)s tidak cocok dengan wilayah %(code)s (%(expected)s).")
            % {"name": raw_name, "code": region.code, "expected": region.name},
        )
        ok = False
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGON_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        report.error(
            number,
            "geometry",
            _("Geometri harus Polygon atau MultiPolygon, bukan %(kind)s.") % {"kind": kind},
        )
        return None
    depth = 3 if geometry["type"] == "Polygon" else 4
    problem = _bad_position(geometry.get("coordinates"), depth - 1)
    if problem:
        report.error(number, "geometry", problem)
        return None
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely rejects rings with too few points, etc.
        report.error(number, "geometry", _("Geometri tidak sah: %(reason)s") % {"reason": exc})
        return None
    if polygon.is_empty:
        report.error(number, "geometry", _("Geometri kosong."))
        return None
    if not polygon.is_valid:
        report.error(
            number,
            "geometry",
            _("Geometri tidak sah: %(reason)s") % {"reason": explain_validity(polygon)},
        )
        return None
    if not ok or region is None:
        return None
    return _Feature(number=number, region=region, geometry=geometry, polygon=polygon)


def _warn_tps_outside(features: list[_Feature], report: ImportReport) -> None:
    """TPS whose coordinates fall outside their (new) desa polygon: a warning, not an error."""
    by_desa = {f.region.code: f for f in features if f.region.level == Level.VILLAGE}
    if not by_desa:
        return
    prepared = set()
    rows = Tps.objects.filter(
        desa_id__in=sorted(by_desa), lat__isnull=False, lon__isnull=False
    ).values_list("desa_id", "number", "lat", "lon")
    outside = 0
    for desa, number, lat, lon in rows.order_by("desa_id", "number"):
        feature = by_desa[desa]
        if desa not in prepared:
            shapely.prepare(feature.polygon)
            prepared.add(desa)
        if not shapely.intersects_xy(feature.polygon, lon, lat):
            outside += 1
            report.warn(
                feature.number,
                "geometry",
                _("TPS %(number)03d %(desa)s (%(lat)s, %(lon)s) berada di luar batas desa.")
                % {"number": number, "desa": feature.region.name, "lat": lat, "lon": lon},
            )
    report.count("tps_outside", outside)


def boundaries_import_geojson(*, context: AuditContext, path: str | Path) -> ImportReport:
    """Import kecamatan or desa boundaries from a GeoJSON file, all or nothing.

    Report counts: ``features``, ``updated``, ``unchanged``, ``tps_outside`` (warned). Errors
    carry the feature number as ``row`` and the property as ``column``.
    """
    report = ImportReport()
    features = _load(Path(path), report)
    if features is None:
        return report
    codes = set()
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            codes.add(normalise_code(str(feature["properties"].get("code") or "").strip()))
    regions = {r.code: r for r in Region.objects.filter(code__in=sorted(codes))}
    aliases: dict[str, set[str]] = {}
    rows = RegionAlias.objects.filter(region_id__in=sorted(regions))
    for code, alias in rows.values_list("region_id", "name"):
        aliases.setdefault(code, set()).add(name_key(alias))
    checked: list[_Feature] = []
    first_seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        report.rows += 1
        result = _check(number, feature, regions, aliases, first_seen, report)
        if result is not None:
            checked.append(result)
    report.count("features", len(features))
    if not report.ok:
        return report
    with transaction.atomic():
        changed: list[tuple[_Feature, dict]] = []
        for feature in checked:
            region = feature.region
            before = _boundary_state(region)
            point = feature.polygon.representative_point()
            region.boundary = feature.geometry
            region.lat, region.lon = point.y, point.x  # not rounded: it stays inside
            after = _boundary_state(region)
            if after != before:
                changed.append((feature, before))
            else:
                report.count("unchanged")
        Region.objects.bulk_update(
            [f.region for f, _before in changed], ["boundary", "lat", "lon"], batch_size=200
        )
        for feature, before in changed:
            region = feature.region
            audit_record(
                context=context,
                action="region.boundary_import",
                obj=region,
                object_repr=f"{region.code} {region.name}",
                region_code=region.code,
                before=before,
                after=_boundary_state(region),
            )
        report.count("updated", len(changed))
    _warn_tps_outside(checked, report)
    return report
