"""The Kutai Timur demo TPS, generated deterministically. Pure Python: no Django here.

Given the kecamatan of the regency with their desa (codes, names, and boundaries when they were
imported), ``generate_tps`` produces the TPS of the demo: how many in each kecamatan and desa,
their voters by sex, their addresses and where they stand on the map.

* TPS per kecamatan: in proportion to the kecamatan DPT (largest remainder), never fewer than
  one per desa nor fewer than the DPT needs at a comfortable average load.
* TPS per desa: one each, the rest by weights (kelurahan and the kecamatan town larger).
* Voters: each kecamatan's DPT spread over its TPS with jitter, in exact integers, at most
  ``max_per_tps`` each; men and women split so that every kecamatan total (and so the regency
  total) is exact.
* Places: with a desa boundary (a GeoJSON geometry), the desa point is the polygon's
  representative point and TPS are sampled inside the polygon; without one, each desa is put at
  a deterministic offset from its kecamatan town (kelurahan close, villages farther, towards the
  land) and its TPS within a few hundred metres of it.

Every random draw comes from a generator seeded with the seed and a region code, so the output
depends only on the input, and importing one desa boundary moves only that desa's TPS.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shapely.geometry import Point, shape
from shapely.prepared import prep

from siaga.demo import kutai_timur as facts

SEED = 2024
KM_PER_DEGREE = 111.32
# A comfortable average load: the kecamatan gets at least DPT / this many TPS, so that jitter
# stays well under the legal maximum of 600 voters.
COMFORTABLE_LOAD = 500


@dataclass(frozen=True)
class DesaInput:
    """A desa or kelurahan: its Kemendagri code, name and optional boundary (GeoJSON)."""

    code: str
    name: str
    boundary: Mapping | None = None

    @property
    def is_kelurahan(self) -> bool:
        return self.code.rsplit(".", 1)[-1].startswith("1")


@dataclass(frozen=True)
class KecamatanInput:
    """A kecamatan with its desa."""

    code: str
    name: str
    desa: tuple[DesaInput, ...]


@dataclass(frozen=True)
class TpsRecord:
    """One generated TPS, ready to be written."""

    desa_code: str
    number: int
    address: str
    lat: float
    lon: float
    dpt_male: int
    dpt_female: int
    special_location: str = ""

    @property
    def dpt(self) -> int:
        return self.dpt_male + self.dpt_female


@dataclass
class DemoPlan:
    """The generated TPS, and the map point of every desa."""

    tps: list[TpsRecord] = field(default_factory=list)
    desa_points: dict[str, tuple[float, float]] = field(default_factory=dict)


def _rng(*parts: object) -> random.Random:
    # Seeding with a string is stable across runs and Python processes (no hash randomisation).
    return random.Random(":".join(str(p) for p in parts))  # noqa: S311 - a demo, not a secret


def largest_remainder(total: int, weights: Sequence[float], minimum: Sequence[int]) -> list[int]:
    """Split ``total`` in integers proportional to ``weights``, each at least its ``minimum``."""
    if sum(minimum) > total:
        raise ValueError(f"cannot split {total} with minimums adding up to {sum(minimum)}")
    weight_sum = float(sum(weights))
    quotas = [total * w / weight_sum for w in weights]
    shares = [max(m, math.floor(q)) for q, m in zip(quotas, minimum, strict=True)]
    order = sorted(range(len(shares)), key=lambda i: (shares[i] - quotas[i], i))
    while sum(shares) < total:  # give to those furthest below their quota
        for i in order:
            if sum(shares) == total:
                break
            shares[i] += 1
        order = sorted(range(len(shares)), key=lambda i: (shares[i] - quotas[i], i))
    while sum(shares) > total:  # take from those furthest above their quota
        candidates = [i for i in range(len(shares)) if shares[i] > minimum[i]]
        i = max(candidates, key=lambda i: (shares[i] - quotas[i], -i))
        shares[i] -= 1
    return shares


def allocate_tps(
    kecamatan: Sequence[KecamatanInput],
    dpt: Mapping[str, int],
    *,
    total_tps: int,
    max_per_tps: int,
) -> dict[str, int]:
    """TPS per kecamatan, in proportion to DPT, at least one per desa and enough for the load."""
    minimum = [
        max(len(k.desa), math.ceil(dpt[k.code] / min(COMFORTABLE_LOAD, max_per_tps)))
        for k in kecamatan
    ]
    shares = largest_remainder(total_tps, [dpt[k.code] for k in kecamatan], minimum)
    return {k.code: n for k, n in zip(kecamatan, shares, strict=True)}


def _desa_weights(kec: KecamatanInput, town_desa: str, rng: random.Random) -> list[float]:
    weights = []
    for desa in kec.desa:
        base = 4.0 if desa.code == town_desa else 3.0 if desa.is_kelurahan else 1.0
        weights.append(base * rng.uniform(0.6, 1.6))
    return weights


def _split_voters(total: int, count: int, rng: random.Random, max_per_tps: int) -> list[int]:
    if total > count * max_per_tps:
        raise ValueError(f"{total} voters do not fit in {count} TPS of {max_per_tps}")
    weights = [rng.uniform(0.8, 1.2) for _ in range(count)]
    voters = largest_remainder(total, weights, [0] * count)
    # Jitter may push a TPS over the maximum: move the excess to the emptiest TPS.
    while max(voters) > max_per_tps:
        high = voters.index(max(voters))
        low = voters.index(min(voters))
        move = min(voters[high] - max_per_tps, max_per_tps - voters[low])
        voters[high] -= move
        voters[low] += move
    return voters


def _split_sex(voters: list[int], male_total: int, rng: random.Random) -> list[int]:
    """Men per TPS: close to the kecamatan's share, with jitter, adding up to ``male_total``."""
    share = male_total / sum(voters)
    targets = [v * min(1.0, max(0.0, share + rng.uniform(-0.03, 0.03))) for v in voters]
    males = [math.floor(t) for t in targets]
    order = sorted(range(len(voters)), key=lambda i: (males[i] - targets[i], i))
    step = 1 if sum(males) < male_total else -1
    if step < 0:
        order.reverse()
    while sum(males) != male_total:
        moved = False
        for i in order:
            if sum(males) == male_total:
                break
            if 0 <= males[i] + step <= voters[i]:
                males[i] += step
                moved = True
        if not moved:  # pragma: no cover - only with an impossible male_total
            raise ValueError("cannot reach the male total")
    return males


def _offset(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    bearing = math.radians(bearing_deg)
    dlat = km * math.cos(bearing) / KM_PER_DEGREE
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _round_point(lat: float, lon: float) -> tuple[float, float]:
    return round(lat, 6), round(lon, 6)


def geometry_from_geojson(boundary: Mapping):
    """A shapely geometry from a GeoJSON geometry (or a Feature holding one)."""
    if boundary.get("type") == "Feature":
        boundary = boundary["geometry"]
    return shape(boundary)


def _place_desa_without_boundary(
    kec: KecamatanInput, kec_facts: facts.KecamatanFacts
) -> dict[str, tuple[float, float]]:
    """Desa points around the kecamatan town: the town desa on it, kelurahan close, villages out.

    Villages are spread evenly over the kecamatan's landward sector, at a distance growing with
    their rank, so they neither pile up nor (for coastal kecamatan) fall in the sea.
    """
    rng = _rng(SEED, "desa", kec.code)
    villages = [d for d in kec.desa if d.code != kec_facts.town_desa and not d.is_kelurahan]
    points: dict[str, tuple[float, float]] = {}
    for desa in kec.desa:
        if desa.code == kec_facts.town_desa:
            km, bearing = rng.uniform(0.0, 0.4), rng.uniform(0, 360)
        elif desa.is_kelurahan:
            km = rng.uniform(1.0, 3.0)
            bearing = kec_facts.inland_bearing + rng.uniform(-0.5, 0.5) * kec_facts.spread_degrees
        else:
            rank = villages.index(desa)
            fraction = (rank + 0.5) / len(villages)
            half = kec_facts.spread_degrees / 2
            bearing = kec_facts.inland_bearing - half + fraction * kec_facts.spread_degrees
            bearing += rng.uniform(-0.3, 0.3) * kec_facts.spread_degrees / len(villages)
            low = min(4.0, kec_facts.reach_km / 3)
            km = low + (kec_facts.reach_km - low) * rng.uniform(0.35, 1.0)
        points[desa.code] = _round_point(*_offset(kec_facts.lat, kec_facts.lon, km, bearing))
    return points


def _tps_radius_km(count: int) -> float:
    """How far TPS of a desa spread from its point: a village hall, or a town's neighbourhoods."""
    return min(2.5, 0.3 + 0.15 * math.sqrt(count))


def _tps_points_without_boundary(
    centre: tuple[float, float], count: int, rng: random.Random
) -> list[tuple[float, float]]:
    radius = _tps_radius_km(count)
    points = []
    for _ in range(count):
        km = radius * math.sqrt(rng.random())  # uniform over the disc
        points.append(_round_point(*_offset(*centre, km, rng.uniform(0, 360))))
    return points


def _tps_points_in_polygon(
    polygon, centre: tuple[float, float], count: int, rng: random.Random
) -> list[tuple[float, float]]:
    """Points inside ``polygon``: near ``centre`` first, anywhere inside if that fails."""
    prepared = prep(polygon)
    radius = _tps_radius_km(count)
    min_x, min_y, max_x, max_y = polygon.bounds
    points = []
    for _ in range(count):
        found = None
        for attempt in range(400):
            if attempt < 200:
                km = radius * math.sqrt(rng.random())
                lat, lon = _offset(*centre, km, rng.uniform(0, 360))
            else:
                lat, lon = rng.uniform(min_y, max_y), rng.uniform(min_x, max_x)
            lat, lon = _round_point(lat, lon)
            if prepared.contains(Point(lon, lat)):
                found = (lat, lon)
                break
        points.append(found or centre)
    return points


def _address(desa: DesaInput, number: int, count: int, rng: random.Random) -> str:
    rt = rng.randint(1, max(6, 2 * count))  # a desa has about two RT per TPS
    if number == 1:
        hall = "Kantor Lurah" if desa.is_kelurahan else "Balai Desa"
        return f"{hall} {desa.name}"
    templates = (
        "Halaman SD Negeri {school:03d}, RT {rt:02d}",
        "Halaman Masjid RT {rt:02d}",
        "Gedung Serbaguna RT {rt:02d}",
        "Posyandu RT {rt:02d}",
        "Lapangan Voli RT {rt:02d}",
        "Rumah Warga, Jl. Poros RT {rt:02d}",
    )
    text = rng.choice(templates).format(rt=rt, school=rng.randint(1, max(3, count)))
    return f"{text}, {desa.name}"


def generate_tps(
    kecamatan: Sequence[KecamatanInput],
    *,
    kecamatan_facts: Mapping[str, facts.KecamatanFacts] | None = None,
    special_tps: Sequence[facts.SpecialTps] | None = None,
    total_tps: int = facts.TOTAL_TPS,
    max_per_tps: int = facts.MAX_VOTERS_PER_TPS,
) -> DemoPlan:
    """Generate every TPS of the demo for ``kecamatan`` (each must have facts and a desa)."""
    kecamatan_facts = facts.KECAMATAN if kecamatan_facts is None else kecamatan_facts
    special_tps = facts.SPECIAL_TPS if special_tps is None else special_tps
    kecamatan = sorted(kecamatan, key=lambda k: k.code)
    for kec in kecamatan:
        if kec.code not in kecamatan_facts:
            raise ValueError(f"no demo facts for kecamatan {kec.code} {kec.name}")
        if not kec.desa:
            raise ValueError(f"kecamatan {kec.code} {kec.name} has no desa")
    dpt = {k.code: kecamatan_facts[k.code].dpt for k in kecamatan}
    per_kecamatan = allocate_tps(kecamatan, dpt, total_tps=total_tps, max_per_tps=max_per_tps)
    special_by_desa = {s.desa_code: s for s in special_tps}

    plan = DemoPlan()
    for kec in kecamatan:
        kec_facts = kecamatan_facts[kec.code]
        desa_list = sorted(kec.desa, key=lambda d: d.code)
        kec = KecamatanInput(kec.code, kec.name, tuple(desa_list))
        rng = _rng(SEED, "kecamatan", kec.code)
        weights = _desa_weights(kec, kec_facts.town_desa, rng)
        per_desa = largest_remainder(per_kecamatan[kec.code], weights, [1] * len(desa_list))
        voters = _split_voters(kec_facts.dpt, per_kecamatan[kec.code], rng, max_per_tps)
        males = _split_sex(voters, kec_facts.dpt_male, rng)
        fallback_points = _place_desa_without_boundary(kec, kec_facts)

        index = 0
        for desa, count in zip(desa_list, per_desa, strict=True):
            desa_rng = _rng(SEED, "desa-tps", desa.code)
            if desa.boundary:
                polygon = geometry_from_geojson(desa.boundary)
                rep = polygon.representative_point()
                centre = _round_point(rep.y, rep.x)
                points = _tps_points_in_polygon(polygon, centre, count, desa_rng)
            else:
                centre = fallback_points[desa.code]
                points = _tps_points_without_boundary(centre, count, desa_rng)
            plan.desa_points[desa.code] = centre
            special = special_by_desa.get(desa.code)
            for number in range(1, count + 1):
                address = _address(desa, number, count, desa_rng)
                kind = ""
                if special and number == count and count > 1:
                    kind, address = special.kind, f"{special.address}, {desa.name}"
                lat, lon = points[number - 1]
                plan.tps.append(
                    TpsRecord(
                        desa_code=desa.code,
                        number=number,
                        address=address,
                        lat=lat,
                        lon=lon,
                        dpt_male=males[index],
                        dpt_female=voters[index] - males[index],
                        special_location=kind,
                    )
                )
                index += 1
    return plan
