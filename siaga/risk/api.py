"""API of the vulnerability index and early warning (/api/v1/risk/...).

Readers of the situation room get the scores of the TPS and areas in their scope with what drove
them, the heat layer, and the alerts; the agencies an alert went to acknowledge it; Bawaslu and
the secretariat (``Action.EDIT_RISK``) change the mapping and the weights and recompute.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.core.permissions import Action, require_or_404
from siaga.risk import alerts, selectors, services, tasks
from siaga.risk.models import Indicator, RiskAlert, TpsRisk
from siaga.wilayah.api import PagedRows, SiagaPagination
from siaga.wilayah.choices import Level

router = Router(tags=["risk"])


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class ReasonOut(Schema):
    code: str
    name: str
    value: float
    points: float = Field(description="Points of 100 this indicator adds to the score.")


class TpsRiskOut(Schema):
    tps: int
    label: str
    desa: str
    desa_name: str
    kecamatan_name: str
    score: float = Field(description="0-100: the sum of the indicators' points, capped at 100.")
    category: str = Field(description="aman, rawan or sangat_rawan.")
    assessed: bool = Field(description="Whether the TPS has been mapped (static values).")
    computed_at: dt.datetime


class HistoryOut(Schema):
    day: dt.date
    score: float
    category: str


class TpsRiskDetailOut(TpsRiskOut):
    reasons: list[ReasonOut]
    history: list[HistoryOut]


class AreaOut(Schema):
    code: str
    name: str
    score: float = Field(description="Voter-weighted mean of its TPS scores.")
    max_score: float
    category: str
    tps_aman: int
    tps_rawan: int
    tps_sangat_rawan: int
    yesterday: float | None
    reasons: list[ReasonOut]


class LayerOut(Schema):
    tps: int
    label: str
    lat: float
    lon: float
    score: float
    category: str
    assessed: bool
    delta: float | None = Field(description="Change of the score since yesterday.")
    reasons: list[str]


class AlertOut(Schema):
    id: int
    kind: str
    signal: str
    region: str
    tps: int | None
    title: str
    reason: str
    detail: dict
    agencies: list[str]
    fired_at: dt.datetime
    acknowledged_at: dt.datetime | None
    may_acknowledge: bool


class IndicatorOut(Schema):
    code: str
    variable: str
    name: str
    source: str
    weight: float
    saturation: float
    active: bool


class IndicatorIn(Schema):
    weight: float
    saturation: float = 1.0
    active: bool = True


class ValueIn(Schema):
    value: float = Field(description="Yes = 1, no = 0 (removes it), or a count.")
    note: str = ""


class RunOut(Schema):
    queued: bool
    detail: str


def _tps_out(risk: TpsRisk) -> dict:
    tps = risk.tps
    return {
        "tps": tps.pk,
        "label": tps.label,
        "desa": tps.desa_id,
        "desa_name": tps.desa.name,
        "kecamatan_name": tps.desa.parent.name if tps.desa.parent_id else "",
        "score": risk.score,
        "category": risk.category,
        "assessed": risk.assessed,
        "computed_at": risk.computed_at,
    }


@router.get("/tps", response=list[TpsRiskOut], summary="TPS scores, most vulnerable first")
@paginate(SiagaPagination)
def tps_list(request: HttpRequest, region: str | None = None, category: str | None = None):
    require_or_404(request.auth, Action.VIEW)
    if region:
        try:
            selectors.region_get(request.auth, region)
        except selectors.NotFound:
            raise Http404 from None
    return PagedRows(
        selectors.tps_risk_filter(request.auth, region=region, category=category), _tps_out
    )


@router.get("/tps/{tps_id}", response=TpsRiskDetailOut, summary="A TPS's score and its reasons")
def tps_detail(request: HttpRequest, tps_id: int):
    try:
        detail = selectors.tps_detail(request.auth, tps_id)
    except selectors.NotFound:
        raise Http404 from None
    if detail.risk is None:
        raise Http404
    return {
        **_tps_out(detail.risk),
        "reasons": detail.reasons,
        "history": [
            {"day": h.day, "score": h.score, "category": h.category} for h in detail.history
        ],
    }


@router.put(
    "/tps/{tps_id}/values/{code}",
    response={200: RunOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Set a mapped indicator of a TPS by hand (0 removes it)",
)
def value_set(request: HttpRequest, tps_id: int, code: str, payload: ValueIn):
    try:
        detail = selectors.tps_detail(request.auth, tps_id, days=0)
    except selectors.NotFound:
        raise Http404 from None
    if not selectors.may_edit(request.auth, detail.tps.desa_id):
        return Status(403, {"detail": "Tidak berwenang mengubah pemetaan TPS."})
    try:
        services.indicator_value_set(
            context=AuditContext.from_request(request, channel="api"),
            tps=detail.tps,
            code=code,
            value=payload.value,
            note=payload.note,
        )
    except DomainError as exc:
        return Status(422, {"detail": str(exc), "field": "value"})
    tasks.recompute_soon(prefix=detail.tps.desa_id[:8])
    return {"queued": True, "detail": "Nilai disimpan; indeks dihitung ulang."}


@router.get("/areas", response=list[AreaOut], summary="Desa, kecamatan or regency scores")
def area_list(request: HttpRequest, level: str = "kecamatan", parent: str | None = None):
    require_or_404(request.auth, Action.VIEW)
    levels = {"desa": Level.VILLAGE, "kecamatan": Level.DISTRICT, "kabupaten": Level.REGENCY}
    if level not in levels:
        raise Http404
    rows = selectors.areas(request.auth, level=levels[level], parent=parent)
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "score": row["area"].score,
            "max_score": row["area"].max_score,
            "category": row["area"].category,
            "tps_aman": row["area"].tps_aman,
            "tps_rawan": row["area"].tps_rawan,
            "tps_sangat_rawan": row["area"].tps_sangat_rawan,
            "yesterday": row["yesterday"],
            "reasons": row["reasons"],
        }
        for row in rows
    ]


@router.get("/layer", response=list[LayerOut], summary="The risk heat layer of the map")
def layer(request: HttpRequest, region: str | None = None):
    require_or_404(request.auth, Action.VIEW)
    if region:
        try:
            selectors.region_get(request.auth, region)
        except selectors.NotFound:
            raise Http404 from None
    return selectors.layer(request.auth, region=region)


def _alert_out(request):
    def out(a: RiskAlert) -> dict:
        return {
            "id": a.pk,
            "kind": a.kind,
            "signal": a.signal,
            "region": a.region_id,
            "tps": a.tps_id,
            "title": a.title,
            "reason": a.reason,
            "detail": a.detail,
            "agencies": a.agency_kinds,
            "fired_at": a.fired_at,
            "acknowledged_at": a.acknowledged_at,
            "may_acknowledge": a.acknowledged_at is None
            and alerts.may_acknowledge(request.auth, a),
        }

    return out


@router.get("/alerts", response=list[AlertOut], summary="Early-warning alerts, latest first")
@paginate(SiagaPagination)
def alert_list(request: HttpRequest, open_only: bool = False):
    require_or_404(request.auth, Action.VIEW)
    qs = selectors.alerts_visible(request.auth)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return PagedRows(qs, _alert_out(request))


@router.post(
    "/alerts/{pk}/acknowledge",
    response={200: AlertOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Acknowledge an alert (the agencies it went to, and the secretariat)",
)
def alert_ack(request: HttpRequest, pk: int):
    try:
        alert = selectors.alert_get(request.auth, pk)
    except selectors.NotFound:
        raise Http404 from None
    if not alerts.may_acknowledge(request.auth, alert):
        return Status(403, {"detail": "Peringatan ini bukan untuk instansi Anda."})
    try:
        alert = alerts.alert_acknowledge(
            alert=alert, context=AuditContext.from_request(request, channel="api")
        )
    except DomainError as exc:
        return Status(409, {"detail": str(exc)})
    return _alert_out(request)(alert)


@router.get("/indicators", response=list[IndicatorOut], summary="The catalogue of indicators")
def indicator_list(request: HttpRequest):
    require_or_404(request.auth, Action.VIEW)
    return list(Indicator.objects.all())


@router.patch(
    "/indicators/{code}",
    response={200: IndicatorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change an indicator's weight, full value, or switch it off",
)
def indicator_patch(request: HttpRequest, code: str, payload: IndicatorIn):
    require_or_404(request.auth, Action.VIEW)
    if not Indicator.objects.filter(code=code).exists():
        raise Http404
    if not selectors.may_edit_catalogue(request.auth):
        return Status(403, {"detail": "Tidak berwenang mengubah bobot indikator."})
    try:
        indicator = services.indicator_update(
            context=AuditContext.from_request(request, channel="api"),
            code=code,
            weight=payload.weight,
            saturation=payload.saturation,
            active=payload.active,
        )
    except DomainError as exc:
        return Status(422, {"detail": str(exc), "field": "weight"})
    tasks.recompute_soon()
    return indicator


@router.post(
    "/recompute",
    response={202: RunOut, 403: ErrorOut},
    summary="Recompute the index and the alerts now (in the background)",
)
def recompute(request: HttpRequest):
    require_or_404(request.auth, Action.VIEW)
    if not selectors.may_edit_catalogue(request.auth):
        return Status(403, {"detail": "Tidak berwenang menghitung ulang indeks."})
    tasks.recompute_soon()
    return Status(202, {"queued": True, "detail": "Indeks akan dihitung ulang."})
