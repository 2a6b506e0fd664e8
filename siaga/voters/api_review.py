"""API of the double-registration review (/api/v1/voters/...): the pairs and their decisions,
the counts and the map layer, the linkage runs.

The same rules as the pages (``siaga.voters.views_review``): pairs are for reviewers
(``Action.REVIEW_VOTERS``) in their scope, others get 404; counts and the map layer are for
readers of the situation room too; NIK and NKK are masked unless ``Action.VIEW_PERSONAL``.
"""

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.voters import linkage, selectors
from siaga.voters.models import DuplicateClass, DuplicatePair, JobStatus, LinkageRun, PairStatus
from siaga.voters.privacy import nik_for
from siaga.wilayah.api import PagedRows, SiagaPagination

router = Router(tags=["voters"])


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. note.")


class VoterOut(Schema):
    id: int
    voter_id: str
    name: str
    nik: str = Field(description="Masked (6408**********12) unless the user may see it.")
    nkk: str = Field(description="Masked like the NIK.")
    birth_place: str
    birth_date: dt.date
    sex: str
    address: str
    rt: str
    rw: str
    desa_code: str
    desa_name: str
    tps_id: int
    tps_label: str


class EvidenceField(Schema):
    level: str = Field(description="The comparison level, e.g. 'NIK beda 1 digit'.")
    bf: float | None = Field(description="Bayes factor of that level (above 1: same person).")


class PairOut(Schema):
    id: int
    klass: DuplicateClass = Field(description="K1, K2 (a data error) or K3.")
    probability: float
    match_weight: float
    status: PairStatus
    voter_l: VoterOut
    voter_r: VoterOut
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str
    run_id: int | None


class PairDetailOut(PairOut):
    source: str = Field(description="engine (scored) or nik (same NIK found in SQL).")
    why: str = Field(description="The comparisons that pushed towards a match, strongest first.")
    evidence: dict[str, EvidenceField] = Field(description="Per comparison: level and BF.")


class PairFilters(Schema):
    klass: DuplicateClass | None = Field(None, description="K1, K2 or K3.")
    status: PairStatus | None = Field(None, description="diduga, terkonfirmasi or ditolak.")
    region: str = Field("", description="Kecamatan or desa code (either voter).")
    min_probability: float | None = Field(None, ge=0.0, le=1.0)


class DecisionIn(Schema):
    note: str = Field("", description="Remark (confirm), reason (dismiss: required).")
    expected_status: PairStatus | None = Field(
        None,
        description="The status the client showed; refused (409) if the pair has moved since.",
    )


class CountOut(Schema):
    code: str = Field(description="Region code, or the TPS id for level=tps.")
    name: str
    parent: str
    double: int = Field(description="Confirmed double registrations (K1 + K3).")
    k1: int
    k3: int
    k2: int = Field(description="Confirmed data errors (one NIK on two people), apart.")


class SummaryOut(Schema):
    level: str
    rows: list[CountOut]


class MapPointOut(Schema):
    tps_id: int
    name: str
    desa: str
    lat: float
    lon: float
    confirmed: int = Field(description="Confirmed double registrations (K1 + K3).")
    suspected: int = Field(description="K1 + K3 pairs still under review.")
    data_errors: int = Field(description="K2 pairs (confirmed or suspected).")


class RunIn(Schema):
    threshold: float | None = Field(None, gt=0.0, le=1.0, description="Default: the CLI's.")


class RunOut(Schema):
    id: int
    status: JobStatus
    threshold: float
    voters: int
    pairs_found: int
    progress: str
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _voter(user, v) -> dict:
    return {
        "id": v.pk,
        "voter_id": v.voter_id,
        "name": v.name,
        "nik": nik_for(user, v.nik),
        "nkk": nik_for(user, v.nkk),
        "birth_place": v.birth_place,
        "birth_date": v.birth_date,
        "sex": v.sex,
        "address": v.address,
        "rt": v.rt,
        "rw": v.rw,
        "desa_code": v.desa_id,
        "desa_name": v.desa.name,
        "tps_id": v.tps_id,
        "tps_label": v.tps.label,
    }


def _pair_out(user, p: DuplicatePair) -> dict:
    return {
        "id": p.pk,
        "klass": p.klass,
        "probability": p.probability,
        "match_weight": p.match_weight,
        "status": p.status,
        "voter_l": _voter(user, p.voter_l),
        "voter_r": _voter(user, p.voter_r),
        "decided_by": p.decided_by.get_username() if p.decided_by_id else None,
        "decided_at": p.decided_at,
        "note": p.note,
        "run_id": p.run_id,
    }


def _detail(user, p: DuplicatePair) -> dict:
    evidence = p.evidence or {}
    fields = evidence.get("fields") or {}
    return {
        **_pair_out(user, p),
        "source": evidence.get("source", "engine"),
        "why": evidence.get("why", ""),
        "evidence": {
            k: {"level": v.get("level", ""), "bf": v.get("bf")}
            for k, v in fields.items()
            if isinstance(v, dict)
        },
    }


def _get(request: HttpRequest, pk: int) -> DuplicatePair:
    try:
        return selectors.pair_get(user=request.auth, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


@router.get(
    "/pairs",
    response=list[PairOut],
    summary="Suspected double registrations (the review queue)",
    description="Highest probability first; filters combine. Reviewers only (else empty).",
)
@paginate(SiagaPagination)
def pair_list(request: HttpRequest, filters: Query[PairFilters]):
    user = request.auth
    qs = selectors.pairs_filter(
        selectors.pairs_visible(user),
        klass=filters.klass or "",
        status=filters.status or "",
        region=filters.region,
        min_probability=filters.min_probability,
    )
    qs = qs.select_related(
        "voter_l__desa", "voter_l__tps", "voter_r__desa", "voter_r__tps", "decided_by"
    ).order_by("-probability", "pk")
    return PagedRows(qs, lambda p: _pair_out(user, p))


@router.get("/pairs/{pk}", response=PairDetailOut, summary="One pair with the engine's evidence")
def pair_detail(request: HttpRequest, pk: int):
    return _detail(request.auth, _get(request, pk))


def _decide(request: HttpRequest, pk: int, payload: DecisionIn, service):
    pair = _get(request, pk)
    if payload.expected_status is not None:
        pair.status = payload.expected_status
    try:
        service(
            pair=pair,
            context=AuditContext.from_request(request, channel="api"),
            user=request.auth,
            note=payload.note,
        )
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc), "field": None})
    except linkage.PairDecisionError as exc:
        code = 409 if exc.field == "status" else 400
        return Status(code, {"detail": str(exc), "field": exc.field})
    except DomainError as exc:
        return Status(400, {"detail": str(exc), "field": None})
    return _detail(request.auth, _get(request, pk))


DECISION_RESPONSES = {
    200: PairDetailOut,
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}


@router.post(
    "/pairs/{pk}/confirm",
    response=DECISION_RESPONSES,
    summary="Confirm a suspected pair as a double registration",
    description="diduga → terkonfirmasi. 409 when the pair was decided by someone else.",
)
def pair_confirm(request: HttpRequest, pk: int, payload: DecisionIn):
    return _decide(request, pk, payload, linkage.pair_confirm)


@router.post(
    "/pairs/{pk}/dismiss",
    response=DECISION_RESPONSES,
    summary="Dismiss a suspected pair (not a double registration)",
    description="diduga → ditolak; `note` (the reason) is required.",
)
def pair_dismiss(request: HttpRequest, pk: int, payload: DecisionIn):
    return _decide(request, pk, payload, linkage.pair_dismiss)


@router.post(
    "/pairs/{pk}/reopen",
    response=DECISION_RESPONSES,
    summary="Reopen a decided pair for review",
    description="terkonfirmasi | ditolak → diduga; `note` (the reason) is required.",
)
def pair_reopen(request: HttpRequest, pk: int, payload: DecisionIn):
    return _decide(request, pk, payload, linkage.pair_reopen)


@router.get(
    "/duplicates/summary",
    response={200: SummaryOut, 400: ErrorOut},
    summary="Confirmed double registrations per kecamatan, desa or TPS",
)
def duplicate_summary(request: HttpRequest, level: str = "kecamatan"):
    user = request.auth
    if not selectors.may_see_counts(user):
        raise Http404
    if level not in selectors.LEVELS:
        return Status(400, {"detail": _("level: kecamatan, desa atau tps"), "field": "level"})
    rows = selectors.duplicate_counts(user, level=level)
    return {
        "level": level,
        "rows": [
            {
                "code": r.code,
                "name": r.name,
                "parent": r.parent,
                "double": r.double,
                "k1": r.k1,
                "k3": r.k3,
                "k2": r.k2,
            }
            for r in rows
        ],
    }


@router.get(
    "/duplicates/map",
    response=list[MapPointOut],
    summary="Map layer: TPS with confirmed or suspected double registrations",
    description="Only TPS in the user's scope with a position; counts only, no names.",
)
def duplicate_map(request: HttpRequest):
    user = request.auth
    if not selectors.may_see_counts(user):
        raise Http404
    return [p.__dict__ for p in selectors.duplicate_map(user)]


def _run_out(run: LinkageRun) -> dict:
    return {
        "id": run.pk,
        "status": run.status,
        "threshold": run.threshold,
        "voters": run.voters,
        "pairs_found": run.pairs_found,
        "progress": run.progress,
        "error": run.error,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


@router.post(
    "/linkage-runs",
    response={202: RunOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Start a double-registration search over the stored roll",
    description="Queued for the background worker; 409 while another run is active.",
)
def linkage_run_create(request: HttpRequest, payload: RunIn):
    user = request.auth
    if not linkage.may_run_linkage(user):
        return Status(
            403, {"detail": _("Anda tidak berwenang menjalankan pencarian."), "field": None}
        )
    try:
        run = linkage.linkage_run_enqueue(
            context=AuditContext.from_request(request, channel="api"),
            user=user,
            threshold=payload.threshold,
        )
    except linkage.PairDecisionError as exc:
        code = 400 if exc.field == "threshold" else 409
        return Status(code, {"detail": str(exc), "field": exc.field})
    except DomainError as exc:
        return Status(403, {"detail": str(exc), "field": None})
    return Status(202, _run_out(run))


@router.get("/linkage-runs/{pk}", response=RunOut, summary="One linkage run and its progress")
def linkage_run_detail(request: HttpRequest, pk: int):
    if not linkage.may_run_linkage(request.auth):
        raise Http404
    run = LinkageRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return _run_out(run)
