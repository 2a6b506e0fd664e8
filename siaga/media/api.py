"""API of social-media monitoring (/api/v1/media/...).

The same rules as the pages (``siaga.media.views``): readers of the situation room see posts,
narratives, debunks and alerts in their scope; Diskominfo analysts and the secretariat
(``Action.TRIAGE_MEDIA``) act; ``POST /posts`` takes a batch from a crawler holding an API
token with ``Action.INGEST_MEDIA`` (Diskominfo's machine accounts). Outside one's scope an
object does not exist (404).
"""

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can, require_or_404
from siaga.media import alerts, debunks, selectors, sources, workflow
from siaga.media.choices import ActionKind, Label, Platform, ReviewStatus, Verdict
from siaga.media.errors import MediaError
from siaga.media.ingest import ingest
from siaga.media.models import Debunk, MediaAlert, Narrative, Post
from siaga.media.webhooks import MAX_POSTS
from siaga.wilayah.api import PagedRows, SiagaPagination

router = Router(tags=["media"])


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class PostOut(Schema):
    id: int
    platform: str
    external_id: str
    author: str
    author_official: bool
    parent_external_id: str = Field(description="The post this one replies to (same platform).")
    text: str
    url: str
    posted_at: dt.datetime
    likes: int
    shares: int
    replies: int
    scores: dict[str, float] = Field(description="Calibrated score per label (0-1).")
    labels: list[str] = Field(description="The labels over their threshold.")
    risk: float = Field(description="score × reach × local relevance: the triage order.")
    region: str = Field(description="The most specific place named, else the source's region.")
    places: list[str]
    debunk_id: int | None
    debunk_score: float | None
    narrative_id: int | None
    status: ReviewStatus
    analyst_labels: list[str] | None


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    kind: str
    status_from: str
    status_to: str
    action: str
    note: str
    link: str


class PostDetailOut(PostOut):
    events: list[EventOut]


class PostFilters(Schema):
    status: str = Field("", description="A review status, 'semua' for all; default: open ones.")
    label: Label | None = None
    platform: Platform | None = None
    region: str = Field("", description="Kecamatan or desa code.")
    matched: bool = Field(False, description="Only posts matching a known debunk.")
    q: str = Field("", max_length=100, description="Text contains.")


class TransitionIn(Schema):
    to: ReviewStatus
    note: str = ""
    labels: list[Label] | None = Field(
        None, description="The analyst's labels (for a verdict); default: the model's."
    )


class ActionIn(Schema):
    action: ActionKind
    note: str = ""
    link: str = ""


class BatchIn(Schema):
    posts: list[dict] = Field(description=f"At most {MAX_POSTS} records (see docs/media.md).")


class RecordErrorOut(Schema):
    row: int
    field: str
    message: str


class BatchOut(Schema):
    batch: int
    received: int
    stored: int
    updated: int
    rejected: int
    errors: list[RecordErrorOut]


class NarrativeOut(Schema):
    id: int
    title: str
    post_count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    region: str | None
    debunk_id: int | None


class HourOut(Schema):
    hour: dt.datetime
    posts: int


class NarrativeDetailOut(NarrativeOut):
    accounts: int
    platforms: dict[str, int]
    per_hour: list[HourOut]


class DebunkIn(Schema):
    claim: str
    verdict: Verdict
    date: dt.date
    source_url: str = ""
    category: str = ""
    explanation: str = ""
    active: bool = True


class DebunkPatch(Schema):
    claim: str | None = None
    verdict: Verdict | None = None
    date: dt.date | None = None
    source_url: str | None = None
    category: str | None = None
    explanation: str | None = None
    active: bool | None = None


class DebunkOut(Schema):
    id: int
    claim: str
    verdict: Verdict
    date: dt.date
    source_url: str
    category: str
    explanation: str
    active: bool


class AlertOut(Schema):
    id: int
    kind: str
    narrative_id: int | None
    region: str
    fired_at: dt.datetime
    observed: int
    expected: float
    p_value: float
    reason: str
    acknowledged_at: dt.datetime | None


class SummaryOut(Schema):
    posts: int
    flagged: int
    to_review: int
    hoaxes: int
    matched: int
    alerts_open: int


def _post_out(p: Post) -> dict:
    return {
        "id": p.pk,
        "platform": p.platform,
        "external_id": p.external_id,
        "author": p.author,
        "author_official": p.author_official,
        "parent_external_id": p.parent_external_id,
        "text": p.text,
        "url": p.url,
        "posted_at": p.posted_at,
        "likes": p.likes,
        "shares": p.shares,
        "replies": p.replies,
        "scores": p.scores,
        "labels": p.labels,
        "risk": p.risk,
        "region": p.region_id,
        "places": p.places,
        "debunk_id": p.debunk_id,
        "debunk_score": p.debunk_score,
        "narrative_id": p.narrative_id,
        "status": p.status,
        "analyst_labels": p.analyst_labels,
    }


def _post(request, pk: int) -> Post:
    require_or_404(request.auth, Action.VIEW)
    post = selectors.posts_visible(request.auth).filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def _detail(post: Post) -> dict:
    events = [
        {
            "at": e.at,
            "actor": e.actor.get_username() if e.actor_id else None,
            "kind": e.kind,
            "status_from": e.status_from,
            "status_to": e.status_to,
            "action": e.action,
            "note": e.note,
            "link": e.link,
        }
        for e in post.events.select_related("actor")
    ]
    return {**_post_out(post), "events": events}


@router.get("/posts", response=list[PostOut], summary="The triage queue, riskiest first")
@paginate(SiagaPagination)
def post_list(request: HttpRequest, filters: Query[PostFilters]):
    if not can(request.auth, Action.VIEW):
        return PagedRows(Post.objects.none(), _post_out)
    qs = selectors.triage_queue(
        request.auth,
        status=filters.status,
        label=filters.label or "",
        platform=filters.platform or "",
        region=filters.region,
        matched=filters.matched,
        text=filters.q,
    )
    return PagedRows(qs, _post_out)


@router.post(
    "/posts",
    response={200: BatchOut, 400: ErrorOut, 403: ErrorOut, 413: ErrorOut},
    summary="Push a batch of posts (crawlers)",
    description="Idempotent on (platform, external_id); bad records are reported by row and "
    "field while the good ones are stored.",
)
def post_batch(request: HttpRequest, payload: BatchIn):
    user = request.auth
    regency = deployment_regency()
    if not can(user, Action.INGEST_MEDIA, regency):
        return Status(403, {"detail": "Tidak berwenang mengirim unggahan.", "field": None})
    if len(payload.posts) > MAX_POSTS:
        return Status(413, {"detail": f"Paling banyak {MAX_POSTS} unggahan.", "field": "posts"})
    context = AuditContext.from_request(request, channel="api")
    source = sources.api_source(user, regency, context=context)
    result = ingest(list(enumerate(payload.posts, 1)), source=source, context=context)
    return {
        "batch": result.batch.pk,
        "received": result.batch.received,
        "stored": result.stored,
        "updated": result.updated,
        "rejected": result.rejected,
        "errors": [e.as_dict() for e in result.errors[:200]],
    }


@router.get("/posts/{pk}", response=PostDetailOut, summary="One post with its timeline")
def post_detail(request: HttpRequest, pk: int):
    return _detail(_post(request, pk))


ACT_RESPONSES = {200: PostDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _act(request, pk: int, perform):
    post = _post(request, pk)
    try:
        perform(post, AuditContext.from_request(request, channel="api"))
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc), "field": None})
    except MediaError as exc:
        code = 409 if exc.field == "status" else 400
        return Status(code, {"detail": str(exc), "field": exc.field or None})
    except DomainError as exc:
        return Status(400, {"detail": str(exc), "field": None})
    return _detail(Post.objects.get(pk=pk))


@router.post("/posts/{pk}/status", response=ACT_RESPONSES, summary="Move a post in the review")
def post_status(request: HttpRequest, pk: int, payload: TransitionIn):
    return _act(
        request,
        pk,
        lambda post, ctx: workflow.post_transition(
            post,
            to=payload.to,
            context=ctx,
            note=payload.note,
            labels=[str(x) for x in payload.labels] if payload.labels is not None else None,
        ),
    )


@router.post("/posts/{pk}/actions", response=ACT_RESPONSES, summary="Record an action taken")
def post_action(request: HttpRequest, pk: int, payload: ActionIn):
    return _act(
        request,
        pk,
        lambda post, ctx: workflow.post_act(
            post, action=payload.action, context=ctx, note=payload.note, link=payload.link
        ),
    )


def _narrative_out(n: Narrative) -> dict:
    return {
        "id": n.pk,
        "title": n.title,
        "post_count": n.post_count,
        "first_seen": n.first_seen,
        "last_seen": n.last_seen,
        "region": n.region_id,
        "debunk_id": n.debunk_id,
    }


@router.get("/narratives", response=list[NarrativeOut], summary="Narratives, latest first")
@paginate(SiagaPagination)
def narrative_list(request: HttpRequest):
    if not can(request.auth, Action.VIEW):
        return PagedRows(Narrative.objects.none(), _narrative_out)
    qs = selectors.narratives_visible(request.auth).order_by("-last_seen", "-pk")
    return PagedRows(qs, _narrative_out)


@router.get("/narratives/{pk}", response=NarrativeDetailOut, summary="A narrative and its spread")
def narrative_detail(request: HttpRequest, pk: int):
    require_or_404(request.auth, Action.VIEW)
    narrative = selectors.narratives_visible(request.auth).filter(pk=pk).first()
    if narrative is None:
        raise Http404
    spread = selectors.narrative_spread(narrative)
    return {
        **_narrative_out(narrative),
        "accounts": spread["accounts"],
        "platforms": spread["platforms"],
        "per_hour": spread["per_hour"],
    }


def _debunk_out(d: Debunk) -> dict:
    return {
        "id": d.pk,
        "claim": d.claim,
        "verdict": d.verdict,
        "date": d.date,
        "source_url": d.source_url,
        "category": d.category,
        "explanation": d.explanation,
        "active": d.active,
    }


@router.get("/debunks", response=list[DebunkOut], summary="The debunk database")
@paginate(SiagaPagination)
def debunk_list(request: HttpRequest, q: str = ""):
    if not can(request.auth, Action.VIEW):
        return PagedRows(Debunk.objects.none(), _debunk_out)
    qs = selectors.debunks_visible()
    if q:
        qs = qs.filter(claim__icontains=q[:100])
    return PagedRows(qs, _debunk_out)


DEBUNK_RESPONSES = {200: DebunkOut, 201: DebunkOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


@router.post("/debunks", response=DEBUNK_RESPONSES, summary="Add a debunk")
def debunk_create(request: HttpRequest, payload: DebunkIn):
    require_or_404(request.auth, Action.VIEW)  # field monitors: no media at all (404), as for PATCH
    if not can(request.auth, Action.TRIAGE_MEDIA):
        return Status(403, {"detail": "Tidak berwenang mengubah klarifikasi.", "field": None})
    try:
        debunk = debunks.debunk_create(
            context=AuditContext.from_request(request, channel="api"),
            region_code=deployment_regency(),
            **payload.dict(),
        )
    except MediaError as exc:
        return Status(400, {"detail": str(exc), "field": exc.field or None})
    return Status(201, _debunk_out(debunk))


@router.patch("/debunks/{pk}", response=DEBUNK_RESPONSES, summary="Edit a debunk")
def debunk_update(request: HttpRequest, pk: int, payload: DebunkPatch):
    require_or_404(request.auth, Action.VIEW)
    debunk = Debunk.objects.filter(pk=pk).first()
    if debunk is None:
        raise Http404
    if not can(request.auth, Action.TRIAGE_MEDIA):
        return Status(403, {"detail": "Tidak berwenang mengubah klarifikasi.", "field": None})
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    try:
        debunk = debunks.debunk_update(
            debunk,
            context=AuditContext.from_request(request, channel="api"),
            region_code=deployment_regency(),
            **fields,
        )
    except MediaError as exc:
        return Status(400, {"detail": str(exc), "field": exc.field or None})
    return _debunk_out(debunk)


def _alert_out(a: MediaAlert) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "narrative_id": a.narrative_id,
        "region": a.region_id,
        "fired_at": a.fired_at,
        "observed": a.observed,
        "expected": a.expected,
        "p_value": a.p_value,
        "reason": a.reason,
        "acknowledged_at": a.acknowledged_at,
    }


@router.get("/alerts", response=list[AlertOut], summary="Spike alerts, latest first")
@paginate(SiagaPagination)
def alert_list(request: HttpRequest, open_only: bool = False):
    if not can(request.auth, Action.VIEW):
        return PagedRows(MediaAlert.objects.none(), _alert_out)
    qs = selectors.alerts_visible(request.auth)
    if open_only:
        qs = qs.filter(acknowledged_at__isnull=True)
    return PagedRows(qs, _alert_out)


@router.post(
    "/alerts/{pk}/acknowledge",
    response={200: AlertOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Acknowledge an alert",
)
def alert_ack(request: HttpRequest, pk: int):
    require_or_404(request.auth, Action.VIEW)
    alert = selectors.alerts_visible(request.auth).filter(pk=pk).first()
    if alert is None:
        raise Http404
    if not can(request.auth, Action.TRIAGE_MEDIA, alert.region_id):
        # a reader sees the alert but may not act on it, as with a post's status
        return Status(403, {"detail": "Tidak berwenang menerima peringatan.", "field": None})
    try:
        alert = alerts.alert_acknowledge(
            alert, context=AuditContext.from_request(request, channel="api")
        )
    except MediaError as exc:
        return Status(409, {"detail": str(exc), "field": None})
    return _alert_out(alert)


@router.get("/summary", response=SummaryOut, summary="The media numbers of the last 24 hours")
def summary(request: HttpRequest):
    require_or_404(request.auth, Action.VIEW)
    return selectors.summary(request.auth)
