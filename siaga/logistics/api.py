"""API of election logistics (/api/v1/logistics/...).

Shipments (list, filter, detail), the field handover (idempotent: a retry with the same
idempotency key and body answers 200 with the handover already recorded), reconciliation per
region, the at-risk list, replacement requests and the map layer. Every endpoint reads through
``siaga.logistics.selectors``, which keep the user's scope: an object outside it answers 404.
"""

import datetime as dt
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.logistics import selectors, services
from siaga.logistics.choices import ShipmentStatus, Stage
from siaga.logistics.models import Handover, HandoverLine, ItemType, Shipment, ShipmentLine
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.api import SiagaPagination
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region

router = Router(tags=["logistics"])
PHOTO_PARAM = File(None, description="Photo of the signed handover document (JPEG, PNG, WebP).")


# --- Schemas ------------------------------------------------------------------------------------


class RegionRef(Schema):
    code: str = Field(description="Kemendagri code.")
    name: str = Field(description="Region name.")


class TpsRef(Schema):
    id: int = Field(description="TPS id.")
    label: str = Field(description="Display label, e.g. 'TPS 003'.")


class ShipmentOut(Schema):
    code: str = Field(description="Short code printed on the label and typed in the field.")
    stage: Stage = Field(description="kpu_ppk, ppk_pps or pps_kpps.")
    stage_label: str = Field(description="The stage in the user's language.")
    status: ShipmentStatus = Field(description="planned, loading, in_transit, arrived, ...")
    status_label: str = Field(description="The status in the user's language.")
    origin: RegionRef = Field(description="Where the leg starts.")
    destination: RegionRef = Field(description="Kecamatan, desa, or the desa of the TPS.")
    destination_tps: TpsRef | None = Field(description="The TPS of a KPPS leg, else null.")
    mode: str = Field(description="Transport mode (road, river_boat, speedboat, ...).")
    carrier: str = Field(description="Carrier.")
    escort: str = Field(description="Escort (police/TNI), empty when none.")
    planned_departure: dt.datetime = Field(description="Planned departure.")
    planned_arrival: dt.datetime = Field(description="Planned arrival.")
    actual_departure: dt.datetime | None = Field(description="Actual departure, when departed.")
    actual_arrival: dt.datetime | None = Field(description="Actual arrival, when arrived.")
    last_lat: float | None = Field(description="Last known latitude.")
    last_lon: float | None = Field(description="Last known longitude.")
    last_position_at: dt.datetime | None = Field(description="When the last position was sent.")

    @staticmethod
    def resolve_stage_label(obj: Shipment) -> str:
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_status_label(obj: Shipment) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_origin(obj: Shipment) -> dict:
        return {"code": obj.origin_region.code, "name": obj.origin_region.name}

    @staticmethod
    def resolve_destination(obj: Shipment) -> dict:
        return {"code": obj.destination_region.code, "name": obj.destination_region.name}

    @staticmethod
    def resolve_destination_tps(obj: Shipment) -> dict | None:
        tps = obj.destination_tps
        return {"id": tps.pk, "label": tps.label} if tps else None


class ShipmentLineOut(Schema):
    item: str = Field(description="Item code.")
    item_name: str = Field(description="Item name.")
    unit: str = Field(description="Unit (lembar, buah, ...).")
    tps: TpsRef | None = Field(description="The TPS the quantity is packed for, if any.")
    quantity: int = Field(description="Quantity dispatched.")


class HandoverLineOut(Schema):
    item: str = Field(description="Item code.")
    tps_id: int | None = Field(description="TPS id the counts are for, if any.")
    received: int = Field(description="Received (damaged ones included).")
    damaged: int = Field(description="Of those received, unusable.")
    missing: int = Field(description="Found short against the document.")


class ReplacementOut(Schema):
    id: int = Field(description="Replacement request id.")
    shipment: str = Field(description="Code of the shipment where the discrepancy was found.")
    item: str = Field(description="Item code.")
    item_name: str = Field(description="Item name.")
    tps: TpsRef | None = Field(description="The TPS short of it, if known.")
    region: RegionRef = Field(description="Where it is needed (desa of the TPS, or destination).")
    quantity: int = Field(description="How many to replace.")
    reason: str = Field(description="kekurangan (shortage) or kerusakan (damage).")
    reason_label: str = Field(description="The reason in the user's language.")
    assigned_agency: str = Field(description="Name of the KPU office responsible.")
    deadline: dt.datetime = Field(description="By when: received + 12 h, at the latest H-1 23:59.")
    status: str = Field(description="open, in_progress, fulfilled or cancelled.")

    @staticmethod
    def resolve_shipment(obj) -> str:
        return obj.shipment.code

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj) -> str:
        return obj.item.name

    @staticmethod
    def resolve_tps(obj) -> dict | None:
        return {"id": obj.tps.pk, "label": obj.tps.label} if obj.tps_id else None

    @staticmethod
    def resolve_region(obj) -> dict:
        return {"code": obj.region.code, "name": obj.region.name}

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display())

    @staticmethod
    def resolve_assigned_agency(obj) -> str:
        return obj.assigned_agency.name


class HandoverOut(Schema):
    id: int = Field(description="Handover id.")
    shipment: str = Field(description="Shipment code.")
    created: bool = Field(description="False when this answers a retry of a recorded handover.")
    received_at: dt.datetime = Field(description="When the handover took place.")
    handed_by: str = Field(description="Who handed over.")
    received_by: str = Field(description="Who received.")
    lat: float | None = Field(description="GPS latitude at the handover.")
    lon: float | None = Field(description="GPS longitude at the handover.")
    has_photo: bool = Field(description="Whether a photo of the handover document was sent.")
    lines: list[HandoverLineOut] = Field(description="Counts per item (and TPS).")
    replacements: list[ReplacementOut] = Field(description="Replacement requests it opened.")
    warnings: list[str] = Field(description="Things to tell the user (e.g. no KPU office found).")


class ShipmentDetailOut(ShipmentOut):
    notes: str = Field(description="Notes.")
    lines: list[ShipmentLineOut] = Field(description="Contents: item × quantity (per TPS).")
    handovers: list[HandoverOut] = Field(description="Handovers recorded for this shipment.")

    @staticmethod
    def resolve_lines(obj) -> list[dict]:
        return obj.lines_out

    @staticmethod
    def resolve_handovers(obj) -> list[dict]:
        return obj.handovers_out


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. lines[0].received.")


class ShipmentFilters(Schema):
    status: ShipmentStatus | None = Field(None, description="Only shipments with this status.")
    stage: Stage | None = Field(None, description="Only shipments of this stage.")
    region: str | None = Field(None, description="Only shipments to this region or under it.")
    at_risk: bool | None = Field(
        None, description="true: only shipments late or at risk of missing H-1; false: the rest."
    )


class HandoverForm(Schema):
    shipment_code: str = Field(description="The code on the label (KT- prefix optional).")
    idempotency_key: str = Field(
        description="A key the client makes once per handover (e.g. a UUID) and sends again "
        "unchanged on every retry; at most 64 characters."
    )
    received_at: dt.datetime = Field(
        description="When the handover took place (ISO 8601; without an offset: WITA)."
    )
    handed_by: str = Field(description="Name of who handed over.")
    received_by: str = Field(description="Name of who received.")
    lines: str = Field(
        description='JSON list of counts: [{"item": "surat_suara_bupati", "tps_id": 12, '
        '"received": 257, "damaged": 0, "missing": 0}]; every line of the shipment once.'
    )
    lat: float | None = Field(None, description="GPS latitude.")
    lon: float | None = Field(None, description="GPS longitude.")


class LineFigures(Schema):
    item: str = Field(description="Item code.")
    required: int = Field(description="Required by the rules from the current DPT.")
    dispatched: int = Field(description="Dispatched from the KPU warehouse (departed legs).")
    received: int = Field(description="Received at the most advanced leg handed over.")
    damaged: int = Field(description="Damaged among those received.")
    missing: int = Field(description="Reported missing.")
    usable: int = Field(description="Received minus damaged.")
    shortage: int = Field(description="Sum over TPS of required minus usable, where short.")
    surplus: int = Field(description="Sum over TPS of usable minus required, where over.")


class RollupOut(Schema):
    code: str = Field(description="Region code.")
    name: str = Field(description="Region name.")
    tps: int = Field(description="TPS in the region (visible to the user).")
    tps_fully_supplied: int = Field(description="TPS with every item usable ≥ required.")
    tps_ballot_short: int = Field(description="TPS short of ballots (flagged red).")
    percent_supplied: float = Field(description="Percent of TPS fully supplied.")
    voters: int = Field(description="Voters (DPT) in the region.")
    voters_ballot_short: int = Field(description="Voters at TPS short of ballots.")
    items: list[LineFigures] = Field(description="Figures per item.")


class BallotShortOut(Schema):
    tps_id: int = Field(description="TPS id.")
    label: str = Field(description="TPS label.")
    desa: RegionRef = Field(description="Its desa.")
    dpt: int = Field(description="Its DPT.")
    items: list[LineFigures] = Field(description="Its ballot figures.")


class ReconciliationOut(Schema):
    region: RegionRef = Field(description="The region reconciled.")
    total: RollupOut = Field(description="Totals over the region within the user's scope.")
    children: list[RollupOut] = Field(description="One rollup per kecamatan or desa under it.")
    ballot_short: list[BallotShortOut] = Field(description="TPS short of ballots.")


class AtRiskOut(Schema):
    shipment: ShipmentOut = Field(description="The shipment.")
    predicted_arrival: dt.datetime = Field(description="Predicted arrival of this leg.")
    predicted_at_destination: dt.datetime = Field(
        description="Predicted arrival at the TPS after the later legs."
    )
    deadline_slack_hours: float = Field(description="Hours to spare before H-1 (negative: late).")
    basis: str = Field(description="History used: route, mode or plan.")
    factor: float = Field(description="Actual/planned duration ratio applied.")
    late: bool = Field(description="Already past its planned arrival.")
    at_risk: bool = Field(description="Predicted to miss H-1 at the TPS.")
    voters: int = Field(description="Voters (DPT) of the destination in the user's scope.")
    vulnerability: str = Field(description="Worst TPS vulnerability under the destination.")


class LayerRegionOut(Schema):
    code: str
    name: str
    tps: int
    tps_fully_supplied: int
    tps_ballot_short: int
    percent_supplied: float


class LayerShipmentOut(Schema):
    code: str
    stage: str
    status: str
    status_label: str
    mode: str
    lat: float | None
    lon: float | None
    position_at: dt.datetime | None
    destination_code: str
    destination_name: str
    destination_tps: str | None
    planned_arrival: dt.datetime
    predicted_arrival: dt.datetime | None
    late: bool
    at_risk: bool


class LayerOut(Schema):
    region: dict = Field(description="The region drawn: code, name, level.")
    total: dict = Field(description="TPS, TPS fully supplied and percent over the region.")
    regions: list[LayerRegionOut] = Field(
        description="Per child region (kecamatan or desa): percent of TPS fully supplied."
    )
    shipments: list[LayerShipmentOut] = Field(
        description="Shipments in transit with their last known position and risk flags."
    )


# --- helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest):
    return request.auth


def _region(user, code: str | None) -> Region:
    try:
        if code:
            return wilayah_selectors.region_get(user=user, code=code)
        return wilayah_selectors.home_region(user=user)
    except wilayah_selectors.NotFound as exc:
        raise Http404 from exc


def _list_qs(qs: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return qs.order_by("planned_departure", "code")


def _handover_dict(handover: Handover, *, created: bool, replacements=None, warnings=()) -> dict:
    return {
        "id": handover.pk,
        "shipment": handover.shipment.code,
        "created": created,
        "received_at": handover.received_at,
        "handed_by": handover.handed_by,
        "received_by": handover.received_by,
        "lat": handover.lat,
        "lon": handover.lon,
        "has_photo": bool(handover.photo),
        "lines": [
            {
                "item": line.item.code,
                "tps_id": line.tps_id,
                "received": line.received,
                "damaged": line.damaged,
                "missing": line.missing,
            }
            for line in handover.lines.all()
        ],
        "replacements": list(
            replacements if replacements is not None else handover.replacements.all()
        ),
        "warnings": list(warnings),
    }


def _figures(item: str, line, rollup=None) -> dict:
    return {
        "item": item,
        "required": line.required,
        "dispatched": line.dispatched,
        "received": line.received,
        "damaged": line.damaged,
        "missing": line.missing,
        "usable": line.usable,
        "shortage": rollup.shortage.get(item, 0) if rollup else line.shortage,
        "surplus": rollup.surplus.get(item, 0) if rollup else line.surplus,
    }


def _rollup_dict(rollup, name: str) -> dict:
    return {
        "code": rollup.code,
        "name": name,
        "tps": rollup.tps,
        "tps_fully_supplied": rollup.tps_fully_supplied,
        "tps_ballot_short": rollup.tps_ballot_short,
        "percent_supplied": round(rollup.percent_supplied, 1),
        "voters": rollup.voters,
        "voters_ballot_short": rollup.voters_ballot_short,
        "items": [_figures(item, line, rollup) for item, line in rollup.items.items()],
    }


# --- endpoints ----------------------------------------------------------------------------------


@router.get(
    "/shipments",
    response=list[ShipmentOut],
    summary="List shipments in the user's scope",
    description=(
        "Shipments whose destination the user's scope covers (field monitors: those to their "
        "places), by planned departure, filtered and paginated. The number of SQL queries does "
        "not grow with the page."
    ),
)
@paginate(SiagaPagination)
def shipment_list(request: HttpRequest, filters: Query[ShipmentFilters]):
    user = _user(request)
    qs = selectors.shipments_under(selectors.shipments_visible(user=user), filters.region)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.at_risk is not None:
        risky = [
            row.shipment.pk for row in selectors.shipments_at_risk(user=user, region=filters.region)
        ]
        qs = qs.filter(pk__in=risky) if filters.at_risk else qs.exclude(pk__in=risky)
    return _list_qs(qs)


@router.get(
    "/shipments/{code}",
    response=ShipmentDetailOut,
    summary="One shipment with its contents and handovers",
    description="A shipment by its code (KT- prefix and case ignored); 404 outside the scope.",
)
def shipment_detail(request: HttpRequest, code: str):
    try:
        shipment = selectors.shipment_get(user=_user(request), code=code)
    except selectors.NotFound as exc:
        raise Http404 from exc
    lines = list(
        ShipmentLine.objects.filter(shipment=shipment)
        .select_related("item", "tps")
        .order_by("item__sort_order", "tps__number", "pk")
    )
    handovers = list(
        Handover.objects.filter(shipment=shipment).prefetch_related(
            Prefetch("lines", HandoverLine.objects.select_related("item").order_by("pk")),
            "replacements__item",
            "replacements__tps",
            "replacements__region",
            "replacements__assigned_agency",
        )
    )
    for handover in handovers:
        handover.shipment = shipment
        for request_ in handover.replacements.all():
            request_.shipment = shipment
    shipment.lines_out = [
        {
            "item": line.item.code,
            "item_name": line.item.name,
            "unit": line.item.unit,
            "tps": {"id": line.tps.pk, "label": line.tps.label} if line.tps_id else None,
            "quantity": line.quantity,
        }
        for line in lines
    ]
    shipment.handovers_out = [_handover_dict(h, created=True) for h in handovers]
    return shipment


@router.post(
    "/handovers",
    response={
        200: HandoverOut,
        201: HandoverOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Record a handover (serah terima), idempotently",
    description=(
        "Multipart form: the fields below, `lines` as JSON, and an optional `photo` (JPEG, PNG "
        "or WebP, at most 10 MB). 201 when recorded; 200 when the same idempotency key and body "
        "were recorded before (a retry after a lost answer); 400 with `detail` and `field` when "
        "refused (nothing is changed); 403 when the user may see but not receive this shipment; "
        "404 for a code unknown or outside the scope. Token clients send no CSRF token."
    ),
)
def handover_create(
    request: HttpRequest,
    payload: Form[HandoverForm],
    photo: UploadedFile | None = PHOTO_PARAM,
):
    try:
        raw_lines = json.loads(payload.lines)
        if not isinstance(raw_lines, list) or not all(isinstance(x, dict) for x in raw_lines):
            raise ValueError
        lines = [
            services.HandoverLineInput(
                item=str(raw["item"]),
                tps_id=int(raw["tps_id"]) if raw.get("tps_id") not in (None, "") else None,
                received=_count(raw.get("received")),
                damaged=_count(raw.get("damaged", 0)),
                missing=_count(raw.get("missing", 0)),
            )
            for raw in raw_lines
        ]
    except (ValueError, KeyError, TypeError):
        return Status(
            422,
            {
                "detail": _(
                    'lines: harus berupa daftar JSON, misalnya [{"item": "surat_suara_bupati", '
                    '"tps_id": 12, "received": 257, "damaged": 0, "missing": 0}].'
                ),
                "field": "lines",
            },
        )
    received_at = payload.received_at
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    try:
        result = services.handover_record(
            context=AuditContext.from_request(request, channel="api"),
            user=_user(request),
            shipment_code=payload.shipment_code,
            idempotency_key=payload.idempotency_key,
            received_at=received_at,
            handed_by=payload.handed_by,
            received_by=payload.received_by,
            lines=lines,
            lat=payload.lat,
            lon=payload.lon,
            photo=photo,
        )
    except services.ShipmentUnknown as exc:
        return Status(404, {"detail": str(exc), "field": exc.field})
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc), "field": None})
    except services.HandoverError as exc:
        return Status(400, {"detail": str(exc), "field": exc.field})
    except DomainError as exc:
        return Status(400, {"detail": str(exc), "field": None})
    handover = (
        Handover.objects.select_related("shipment")
        .prefetch_related(
            Prefetch("lines", HandoverLine.objects.select_related("item").order_by("pk")),
            "replacements__item",
            "replacements__tps",
            "replacements__region",
            "replacements__assigned_agency",
            "replacements__shipment",
        )
        .get(pk=result.handover.pk)
    )
    return Status(
        201 if result.created else 200,
        _handover_dict(handover, created=result.created, warnings=result.warnings),
    )


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(value)
    return int(value)


@router.get(
    "/reconciliation",
    response=ReconciliationOut,
    summary="Reconciliation of a region",
    description=(
        "Required (from the current DPT and rules) vs dispatched vs received vs damaged, over "
        "the TPS the user sees under `region` (default: the deployment's regency), per child "
        "region and per item, with the TPS short of ballots. 404 outside the scope."
    ),
)
def reconciliation(request: HttpRequest, region: str | None = None):
    user = _user(request)
    place = _region(user, region)
    result = selectors.reconciliation_for(user=user, region=place)
    if place.level in (Level.PROVINCE, Level.REGENCY):
        children = result.by_kecamatan
    elif place.level == Level.DISTRICT:
        children = result.by_desa
    else:
        children = {}
    short_ids = sorted(result.ballot_short)
    tps = {
        t.pk: t
        for t in wilayah_selectors.tps_visible(user=user)
        .filter(pk__in=short_ids)
        .defer("desa__boundary", "desa__parent__boundary")
    }
    names = dict(Region.objects.filter(code__in=list(children)).values_list("code", "name"))
    ballots = set(ItemType.objects.filter(is_ballot=True).values_list("code", flat=True))
    return {
        "region": {"code": place.code, "name": place.name},
        "total": _rollup_dict(result.total, place.name),
        "children": [_rollup_dict(r, names.get(code, code)) for code, r in children.items()],
        "ballot_short": [
            {
                "tps_id": pk,
                "label": tps[pk].label,
                "desa": {"code": tps[pk].desa.code, "name": tps[pk].desa.name},
                "dpt": tps[pk].dpt_total,
                "items": [
                    _figures(item, line)
                    for item, line in result.by_tps[pk].items()
                    if item in ballots
                ],
            }
            for pk in short_ids
            if pk in tps
        ],
    }


@router.get(
    "/at-risk",
    response=list[AtRiskOut],
    summary="Shipments late or at risk of missing H-1",
    description=(
        "Open shipments the user sees (under `region` when given) that are late or predicted "
        "to reach their TPS after H-1 23:59 WITA, very vulnerable places first, then by voters "
        "affected. Empty when no voting day is configured."
    ),
)
def at_risk(request: HttpRequest, region: str | None = None):
    user = _user(request)
    if region:
        _region(user, region)
    return [
        {
            "shipment": row.shipment,
            "predicted_arrival": row.prediction.predicted_arrival,
            "predicted_at_destination": row.prediction.predicted_at_destination,
            "deadline_slack_hours": round(row.prediction.slack_seconds / 3600, 1),
            "basis": row.prediction.basis,
            "factor": round(row.prediction.factor, 2),
            "late": row.prediction.late,
            "at_risk": row.prediction.at_risk,
            "voters": row.voters,
            "vulnerability": row.vulnerability,
        }
        for row in selectors.shipments_at_risk(user=user, region=region)
    ]


@router.get(
    "/replacements",
    response=list[ReplacementOut],
    summary="Replacement requests",
    description=(
        "Requests to KPU to replace items found short or damaged at a handover, for shipments "
        "the user sees, earliest deadline first; paginated."
    ),
)
@paginate(SiagaPagination)
def replacement_list(request: HttpRequest, status: str | None = None):
    qs = selectors.replacements_visible(user=_user(request))
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get(
    "/layer",
    response=LayerOut,
    summary="The logistics layer of the situation-room map",
    description=(
        "Per child region of `region` (default: the deployment's regency) the percent of TPS "
        "fully supplied, and the shipments in transit with their last known position and "
        "whether they are late or at risk. 404 outside the scope."
    ),
)
def layer(request: HttpRequest, region: str | None = None):
    user = _user(request)
    return selectors.logistics_layer(user=user, region=_region(user, region))
