"""The Kutai Timur demo's logistics: the distribution plan of 23–26 November 2024 as seen at H-3.

``logistics_demo_load`` writes the whole plan (KPU warehouse → 18 PPK → 141 PPS → 701 KPPS), its
contents per TPS computed from the requirement rules, and the state of every leg at ``now``:
the far kecamatan served on 23 November and handed over, some legs on the way with a last known
position, the longboat to Busang held up and late, the nearer kecamatan still planned for
25–26 November, and one shortage (ballots missing at the PPK of Long Mesangat) with its
replacement request to the KPU.

Deterministic (every draw comes from a generator seeded with the shipment code) and idempotent:
shipments are upserted by code, lines, handovers and replacement requests by their natural keys,
and a second run writes nothing. Writes are bulk; one ``demo.logistics`` audit event sums up a run
that changed anything.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.accounts.models import Agency, User
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError
from siaga.demo import kutai_timur as facts
from siaga.engines.logistics import requirements
from siaga.logistics.catalogue import catalogue_seed
from siaga.logistics.choices import (
    ReplacementReason,
    ReplacementStatus,
    ShipmentStatus,
    Stage,
)
from siaga.logistics.models import (
    Handover,
    HandoverLine,
    ItemType,
    ReplacementRequest,
    Shipment,
    ShipmentLine,
)
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

SEED = "siaga-logistik-kutim-2024"
CODE_PREFIX = "KTM"
HANDOVER_KEY_PREFIX = "demo-"
KPU_AGENCY = "kpu"
KPU_USERNAME = "kpu.logistik"
WITA = ZoneInfo(facts.DEMO_TIME_ZONE)

# How far a route winds against the straight line, and how fast each mode goes (km/h) on the
# short legs below the kecamatan; the legs from the warehouse have their hours in the facts.
WINDING = {"road": 1.4, "foot": 1.2, "longboat": 1.8, "river_boat": 1.8, "speedboat": 1.3}
SPEED_KMH = {"road": 25.0, "foot": 4.0, "longboat": 8.0, "river_boat": 10.0, "speedboat": 25.0}
# Actual over planned duration on the short legs, by mode: the longboats of the upriver
# kecamatan run half as long again as their plan (strong currents after the rains, waits at
# the jetties), which is what the delay prediction learns from.
PACE = {
    "road": (0.9, 1.15),
    "foot": (1.0, 1.3),
    "longboat": (1.3, 1.7),
    "river_boat": (1.05, 1.25),
    "speedboat": (1.0, 1.2),
}
LOADING_MINUTES = 60  # a leg shows "dimuat" this long before it leaves
SORTING_HOURS = 6  # in a remote kecamatan; 2 elsewhere


@dataclass
class LogisticsDemoSummary:
    """What the demo's distribution looks like at ``now``, and what this run wrote."""

    now: dt.datetime
    shipments: int = 0
    lines: int = 0
    handovers: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_stage: dict[str, int] = field(default_factory=dict)
    # Shipment codes as ``shipments_at_risk`` ranks them (rawan first): late or predicted to
    # miss H-1; those predicted to miss H-1; those already late; those to remote kecamatan.
    at_risk: list[str] = field(default_factory=list)
    predicted_to_miss: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    at_risk_remote: list[str] = field(default_factory=list)
    shortage: str = ""
    replacement_deadline: dt.datetime | None = None
    tps_by_vulnerability: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


# --- the plan, in memory --------------------------------------------------------------------


@dataclass
class _Leg:
    code: str
    stage: str
    origin: str
    destination: str
    tps: int | None
    mode: str
    carrier: str
    escort: str
    planned_departure: dt.datetime
    planned_arrival: dt.datetime
    start: tuple[float, float]
    end: tuple[float, float]
    tps_ids: list[int]
    notes: str = ""
    # What happens, as far as the demo's story goes (None: not yet).
    departs: dt.datetime | None = None
    arrives: dt.datetime | None = None
    held_at: float | None = None
    handover_at: dt.datetime | None = None
    handed_by: str = ""
    received_by: str = ""
    upstream: _Leg | None = None  # the leg that brings the contents to this leg's origin
    # State at ``now``.
    status: str = ShipmentStatus.PLANNED
    actual_departure: dt.datetime | None = None
    actual_arrival: dt.datetime | None = None
    last_lat: float | None = None
    last_lon: float | None = None
    last_position_at: dt.datetime | None = None


def _after(start: dt.datetime, hours: float) -> dt.datetime:
    """``start`` plus ``hours``, to the minute."""
    return start + dt.timedelta(minutes=round(hours * 60))


def _local(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=WITA)


def _rng(code: str) -> random.Random:
    return random.Random(f"{SEED}:{code}")  # noqa: S311 - a demo, not a secret


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (b[0] - a[0]) * 111.32
    dlon = (b[1] - a[1]) * 111.32 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dlat, dlon)


def _hours(start: tuple[float, float], end: tuple[float, float], mode: str, extra: float) -> float:
    """Planned hours of a short leg: winding distance at the mode's speed plus loading, in half
    hours, never under one hour."""
    hours = _km(start, end) * WINDING[mode] / SPEED_KMH[mode] + extra
    return max(1.0, math.ceil(hours * 2) / 2)


def _slot(moment: dt.datetime) -> dt.datetime:
    """The next time a leg may leave: on the hour, between 06:00 and 17:00 local time."""
    local = moment.astimezone(WITA)
    rounded = local.replace(minute=0, second=0, microsecond=0)
    if rounded < local:
        rounded += dt.timedelta(hours=1)
    if rounded.hour < 6:
        return rounded.replace(hour=7)
    if rounded.hour > 17:
        return (rounded + dt.timedelta(days=1)).replace(hour=7)
    return rounded


def _receiving_time(arrival: dt.datetime, rng: random.Random) -> dt.datetime:
    """Counted and signed for 20–50 minutes after arrival; at night, at 06:30 the next morning
    (the boat or truck waits under guard)."""
    at = arrival + dt.timedelta(minutes=rng.randint(20, 50))
    local = at.astimezone(WITA)
    if local.hour >= 22 or local.hour < 6:
        day = local.date() + dt.timedelta(days=1 if local.hour >= 22 else 0)
        return dt.datetime.combine(day, dt.time(6, 30), tzinfo=WITA)
    return at


def _round_point(lat: float, lon: float) -> tuple[float, float]:
    return round(lat, 6), round(lon, 6)


def _plan(
    *,
    regency: str,
    kecamatan: dict[str, Region],
    desa: dict[str, Region],
    tps_rows: list[tuple[int, str, int, float | None, float | None]],
) -> list[_Leg]:
    """Every leg of the distribution with its plan and what happens on it (not yet the state)."""
    tps_by_desa: dict[str, list[tuple[int, int, tuple[float, float] | None]]] = {}
    for pk, desa_code, number, lat, lon in tps_rows:
        point = (lat, lon) if lat is not None and lon is not None else None
        tps_by_desa.setdefault(desa_code, []).append((pk, number, point))
    desa_by_kecamatan: dict[str, list[Region]] = {}
    for region in sorted(desa.values(), key=lambda r: r.code):
        desa_by_kecamatan.setdefault(region.parent_id, []).append(region)

    shortage = facts.SHORTAGE
    target = _local(facts.DISTRIBUTION_TARGET_LOCAL)
    legs: list[_Leg] = []
    for fact in facts.DISTRIBUTION:
        kec = kecamatan.get(fact.kecamatan)
        if kec is None:
            raise DomainError(
                _("Kecamatan %(code)s tidak ada di daftar wilayah.") % {"code": fact.kecamatan}
            )
        kec_facts = facts.KECAMATAN[fact.kecamatan]
        kec_point = (kec_facts.lat, kec_facts.lon)
        kec_desa = [d for d in desa_by_kecamatan.get(fact.kecamatan, []) if tps_by_desa.get(d.code)]
        kec_tps = [pk for d in kec_desa for pk, _n, _p in tps_by_desa[d.code]]
        short = fact.kecamatan[-2:]
        code = f"{CODE_PREFIX}1-{short}"
        rng = _rng(code)
        departure = _local(fact.departure)
        first = _Leg(
            code=code,
            stage=Stage.KPU_TO_PPK,
            origin=regency,
            destination=fact.kecamatan,
            tps=None,
            mode=fact.mode,
            carrier=fact.carrier,
            escort=fact.escort,
            planned_departure=departure,
            planned_arrival=departure + dt.timedelta(hours=fact.hours),
            start=facts.WAREHOUSE_POINT,
            end=kec_point,
            tps_ids=kec_tps,
            notes="\n".join(filter(None, [fact.route, fact.note])),
            handed_by="Petugas Logistik KPU Kutai Timur",
            received_by=f"Ketua PPK {kec.name}",
        )
        first.departs = departure + dt.timedelta(minutes=fact.late_minutes)
        if fact.held_at is not None:
            first.held_at = fact.held_at
        else:
            first.arrives = _after(first.departs, fact.hours * fact.pace)
            first.handover_at = _receiving_time(first.arrives, rng)
        legs.append(first)
        remote = fact.kecamatan in facts.REMOTE_KECAMATAN

        for village in kec_desa:
            town = village.code == kec_facts.town_desa or village.code.split(".")[-1][0] == "1"
            mode = "road" if town else fact.local_mode
            desa_point = (village.lat, village.lon) if village.lat is not None else kec_point
            code = f"{CODE_PREFIX}2-{short}-{village.code[-4:]}"
            rng = _rng(code)
            hours = _hours(kec_point, desa_point, mode, extra=0.5)
            # The PPK counts and sorts the boxes by desa before sending them on.
            sorting = SORTING_HOURS if remote else 2
            departure = _slot(first.planned_arrival + dt.timedelta(hours=sorting))
            notes = ""
            waits = shortage.kecamatan == fact.kecamatan and shortage.desa == village.code
            if waits:
                # Held back at the PPK until the missing ballots are replaced (H-1 afternoon),
                # then a long upriver run at low water.
                departure = _local(shortage.onward_departure_local)
                hours = max(hours, shortage.onward_hours)
                notes = _("Menunggu penggantian %(n)s surat suara yang kurang di PPK.") % {
                    "n": shortage.missing
                }
            second = _Leg(
                code=code,
                stage=Stage.PPK_TO_PPS,
                origin=fact.kecamatan,
                destination=village.code,
                tps=None,
                mode=mode,
                carrier=f"PPK {kec.name}",
                escort=f"Bhabinkamtibmas dan Babinsa {village.name}",
                planned_departure=departure,
                planned_arrival=departure + dt.timedelta(hours=hours),
                start=kec_point,
                end=desa_point,
                tps_ids=[pk for pk, _n, _p in tps_by_desa[village.code]],
                notes=notes,
                handed_by=f"Ketua PPK {kec.name}",
                received_by=f"Ketua PPS {village.name}",
                upstream=first,
            )
            if first.handover_at is not None and not waits:
                ready = first.handover_at + dt.timedelta(minutes=30)
                second.departs = max(departure, ready) + dt.timedelta(minutes=rng.randint(5, 25))
                pace = rng.uniform(*PACE[mode])
                second.arrives = _after(second.departs, hours * pace)
                second.handover_at = _receiving_time(second.arrives, rng)
            legs.append(second)

            for pk, number, point in tps_by_desa[village.code]:
                point = point or desa_point
                tps_mode = "foot" if remote and not town and number > 1 else "road"
                code = f"{CODE_PREFIX}3-{short}-{village.code[-4:]}-{number:03d}"
                hours = _hours(desa_point, point, tps_mode, extra=0.5)
                earliest = _local(dt.datetime(2024, 11, 25 if remote else 26, 13 if remote else 7))
                departure = max(earliest, _slot(second.planned_arrival + dt.timedelta(hours=1)))
                if waits:  # the replacement goes on at once, at night if need be, escorted
                    departure = second.planned_arrival + dt.timedelta(hours=1)
                third = _Leg(
                    code=code,
                    stage=Stage.PPS_TO_KPPS,
                    origin=village.code,
                    destination=village.code,
                    tps=pk,
                    mode=tps_mode,
                    carrier=f"PPS {village.name}",
                    escort=f"Linmas TPS {number:03d}",
                    planned_departure=departure,
                    planned_arrival=departure + dt.timedelta(hours=hours),
                    start=desa_point,
                    end=point,
                    tps_ids=[pk],
                    handed_by=f"Ketua PPS {village.name}",
                    received_by=f"Ketua KPPS TPS {number:03d} {village.name}",
                    upstream=second,
                )
                if third.planned_arrival > target:
                    raise DomainError(
                        _("Rencana %(code)s tiba setelah H-1.") % {"code": third.code}
                    )
                if second.handover_at is not None:
                    # Played later than H-3 (``siaga demo --voting-day``) the last legs run too.
                    rng = _rng(code)
                    ready = second.handover_at + dt.timedelta(minutes=30)
                    third.departs = max(departure, ready) + dt.timedelta(minutes=rng.randint(5, 25))
                    third.arrives = _after(third.departs, hours * rng.uniform(*PACE[tps_mode]))
                    third.handover_at = _receiving_time(third.arrives, rng)
                legs.append(third)
    return legs


def _state_at(leg: _Leg, now: dt.datetime) -> None:
    """Status, actual times and last known position of ``leg`` at ``now``."""
    rng = _rng(leg.code + ":state")
    if leg.departs is None or leg.departs > now:
        upstream = leg.upstream
        upstream_ready = upstream is None or (
            upstream.handover_at is not None and upstream.handover_at <= now
        )
        soon = leg.planned_departure - dt.timedelta(minutes=LOADING_MINUTES) <= now
        leg.status = ShipmentStatus.LOADING if upstream_ready and soon else ShipmentStatus.PLANNED
        return
    leg.actual_departure = leg.departs
    if leg.arrives is None or leg.arrives > now:
        leg.status = ShipmentStatus.IN_TRANSIT
        if leg.held_at is not None:
            fraction = leg.held_at
            seen = now - dt.timedelta(minutes=rng.randint(90, 150))
        else:
            seen = max(leg.departs, now - dt.timedelta(minutes=rng.randint(5, 40)))
            fraction = (seen - leg.departs) / (leg.arrives - leg.departs)
        leg.last_lat, leg.last_lon = _round_point(
            leg.start[0] + (leg.end[0] - leg.start[0]) * fraction,
            leg.start[1] + (leg.end[1] - leg.start[1]) * fraction,
        )
        leg.last_position_at = seen
        return
    leg.actual_arrival = leg.arrives
    leg.last_lat, leg.last_lon = _round_point(*leg.end)
    if leg.handover_at is not None and leg.handover_at <= now:
        leg.status = ShipmentStatus.HANDED_OVER
        leg.last_position_at = leg.handover_at
    else:
        leg.status = ShipmentStatus.ARRIVED
        leg.last_position_at = leg.arrives


# --- writing --------------------------------------------------------------------------------

SHIPMENT_FIELDS = (
    "stage",
    "origin_region_id",
    "destination_region_id",
    "destination_tps_id",
    "mode",
    "carrier",
    "escort",
    "planned_departure",
    "planned_arrival",
    "actual_departure",
    "actual_arrival",
    "status",
    "last_lat",
    "last_lon",
    "last_position_at",
    "notes",
)


def _shipment_values(leg: _Leg) -> dict:
    return {
        "stage": leg.stage,
        "origin_region_id": leg.origin,
        "destination_region_id": leg.destination,
        "destination_tps_id": leg.tps,
        "mode": leg.mode,
        "carrier": leg.carrier,
        "escort": leg.escort,
        "planned_departure": leg.planned_departure,
        "planned_arrival": leg.planned_arrival,
        "actual_departure": leg.actual_departure,
        "actual_arrival": leg.actual_arrival,
        "status": leg.status,
        "last_lat": leg.last_lat,
        "last_lon": leg.last_lon,
        "last_position_at": leg.last_position_at,
        "notes": leg.notes,
    }


def _shipments_write(legs: list[_Leg], summary: LogisticsDemoSummary) -> dict[str, Shipment]:
    existing = {s.code: s for s in Shipment.objects.filter(code__startswith=CODE_PREFIX)}
    to_create, to_update, changed_fields = [], [], set()
    for leg in legs:
        values = _shipment_values(leg)
        shipment = existing.get(leg.code)
        if shipment is None:
            shipment = Shipment(code=leg.code, **values)
            to_create.append(shipment)
            existing[leg.code] = shipment
            continue
        changed = {n for n, v in values.items() if getattr(shipment, n) != v}
        if changed:
            for name in changed:
                setattr(shipment, name, values[name])
            changed_fields |= changed
            to_update.append(shipment)
    Shipment.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        fields = [n for n in SHIPMENT_FIELDS if n in changed_fields]
        Shipment.objects.bulk_update(to_update, fields, batch_size=200)
    summary.created += len(to_create)
    summary.updated += len(to_update)
    return existing


def _lines_write(
    legs: list[_Leg],
    shipments: dict[str, Shipment],
    needs: dict[int, dict[int, int]],
    summary: LogisticsDemoSummary,
) -> dict[str, dict[tuple[int, int], int]]:
    """Per TPS, every item its rule asks for; returns the contents by shipment code."""
    wanted: dict[int, dict[tuple[int, int], int]] = {}
    contents: dict[str, dict[tuple[int, int], int]] = {}
    for leg in legs:
        lines = {
            (item_id, tps_id): quantity
            for tps_id in leg.tps_ids
            for item_id, quantity in needs[tps_id].items()
        }
        wanted[shipments[leg.code].pk] = lines
        contents[leg.code] = lines
    existing: dict[tuple[int, int, int], tuple[int, int]] = {
        (shipment_id, item_id, tps_id): (pk, quantity)
        for pk, shipment_id, item_id, tps_id, quantity in ShipmentLine.objects.filter(
            shipment_id__in=list(wanted)
        ).values_list("pk", "shipment_id", "item_id", "tps_id", "quantity")
    }
    to_create, to_update = [], []
    seen = set()
    for shipment_id, lines in wanted.items():
        for (item_id, tps_id), quantity in lines.items():
            key = (shipment_id, item_id, tps_id)
            seen.add(key)
            found = existing.get(key)
            if found is None:
                to_create.append(
                    ShipmentLine(
                        shipment_id=shipment_id, item_id=item_id, tps_id=tps_id, quantity=quantity
                    )
                )
            elif found[1] != quantity:
                to_update.append(ShipmentLine(pk=found[0], quantity=quantity))
    stale = [pk for key, (pk, _q) in existing.items() if key not in seen]
    ShipmentLine.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        ShipmentLine.objects.bulk_update(to_update, ["quantity"], batch_size=500)
    if stale:
        ShipmentLine.objects.filter(pk__in=stale).delete()
    summary.created += len(to_create)
    summary.updated += len(to_update)
    summary.deleted += len(stale)
    return contents


HANDOVER_FIELDS = ("shipment_id", "received_at", "lat", "lon", "handed_by", "received_by")


def _handovers_write(
    legs: list[_Leg],
    shipments: dict[str, Shipment],
    contents: dict[str, dict[tuple[int, int], int]],
    *,
    recorder: User,
    shortage_key: tuple[str, int, int],
    summary: LogisticsDemoSummary,
) -> Handover | None:
    """One handover per leg handed over, its counts matching the contents except the shortage;
    returns the handover where the shortage was found."""
    wanted: dict[str, tuple[_Leg, list[tuple[int, int, int, int, int]]]] = {}
    for leg in legs:
        if leg.status != ShipmentStatus.HANDED_OVER:
            continue
        lines = []
        for (item_id, tps_id), quantity in sorted(contents[leg.code].items()):
            missing = 0
            if (leg.code, item_id, tps_id) == shortage_key:
                missing = min(quantity, facts.SHORTAGE.missing)
            lines.append((item_id, tps_id, quantity - missing, 0, missing))
        wanted[HANDOVER_KEY_PREFIX + leg.code] = (leg, lines)

    existing = {
        h.idempotency_key: h
        for h in Handover.objects.filter(idempotency_key__startswith=HANDOVER_KEY_PREFIX + "KTM")
    }
    stale = [h.pk for key, h in existing.items() if key not in wanted]
    if stale:
        ReplacementRequest.objects.filter(handover_id__in=stale).delete()
        HandoverLine.objects.filter(handover_id__in=stale).delete()
        Handover.objects.filter(pk__in=stale).delete()
        summary.deleted += len(stale)
    to_create, to_update = [], []
    for key, (leg, _lines) in wanted.items():
        values = {
            "shipment_id": shipments[leg.code].pk,
            "received_at": leg.handover_at,
            "lat": leg.end[0],
            "lon": leg.end[1],
            "handed_by": leg.handed_by,
            "received_by": leg.received_by,
        }
        handover = existing.get(key)
        if handover is None:
            handover = Handover(idempotency_key=key, recorded_by=recorder, **values)
            to_create.append(handover)
            existing[key] = handover
        elif any(getattr(handover, n) != v for n, v in values.items()):
            for name, value in values.items():
                setattr(handover, name, value)
            to_update.append(handover)
    Handover.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Handover.objects.bulk_update(to_update, list(HANDOVER_FIELDS), batch_size=200)
    summary.created += len(to_create)
    summary.updated += len(to_update)

    ids = {existing[key].pk: key for key in wanted}
    stored: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for row in HandoverLine.objects.filter(handover_id__in=list(ids)).values_list(
        "handover_id", "item_id", "tps_id", "received", "damaged", "missing"
    ):
        stored[row[0]].append(tuple(row[1:]))
    redo = [pk for pk, key in ids.items() if sorted(stored[pk]) != wanted[key][1]]
    if redo:
        fresh = [pk for pk in redo if stored[pk]]
        if fresh:
            HandoverLine.objects.filter(handover_id__in=fresh).delete()
            summary.updated += len(fresh)
        HandoverLine.objects.bulk_create(
            (
                HandoverLine(
                    handover_id=pk,
                    item_id=item_id,
                    tps_id=tps_id,
                    received=received,
                    damaged=damaged,
                    missing=missing,
                )
                for pk in redo
                for item_id, tps_id, received, damaged, missing in wanted[ids[pk]][1]
            ),
            batch_size=2000,
        )
        summary.created += sum(len(wanted[ids[pk]][1]) for pk in redo)
    return existing.get(HANDOVER_KEY_PREFIX + shortage_key[0])


def _replacement_write(
    *,
    handover: Handover,
    item: ItemType,
    tps: Tps,
    agency: Agency,
    summary: LogisticsDemoSummary,
) -> ReplacementRequest:
    from siaga.logistics.services import replacement_deadline

    values = {
        "shipment_id": handover.shipment_id,
        "region_id": tps.desa_id,
        "quantity": facts.SHORTAGE.missing,
        "assigned_agency_id": agency.pk,
        "deadline": replacement_deadline(handover.received_at),
    }
    request = ReplacementRequest.objects.filter(
        handover=handover, item=item, tps=tps, reason=ReplacementReason.KEKURANGAN
    ).first()
    if request is None:
        request = ReplacementRequest.objects.create(
            handover=handover,
            item=item,
            tps=tps,
            reason=ReplacementReason.KEKURANGAN,
            status=ReplacementStatus.OPEN,
            **values,
        )
        summary.created += 1
    elif any(getattr(request, n) != v for n, v in values.items()):
        for name, value in values.items():
            setattr(request, name, value)
        request.save(update_fields=list(values))
        summary.updated += 1
    return request


# --- the service ----------------------------------------------------------------------------


def logistics_demo_load(
    *, context: AuditContext, now: dt.datetime, recorder: User | None = None
) -> LogisticsDemoSummary:
    """Write (or bring up to date) the demo's distribution plan and its state at ``now``.

    Needs the demo's regions, TPS, the KPU agency and the user who records handovers
    (``recorder``, by default the demo's KPU liaison ``kpu.logistik``). Seeds the item catalogue
    and its rules first (``catalogue_seed``) and computes every line from the active rules.
    """
    if now.tzinfo is None:
        raise DomainError("now must be timezone-aware")
    summary = LogisticsDemoSummary(now=now)
    with transaction.atomic():
        catalogue_seed(context=context)
        recorder = recorder or User.objects.filter(username=KPU_USERNAME).first()
        agency = Agency.objects.filter(code=KPU_AGENCY).first()
        if recorder is None or agency is None:
            raise DomainError(
                _("Demo logistik memerlukan instansi KPU dan pengguna %(user)s.")
                % {"user": KPU_USERNAME}
            )
        regency = facts.REGENCY_CODE
        kecamatan = {
            r.code: r
            for r in Region.objects.filter(level=Level.DISTRICT, parent_id=regency).defer(
                "boundary"
            )
        }
        desa = {
            r.code: r
            for r in Region.objects.filter(
                level=Level.VILLAGE, parent_id__in=list(kecamatan)
            ).defer("boundary")
        }
        tps_rows = list(
            Tps.objects.filter(desa_id__in=list(desa))
            .order_by("desa_id", "number")
            .values_list("pk", "desa_id", "number", "lat", "lon", "dpt_male", "dpt_female")
        )
        if not tps_rows:
            raise DomainError(_("Demo logistik memerlukan TPS Kutai Timur; muat demo dulu."))
        items = {i.code: i for i in ItemType.objects.all()}
        from siaga.logistics.selectors import rules_active

        by_code = requirements({row[0]: row[5] + row[6] for row in tps_rows}, rules_active())
        needs = {
            tps_id: {items[code].pk: qty for code, qty in quantities.items() if qty > 0}
            for tps_id, quantities in by_code.items()
        }

        legs = _plan(
            regency=regency,
            kecamatan=kecamatan,
            desa=desa,
            tps_rows=[row[:5] for row in tps_rows],
        )
        for leg in legs:
            _state_at(leg, now)

        shortage = facts.SHORTAGE
        short_tps = Tps.objects.select_related("desa").get(
            desa_id=shortage.desa, number=shortage.tps_number
        )
        short_item = items[shortage.item]
        short_code = f"{CODE_PREFIX}1-{shortage.kecamatan[-2:]}"
        short_leg = next(leg for leg in legs if leg.code == short_code)
        if short_leg.status != ShipmentStatus.HANDED_OVER:
            raise DomainError(
                _("Rencana demo: pengiriman %(code)s belum diserahterimakan pada %(now)s.")
                % {"code": short_code, "now": now.astimezone(WITA)}
            )

        shipments = _shipments_write(legs, summary)
        contents = _lines_write(legs, shipments, needs, summary)
        handover = _handovers_write(
            legs,
            shipments,
            contents,
            recorder=recorder,
            shortage_key=(short_code, short_item.pk, short_tps.pk),
            summary=summary,
        )
        request = _replacement_write(
            handover=handover, item=short_item, tps=short_tps, agency=agency, summary=summary
        )
        _summary_fill(summary, legs, contents, recorder=recorder, now=now)
        summary.shortage = _(
            "%(item)s kurang %(n)s lembar untuk TPS %(tps)03d %(desa)s, ditemukan saat serah "
            "terima %(code)s di PPK; permintaan penggantian ke %(agency)s, tenggat %(deadline)s."
        ) % {
            "item": short_item.name,
            "n": request.quantity,
            "tps": short_tps.number,
            "desa": short_tps.desa.name,
            "code": short_code,
            "agency": agency.name,
            "deadline": f"{request.deadline.astimezone(WITA):%d-%m-%Y %H:%M} WITA",
        }
        summary.replacement_deadline = request.deadline
        if summary.changed:
            audit_record(
                context=context,
                action="demo.logistics",
                object_type="logistics.shipment",
                object_id=regency,
                object_repr=facts.ELECTION_NAME,
                region_code=regency,
                after=summary_audit(summary),
            )
    return summary


def _summary_fill(
    summary: LogisticsDemoSummary,
    legs: list[_Leg],
    contents: dict[str, dict[tuple[int, int], int]],
    *,
    recorder: User,
    now: dt.datetime,
) -> None:
    summary.shipments = len(legs)
    summary.lines = sum(len(lines) for lines in contents.values())
    summary.handovers = sum(1 for leg in legs if leg.status == ShipmentStatus.HANDED_OVER)
    summary.by_status = dict(Counter(leg.status for leg in legs))
    summary.by_stage = dict(Counter(leg.stage for leg in legs))
    at_risk_fill(summary, recorder=recorder, now=now)
    summary.tps_by_vulnerability = dict(
        Counter(
            Tps.objects.filter(desa__code__startswith=facts.REGENCY_CODE + ".").values_list(
                "vulnerability", flat=True
            )
        )
    )


def summary_audit(summary: LogisticsDemoSummary) -> dict:
    """The figures of a run, as recorded in the audit trail."""
    return {
        "now": summary.now,
        "shipments": summary.shipments,
        "lines": summary.lines,
        "handovers": summary.handovers,
        "by_status": summary.by_status,
        "at_risk": len(summary.at_risk),
        "created": summary.created,
        "updated": summary.updated,
        "deleted": summary.deleted,
    }


def at_risk_fill(summary: LogisticsDemoSummary, *, recorder: User | None = None, now) -> None:
    """The shipments late or predicted to miss H-1, ranked as the at-risk list ranks them (by
    the TPS's vulnerability, which the risk index sets): filled again once the demo's index
    has been computed with every module's signals."""
    from siaga.logistics.selectors import shipments_at_risk

    recorder = recorder or User.objects.filter(username=KPU_USERNAME).first()
    rows = shipments_at_risk(user=recorder, region=facts.REGENCY_CODE, now=now)
    summary.at_risk = [row.shipment.code for row in rows]
    summary.predicted_to_miss = [row.shipment.code for row in rows if row.prediction.at_risk]
    summary.late = [row.shipment.code for row in rows if row.prediction.late]
    summary.at_risk_remote = [
        row.shipment.code
        for row in rows
        if row.shipment.destination_region_id[:8] in facts.REMOTE_KECAMATAN
    ]
