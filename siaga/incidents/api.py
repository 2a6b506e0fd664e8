"""API of incident reports (/api/v1/incidents/...).

The field form (and any other client) posts reports here as a multipart form with a
client-made idempotency key: a retry after a lost answer gets 200 and the report already
stored, never a second one. Lists, details, the map layer and the workflow transitions read
and write through ``siaga.incidents.selectors`` and ``services``, which keep the user's scope
and agency: a report the user may not see answers 404.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from siaga.accounts.models import Agency
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.incidents import selectors, services
from siaga.incidents.choices import OPEN_STATES, EventKind, Severity, State
from siaga.incidents.models import Category, Incident
from siaga.wilayah.api import PagedRows, SiagaPagination

router = Router(tags=["incidents"])


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. category.")


class CategoryOut(Schema):
    code: str = Field(description="Category code, e.g. politik-uang.")
    name: str = Field(description="Name in the user's language.")
    default_severity: Severity = Field(description="Severity used when a report gives none.")
    keywords: list[str] = Field(description="Words SMS and Telegram reporters may write for it.")

    @staticmethod
    def resolve_name(obj: Category) -> str:
        return obj.label

    @staticmethod
    def resolve_keywords(obj: Category) -> list[str]:
        return obj.keyword_list


class IncidentForm(Schema):
    idempotency_key: str = Field(
        "",
        description="A key the client makes once per report (a UUID) and sends unchanged on "
        "every retry; at most 80 characters. Also accepted as the Idempotency-Key header.",
    )
    category: str = Field(description="Category code (GET /incidents/categories).")
    description: str = Field(description="What happened (5 to 4000 characters).")
    occurred_at: dt.datetime | None = Field(
        None,
        description="When it happened (ISO 8601; without an offset: local time). Now if absent.",
    )
    tps: int | None = Field(None, description="TPS id, when the event is at a TPS.")
    region: str = Field("", description="Desa code (dots optional), when no TPS id is given.")
    tps_number: int | None = Field(None, description="TPS number within `region`.")
    lat: float | None = Field(None, description="Latitude of the event.")
    lon: float | None = Field(None, description="Longitude of the event.")
    severity: Severity | None = Field(None, description="rendah, sedang, tinggi or kritis.")
    people_involved: str = Field("", description="People involved (perpetrators, victims).")


class RegionRef(Schema):
    code: str
    name: str


class IncidentOut(Schema):
    ticket: str = Field(description="Ticket number, e.g. LK-7K3M9Q.")
    created: bool = Field(True, description="False when this answers a retry.")
    state: State = Field(description="diterima, diverifikasi, ditolak, ditindaklanjuti, ...")
    state_label: str
    category: str = Field(description="Category code.")
    category_name: str
    severity: Severity
    description: str
    occurred_at: dt.datetime
    received_at: dt.datetime
    phase: str = Field(description="Pilkada phase at the time of the event.")
    channel: str
    region: RegionRef = Field(description="The desa.")
    tps_id: int | None
    tps_label: str | None
    lat: float | None
    lon: float | None
    assigned_agency: str | None = Field(description="Agency following it up, if assigned.")
    sla_due_at: dt.datetime | None
    escalated: bool
    merged_into: str | None = Field(description="Ticket this one was merged into.")
    media_count: int


class EventOut(Schema):
    at: dt.datetime
    kind: str
    actor: str
    from_state: str
    to_state: str
    note: str


class SuggestionOut(Schema):
    ticket: str
    score: float
    reasons: list[str]
    description: str
    state: State


class IncidentDetailOut(IncidentOut):
    reporter: str = Field(description="Who reported, as far as the user may know.")
    people_involved: str
    reject_reason: str
    outcome: str
    shared_with: list[str]
    timeline: list[EventOut]
    media_urls: list[str]
    allowed_transitions: list[str] = Field(description="States the user may move it to now.")
    duplicate_suggestions: list[SuggestionOut]


class TransitionIn(Schema):
    state: State = Field(description="The state to move to.")
    note: str = Field("", description="Reason (ditolak), outcome (selesai) or a remark.")
    agency: str | None = Field(None, description="Agency code (for ditindaklanjuti).")
    merge_into: str | None = Field(None, description="Ticket of the report kept (for digabung).")


class NoteIn(Schema):
    text: str = Field(description="A remark for the timeline.")


class ShareIn(Schema):
    agencies: list[str] = Field(description="Agency codes to share the report with.")


class LayerPoint(Schema):
    ticket: str
    lat: float
    lon: float
    category: str
    category_name: str
    severity: Severity
    state: State
    occurred_at: dt.datetime
    region: str


class ReportFilters(Schema):
    """The filters the list and the map layer share (``selectors.incidents_filter``)."""

    category: str = Field("", description="Category code.")
    state: str = Field("", description="State.")
    agency: int | None = Field(None, description="Agency id (assigned or shared).")
    phase: str = Field("", description="Pilkada phase code.")
    region: str = Field("", description="Region code (everything under it).")
    severity: str = Field("", description="Severity.")


class ListFilters(ReportFilters):
    since: dt.datetime | None = Field(None, description="Received at or after.")
    open_only: bool = Field(False, description="Only diterima, diverifikasi, ditindaklanjuti.")
    mine: bool = Field(False, description="Only the reports the user sent.")


class LayerFilters(ReportFilters):
    hours: int = Field(
        24, description="Closed reports received within these hours (1 to 720) are shown too."
    )


def _out(incident: Incident, *, created: bool = True, media_count: int | None = None) -> dict:
    tps = incident.tps
    return {
        "ticket": incident.ticket,
        "created": created,
        "state": incident.state,
        "state_label": str(incident.get_state_display()),
        "category": incident.category.code,
        "category_name": incident.category.label,
        "severity": incident.severity,
        "description": incident.description,
        "occurred_at": incident.occurred_at,
        "received_at": incident.received_at,
        "phase": incident.phase,
        "channel": incident.channel,
        "region": {"code": incident.region.code, "name": incident.region.name},
        "tps_id": incident.tps_id,
        "tps_label": tps.label if tps is not None else None,
        "lat": incident.lat if incident.lat is not None else (tps.lat if tps else None),
        "lon": incident.lon if incident.lon is not None else (tps.lon if tps else None),
        "assigned_agency": incident.assigned_agency.name if incident.assigned_agency_id else None,
        "sla_due_at": incident.sla_due_at,
        "escalated": incident.escalated_at is not None,
        "merged_into": incident.merged_into.ticket if incident.merged_into_id else None,
        "media_count": incident.media.count() if media_count is None else media_count,
    }


def _detail(user, incident: Incident) -> dict:
    reporter = selectors.reporter_label(user, incident)
    return {
        **_out(incident),
        "reporter": reporter,
        "people_involved": incident.people_involved,
        "reject_reason": incident.reject_reason,
        "outcome": incident.outcome,
        "shared_with": [a.name for a in incident.shared_with.all()],
        "timeline": [
            {
                "at": e.at,
                "kind": e.kind,
                # the first line names the reporter: shown as the user may know them
                "actor": reporter if e.kind == EventKind.CREATED else e.actor_label,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
            }
            for e in incident.events.all()
        ],
        "media_urls": [reverse("incidents:media", args=[m.pk]) for m in incident.media.all()],
        "allowed_transitions": services.allowed_transitions(user, incident),
        "duplicate_suggestions": [
            {
                "ticket": other.ticket,
                "score": s.score,
                "reasons": list(s.reasons),
                "description": other.description[:300],
                "state": other.state,
            }
            for other, s in selectors.duplicate_suggestions(user=user, incident=incident)
        ],
    }


def _get(request: HttpRequest, ticket: str) -> Incident:
    try:
        return selectors.incident_get(user=request.auth, ticket=ticket)
    except selectors.NotFound as exc:
        raise Http404 from exc


def _refusal(exc: DomainError) -> Status:
    if isinstance(exc, services.IncidentNotFound):
        return Status(404, {"detail": str(exc), "field": exc.field})
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": str(exc), "field": None})
    return Status(400, {"detail": str(exc), "field": getattr(exc, "field", None)})


@router.get("/categories", response=list[CategoryOut], summary="Incident categories")
def categories(request: HttpRequest):
    return list(Category.objects.filter(active=True))


@router.post(
    "",
    response={200: IncidentOut, 201: IncidentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Submit an incident report, idempotently",
    description=(
        "Multipart form: the fields below and up to 5 files `media` (JPEG, PNG, WebP photos or "
        "MP4/3GP/WebM videos, each at most SIAGA_UPLOAD_MAX_MB). 201 when stored; 200 when the "
        "idempotency key was stored before by the same user (a retry); 400 with `detail` and "
        "`field` when refused (nothing stored); 404 for a TPS or desa outside the user's scope."
    ),
)
def incident_create(
    request: HttpRequest,
    payload: Form[IncidentForm],
    media: list[UploadedFile] = File(None, description="Photos or videos."),  # noqa: B008
):
    occurred = payload.occurred_at
    if occurred is not None and occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    files = []
    for upload in media or []:
        if upload.size > (settings.SIAGA_UPLOAD_MAX_MB * 1024 * 1024):
            return Status(
                400,
                {
                    "detail": _("%(file)s: melebihi batas %(limit)d MB.")
                    % {"file": upload.name, "limit": settings.SIAGA_UPLOAD_MAX_MB},
                    "field": "media",
                },
            )
        files.append((upload.read(), upload.name))
    data = services.IncidentInput(
        category=payload.category,
        description=payload.description,
        occurred_at=occurred,
        region_code=payload.region,
        tps_id=payload.tps,
        tps_number=payload.tps_number,
        lat=payload.lat,
        lon=payload.lon,
        severity=payload.severity or "",
        people_involved=payload.people_involved,
        media=files,
    )
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")
    field_user = getattr(request.auth, "role", "") == "field_monitor"
    try:
        result = services.incident_submit(
            context=AuditContext.from_request(request, channel="api"),
            channel="field" if field_user else "api",
            data=data,
            user=request.auth,
            idempotency_key=key,
        )
    except DomainError as exc:
        return _refusal(exc)
    media_count = len(files) if result.created else None
    return Status(
        201 if result.created else 200,
        _out(result.incident, created=result.created, media_count=media_count),
    )


@router.get(
    "",
    response=list[IncidentOut],
    summary="Incident reports the user may see",
    description="Newest first; filters combine. Field monitors see their own reports.",
)
@paginate(SiagaPagination)
def incident_list(request: HttpRequest, filters: Query[ListFilters]):
    wanted = filters.dict()
    qs = selectors.incidents_visible(user=request.auth)
    if wanted.pop("mine"):
        qs = qs.filter(reporter=request.auth)
    qs = selectors.incidents_filter(qs, **wanted).select_related("merged_into")
    return PagedRows(qs.prefetch_related("media"), _out)


@router.get(
    "/layer",
    response=list[LayerPoint],
    summary="Map layer: located reports",
    description=(
        "Open reports (and those received within `hours`) with a position, for the map; merged "
        "duplicates apart. The filters are the list's and combine the same way: an unknown code "
        "narrows to nothing."
    ),
)
def incident_layer(request: HttpRequest, filters: Query[LayerFilters]):
    from siaga.core import clock

    wanted = filters.dict()
    hours = wanted.pop("hours")
    qs = selectors.incidents_visible(user=request.auth).exclude(state=State.DIGABUNG)
    qs = selectors.incidents_filter(qs, **wanted)
    since = clock.now() - dt.timedelta(hours=max(1, min(hours, 24 * 30)))
    points = []
    recent_or_open = Q(received_at__gte=since) | Q(state__in=OPEN_STATES)
    rows = qs.filter(recent_or_open).select_related("tps", "category", "region")
    for i in rows[:5000]:
        lat = i.lat if i.lat is not None else (i.tps.lat if i.tps_id else i.region.lat)
        lon = i.lon if i.lon is not None else (i.tps.lon if i.tps_id else i.region.lon)
        if lat is None or lon is None:
            continue
        points.append(
            {
                "ticket": i.ticket,
                "lat": lat,
                "lon": lon,
                "category": i.category.code,
                "category_name": i.category.label,
                "severity": i.severity,
                "state": i.state,
                "occurred_at": i.occurred_at,
                "region": i.region.name,
            }
        )
    return points


@router.get("/{ticket}", response=IncidentDetailOut, summary="One report with its timeline")
def incident_detail(request: HttpRequest, ticket: str):
    return _detail(request.auth, _get(request, ticket))


@router.post(
    "/{ticket}/transition",
    response={200: IncidentDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Move a report through the verification workflow",
    description=(
        "diterima → diverifikasi | ditolak (note = reason) | digabung (merge_into); "
        "diverifikasi → ditindaklanjuti (agency; the SLA starts) | ditolak | digabung; "
        "ditindaklanjuti → selesai (note = outcome) or reassigned; ditolak → diterima. "
        "The secretariat triages; the assigned agency's liaisons may close with the outcome."
    ),
)
def incident_transition(request: HttpRequest, ticket: str, payload: TransitionIn):
    incident = _get(request, ticket)
    agency = None
    if payload.agency:
        agency = Agency.objects.filter(code=payload.agency).first()
        if agency is None:
            return Status(400, {"detail": _("Instansi tidak dikenal."), "field": "agency"})
    target = None
    if payload.merge_into:
        try:
            target = selectors.incident_get(user=request.auth, ticket=payload.merge_into)
        except selectors.NotFound:
            return Status(
                400, {"detail": _("Laporan tujuan tidak ditemukan."), "field": "merge_into"}
            )
    try:
        incident = services.incident_transition(
            context=AuditContext.from_request(request, channel="api"),
            user=request.auth,
            incident=incident,
            to_state=payload.state,
            note=payload.note,
            agency=agency,
            merge_into=target,
        )
    except DomainError as exc:
        return _refusal(exc)
    return _detail(request.auth, _get(request, incident.ticket))


@router.post(
    "/{ticket}/notes",
    response={201: EventOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Add a remark to a report's timeline",
)
def incident_add_note(request: HttpRequest, ticket: str, payload: NoteIn):
    incident = _get(request, ticket)
    try:
        event = services.incident_note(
            context=AuditContext.from_request(request, channel="api"),
            user=request.auth,
            incident=incident,
            text=payload.text,
        )
    except DomainError as exc:
        return _refusal(exc)
    return Status(
        201,
        {
            "at": event.at,
            "kind": event.kind,
            "actor": event.actor_label,
            "from_state": "",
            "to_state": "",
            "note": event.note,
        },
    )


@router.post(
    "/{ticket}/share",
    response={200: IncidentDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Share a report with more agencies",
)
def incident_share(request: HttpRequest, ticket: str, payload: ShareIn):
    incident = _get(request, ticket)
    agencies = list(Agency.objects.filter(code__in=payload.agencies))
    if len(agencies) != len(set(payload.agencies)):
        return Status(400, {"detail": _("Instansi tidak dikenal."), "field": "agencies"})
    try:
        services.incident_share(
            context=AuditContext.from_request(request, channel="api"),
            user=request.auth,
            incident=incident,
            agencies=agencies,
        )
    except DomainError as exc:
        return _refusal(exc)
    return _detail(request.auth, _get(request, ticket))
