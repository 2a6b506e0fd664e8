"""Reads of election logistics, always through the user's scope.

A shipment belongs to the region of its destination (kecamatan, desa, or the desa of its TPS):
a user sees it when the scope covers that region. Field monitors see only shipments to the
places they are assigned: the destination in their scope and, for the KPPS leg, one of their
assigned TPS when they have some. Anything outside the scope raises ``NotFound`` (404).

Requirements are never stored: they come from the current DPT and the active rules through
``siaga.engines.logistics`` on every read.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum

from siaga.core import clock
from siaga.core.permissions import Action, can, user_scope
from siaga.engines.logistics import (
    LegHistory,
    Movement,
    OpenLeg,
    Prediction,
    Reconciliation,
    Rule,
    TpsInfo,
    predict,
    rank_at_risk,
    reconcile,
    required_quantity,
)
from siaga.logistics.choices import OPEN_STATUSES, ShipmentStatus, Stage
from siaga.logistics.models import (
    HandoverLine,
    ItemType,
    ReplacementRequest,
    RequirementRule,
    Shipment,
    ShipmentLine,
)
from siaga.logistics.services import STAGE_RANK, end_of_h_minus_1, normalise_shipment_code
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps
from siaga.wilayah.selectors import NotFound, tps_under

__all__ = [
    "NotFound",
    "AtRiskRow",
    "logistics_layer",
    "reconciliation_for",
    "replacements_visible",
    "requirements_for_tps",
    "rules_active",
    "shipment_get",
    "shipments_at_risk",
    "shipments_under",
    "shipments_visible",
]

VULNERABILITY_ORDER = {"sangat_rawan": 3, "rawan": 2, "aman": 1, "": 0}
MIN_HISTORY = 3
# Statuses after which the KPU → PPK leg counts as dispatched to its TPS.
DEPARTED = (
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.ARRIVED,
    ShipmentStatus.HANDED_OVER,
)


# --- shipments ----------------------------------------------------------------------------------


def shipments_visible(*, user) -> QuerySet[Shipment]:
    """Shipments whose destination the user's scope covers (field monitors: their places)."""
    base = Shipment.objects.select_related(
        "origin_region", "destination_region", "destination_tps"
    ).defer("origin_region__boundary", "destination_region__boundary")
    if can(user, Action.VIEW):
        return base.filter(user_scope(user).q("destination_region__code"))
    if can(user, Action.SUBMIT_FIELD):
        scope = user_scope(user)
        condition = scope.q("destination_region__code")
        if scope.tps_ids is not None:
            condition &= Q(destination_tps__isnull=True) | Q(
                destination_tps__in=sorted(scope.tps_ids)
            )
        return base.filter(condition)
    return base.none()


def shipments_under(qs: QuerySet[Shipment], region_code: str | None) -> QuerySet[Shipment]:
    """Narrow to shipments whose destination is ``region_code`` or lies under it."""
    if not region_code:
        return qs
    return qs.filter(
        Q(destination_region__code=region_code)
        | Q(destination_region__code__startswith=region_code + ".")
    )


def shipment_get(*, user, code: str) -> Shipment:
    """One shipment by its short code (``KT-`` prefix and case ignored); ``NotFound`` outside
    the scope."""
    shipment = shipments_visible(user=user).filter(code=normalise_shipment_code(code)).first()
    if shipment is None:
        raise NotFound
    return shipment


# --- requirements -------------------------------------------------------------------------------


def rules_active() -> list[Rule]:
    """The active requirement rules as engine rules (one query)."""
    return [
        Rule(item=code, kind=kind, params=params)
        for code, kind, params in RequirementRule.objects.filter(active=True)
        .order_by("item__sort_order", "item__code")
        .values_list("item__code", "kind", "params")
    ]


def requirements_for_tps(*, tps: Tps) -> dict[str, int]:
    """``{item code: quantity}`` one TPS needs, from its current DPT and the active rules."""
    return {rule.item: required_quantity(rule, tps.dpt_total) for rule in rules_active()}


# --- reconciliation -----------------------------------------------------------------------------


def _prefix_q(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def reconciliation_for(*, user, region: Region) -> Reconciliation:
    """Required vs dispatched vs received vs damaged over the TPS the user sees under
    ``region``, per TPS and rolled up per desa and kecamatan.

    Planned: the quantities, per TPS, of the KPU → PPK shipments of the plan (any status but
    returned); dispatched: those of them that have departed (in transit, arrived or handed
    over). Received, damaged and missing: the handover lines of
    the most advanced leg handed over for that TPS and item (KPPS over PPS over PPK), so a box
    counted at the kecamatan and again at the TPS is counted once, where it ended up.
    """
    tps_rows = list(
        tps_under(user=user, region=region).values_list(
            "pk", "desa_id", "desa__parent_id", "dpt_male", "dpt_female"
        )
    )
    tps = [TpsInfo(pk, desa, kec, male + female) for pk, desa, kec, male, female in tps_rows]
    ids = {row[0] for row in tps_rows}
    dispatched: dict[tuple[int, str], int] = defaultdict(int)
    planned: dict[tuple[int, str], int] = defaultdict(int)
    lines = (
        ShipmentLine.objects.filter(
            _prefix_q("tps__desa__code", region.code),
            shipment__stage=Stage.KPU_TO_PPK,
            tps__isnull=False,
        )
        .exclude(shipment__status=ShipmentStatus.RETURNED)
        .values("tps_id", "item__code", "shipment__status")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    for row in lines:
        if row["tps_id"] in ids:
            key = (row["tps_id"], row["item__code"])
            planned[key] += row["quantity"]
            if row["shipment__status"] in DEPARTED:
                dispatched[key] += row["quantity"]

    best: dict[tuple[int, str], tuple[int, list[int]]] = {}
    handed = (
        HandoverLine.objects.filter(handover__shipment__status=ShipmentStatus.HANDED_OVER)
        .filter(
            _prefix_q("tps__desa__code", region.code)
            | Q(tps__isnull=True)
            & _prefix_q("handover__shipment__destination_tps__desa__code", region.code)
        )
        .values_list(
            "tps_id",
            "handover__shipment__destination_tps_id",
            "handover__shipment__stage",
            "item__code",
            "received",
            "damaged",
            "missing",
        )
    )
    for tps_id, dest_tps, stage, item, received, damaged, missing in handed:
        tps_id = tps_id or dest_tps
        if tps_id not in ids:
            continue
        rank = STAGE_RANK[Stage(stage)]
        key = (tps_id, item)
        current = best.get(key)
        if current is None or rank > current[0]:
            best[key] = (rank, [received, damaged, missing])
        elif rank == current[0]:  # two legs of the same stage: both count
            sums = current[1]
            sums[0] += received
            sums[1] += damaged
            sums[2] += missing
    movements = []
    for key in set(planned) | set(best):
        counts = best.get(key, (0, [0, 0, 0]))[1]
        movements.append(
            Movement(key[0], key[1], dispatched.get(key, 0), *counts, planned=planned.get(key, 0))
        )
    ballots = list(ItemType.objects.filter(is_ballot=True).values_list("code", flat=True))
    return reconcile(tps, rules_active(), movements, ballots, total_code=region.code)


# --- delay risk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AtRiskRow:
    shipment: Shipment
    prediction: Prediction
    voters: int
    vulnerability: str


def route_key(shipment: Shipment) -> str:
    """``origin→destination`` by region code, with the TPS number on the KPPS leg."""
    key = f"{shipment.origin_region_id}→{shipment.destination_region_id}"
    if shipment.destination_tps_id:
        key += f"/{shipment.destination_tps_id}"
    return key


def _history() -> list[LegHistory]:
    rows = Shipment.objects.filter(
        actual_departure__isnull=False, actual_arrival__isnull=False
    ).values_list(
        "mode",
        "origin_region_id",
        "destination_region_id",
        "destination_tps_id",
        "planned_departure",
        "planned_arrival",
        "actual_departure",
        "actual_arrival",
    )
    history = []
    for mode, origin, dest, tps, pdep, parr, adep, aarr in rows:
        route = f"{origin}→{dest}" + (f"/{tps}" if tps else "")
        history.append(
            LegHistory(
                mode,
                route,
                (parr - pdep).total_seconds(),
                (aarr - adep).total_seconds(),
            )
        )
    return history


def _downstream_seconds() -> dict[str, float]:
    """Per stage, the planned time still needed after it: medians of the later stages."""
    durations: dict[str, list[float]] = defaultdict(list)
    for stage, pdep, parr in Shipment.objects.values_list(
        "stage", "planned_departure", "planned_arrival"
    ):
        durations[stage].append((parr - pdep).total_seconds())
    median = {stage: statistics.median(values) for stage, values in durations.items()}
    order = [Stage.KPU_TO_PPK, Stage.PPK_TO_PPS, Stage.PPS_TO_KPPS]
    return {
        stage: sum(median.get(later, 0.0) for later in order[index + 1 :])
        for index, stage in enumerate(order)
    }


def _voters_and_vulnerability(user, region_code: str | None):
    """DPT and the worst vulnerability per TPS, desa and kecamatan the user sees (one query)."""
    from siaga.wilayah.selectors import tps_visible

    qs = tps_visible(user=user)
    if region_code:
        qs = qs.filter(_prefix_q("desa__code", region_code))
    voters: dict[object, int] = defaultdict(int)
    worst: dict[object, str] = {}
    for pk, desa, male, female, vulnerability in qs.values_list(
        "pk", "desa_id", "dpt_male", "dpt_female", "vulnerability"
    ):
        kecamatan = desa.rsplit(".", 1)[0]
        for key in (("tps", pk), desa, kecamatan):
            voters[key] += male + female
            if VULNERABILITY_ORDER.get(vulnerability, 0) > VULNERABILITY_ORDER.get(
                worst.get(key, ""), 0
            ):
                worst[key] = vulnerability
            else:
                worst.setdefault(key, "")
    return voters, worst


def _destination_key(shipment: Shipment):
    if shipment.destination_tps_id:
        return ("tps", shipment.destination_tps_id)
    return shipment.destination_region_id


def _predictions(user, region_code: str | None, now: dt.datetime | None, qs=None):
    """Open shipments the user sees (under ``region_code``) with their legs and predictions."""
    deadline = end_of_h_minus_1()
    if deadline is None:
        return {}, [], []
    now = now or clock.now()
    if qs is None:
        qs = shipments_under(shipments_visible(user=user), region_code)
    shipments = {s.pk: s for s in qs.filter(status__in=OPEN_STATUSES)}
    if not shipments:
        return {}, [], []
    voters, worst = _voters_and_vulnerability(user, region_code)
    downstream = _downstream_seconds()
    legs = []
    for shipment in shipments.values():
        key = _destination_key(shipment)
        legs.append(
            OpenLeg(
                id=shipment.pk,
                mode=shipment.mode,
                route=route_key(shipment),
                planned_departure=shipment.planned_departure,
                planned_arrival=shipment.planned_arrival,
                actual_departure=shipment.actual_departure,
                deadline=deadline,
                vulnerability=worst.get(key, ""),
                voters=voters.get(key, 0),
                downstream_seconds=downstream.get(shipment.stage, 0.0),
            )
        )
    predictions = predict(legs, _history(), now, min_history=MIN_HISTORY)
    return shipments, legs, predictions


def shipments_at_risk(
    *, user, region: Region | str | None = None, now: dt.datetime | None = None
) -> list[AtRiskRow]:
    """Open shipments predicted to miss H-1 at their TPS, or already late, ranked: very
    vulnerable destinations first, then rawan, then the rest; within each, most voters first.

    Empty when no deployment (and so no voting day) is configured.
    """
    code = region.code if isinstance(region, Region) else region
    shipments, legs, predictions = _predictions(user, code, now)
    by_leg = {leg.id: leg for leg in legs}
    return [
        AtRiskRow(
            shipment=shipments[p.id],
            prediction=p,
            voters=by_leg[p.id].voters,
            vulnerability=by_leg[p.id].vulnerability,
        )
        for p in rank_at_risk(legs, predictions)
    ]


def predictions_by_shipment(
    *, user, region: Region | str | None = None, now: dt.datetime | None = None
) -> dict[int, Prediction]:
    """A prediction for every open shipment the user sees (under ``region``), by shipment id."""
    code = region.code if isinstance(region, Region) else region
    _shipments, _legs, predictions = _predictions(user, code, now)
    return {p.id: p for p in predictions}


# --- replacements -------------------------------------------------------------------------------


def replacements_visible(*, user) -> QuerySet[ReplacementRequest]:
    """Replacement requests of shipments the user sees, earliest deadline first."""
    return (
        ReplacementRequest.objects.filter(shipment__in=shipments_visible(user=user).values("pk"))
        .select_related("shipment", "item", "tps", "region", "assigned_agency")
        .defer("region__boundary")
        .order_by("deadline", "pk")
    )


# --- map layer ----------------------------------------------------------------------------------


def logistics_layer(*, user, region: Region, now: dt.datetime | None = None) -> dict:
    """What the situation-room map draws for logistics under ``region``.

    ``regions``: per child region (kecamatan under a regency, desa under a kecamatan; the desa
    itself for a desa) the TPS count, TPS fully supplied and the percent. ``shipments``: those
    in transit with their last known position (null until a position is reported), code,
    destination, status, and whether they are late or at risk of missing H-1.
    """
    reconciliation = reconciliation_for(user=user, region=region)
    if region.level in (Level.PROVINCE, Level.REGENCY):
        rollups = reconciliation.by_kecamatan
        if region.level == Level.PROVINCE:
            rollups = _by_regency(reconciliation)
    elif region.level == Level.DISTRICT:
        rollups = reconciliation.by_desa
    else:
        rollups = {region.code: reconciliation.total}
    names = dict(Region.objects.filter(code__in=list(rollups)).values_list("code", "name"))
    regions = [
        {
            "code": code,
            "name": names.get(code, code),
            "tps": rollup.tps,
            "tps_fully_supplied": rollup.tps_fully_supplied,
            "tps_ballot_short": rollup.tps_ballot_short,
            "percent_supplied": round(rollup.percent_supplied, 1),
        }
        for code, rollup in sorted(rollups.items())
    ]
    moving = shipments_under(shipments_visible(user=user), region.code).filter(
        status=ShipmentStatus.IN_TRANSIT
    )
    predictions = {p.id: p for p in _predictions(user, region.code, now, qs=moving)[2]}
    shipments = []
    for shipment in moving.order_by("planned_arrival", "code"):
        prediction = predictions.get(shipment.pk)
        shipments.append(
            {
                "code": shipment.code,
                "stage": shipment.stage,
                "status": shipment.status,
                "status_label": str(shipment.get_status_display()),
                "mode": shipment.mode,
                "lat": shipment.last_lat,
                "lon": shipment.last_lon,
                "position_at": shipment.last_position_at,
                "destination_code": shipment.destination_region_id,
                "destination_name": shipment.destination_region.name,
                "destination_tps": (
                    shipment.destination_tps.label if shipment.destination_tps_id else None
                ),
                "planned_arrival": shipment.planned_arrival,
                "predicted_arrival": prediction.predicted_arrival if prediction else None,
                "late": bool(prediction and prediction.late),
                "at_risk": bool(prediction and prediction.at_risk),
            }
        )
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "total": {
            "tps": reconciliation.total.tps,
            "tps_fully_supplied": reconciliation.total.tps_fully_supplied,
            "percent_supplied": round(reconciliation.total.percent_supplied, 1),
        },
        "regions": regions,
        "shipments": shipments,
    }


def _by_regency(reconciliation: Reconciliation):
    """Province view: sum kecamatan rollups into regencies (counts only, for colouring)."""
    from siaga.engines.logistics import Rollup

    out: dict[str, Rollup] = {}
    for code, rollup in reconciliation.by_kecamatan.items():
        regency = code.rsplit(".", 1)[0]
        acc = out.setdefault(regency, Rollup(code=regency))
        acc.tps += rollup.tps
        acc.tps_fully_supplied += rollup.tps_fully_supplied
        acc.tps_ballot_short += rollup.tps_ballot_short
        acc.voters += rollup.voters
    return out
