"""Pages of social-media monitoring (/medsos/...): the triage queue ordered by risk, a post with
its scores, the words behind them, its debunk, narrative and timeline, and the analysts' forms;
narratives and their spread; the debunk database; spike alerts; sources, file imports and the
crawler webhook's secret; the text model's card and its retraining.

Readers of the situation room (``Action.VIEW``: leadership, liaisons) read everything in their
scope; only Diskominfo's analysts and the secretariat (``Action.TRIAGE_MEDIA``) act; sources and
imports need ``Action.INGEST_MEDIA``. Others get 404.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency
from siaga.core.errors import DomainError
from siaga.core.permissions import Action, can, require_or_404, user_scope
from siaga.engines.nlp.classifier import explain
from siaga.media import alerts, debunks, selectors, sources, textmodel, workflow
from siaga.media.choices import HARMFUL, TRANSITIONS, VERDICTS, ReviewStatus, SourceKind
from siaga.media.connectors import ConnectorError
from siaga.media.forms import (
    ActionForm,
    DebunkForm,
    DebunkLinkForm,
    QueueFilterForm,
    SourceForm,
    TransitionForm,
    UploadForm,
)
from siaga.media.models import Debunk, IngestBatch, Post, Source
from siaga.media.tasks import model_retrain_task, posts_import_task
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level

PAGE_SIZE = 25
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx", ".jsonl", ".ndjson")


def _regions(user) -> list[tuple[str, str]]:
    rows = (
        wilayah_selectors.regions_visible(user=user)
        .filter(level__in=[Level.DISTRICT, Level.VILLAGE])
        .order_by("code")
        .values_list("code", "name", "level")
    )
    return [(c, n if lvl == Level.DISTRICT else f"· {n}") for c, n, lvl in rows]


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Masukan tidak sah.")


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- the queue and one post ------------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    form = QueueFilterForm(request.GET or None, regions=_regions(user))
    kwargs = form.selector_kwargs() if form.is_bound and form.is_valid() else {}
    qs = selectors.triage_queue(user, **kwargs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "media/queue.html",
        {
            "form": form,
            "page": page,
            "query": _query(request),
            "summary": selectors.summary(user),
            "alerts": selectors.alerts_visible(user).filter(acknowledged_at__isnull=True)[:5],
        },
    )


def _post(user, pk: int) -> Post:
    require_or_404(user, Action.VIEW)
    post = (
        selectors.posts_visible(user)
        .select_related("debunk", "narrative", "region", "source", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise Http404
    return post


def _explanations(post: Post) -> list[dict]:
    """The words behind each harmful label the model gave (empty when the model is gone)."""
    try:
        model = textmodel.current()
    except (OSError, ValueError):
        return []
    out = []
    for label in post.labels:
        if label in HARMFUL and label in model.labels:
            out.append({"label": label, "words": explain(model, post.text, top=6, label=label)})
    return out


@login_required
@require_GET
def post_detail(request, pk: int):
    user = request.user
    post = _post(user, pk)
    may_act = can(user, Action.TRIAGE_MEDIA, post.region_id)
    scores = sorted(post.scores.items(), key=lambda kv: -kv[1])
    return render(
        request,
        "media/post.html",
        {
            "post": post,
            "scores": [{"label": k, "value": v, "pct": round(v * 100)} for k, v in scores],
            "explanations": _explanations(post),
            "events": post.events.select_related("actor"),
            "may_act": may_act,
            "next_statuses": [(s, ReviewStatus(s).label) for s in sorted(TRANSITIONS[post.status])]
            if may_act
            else [],
            "may_record_action": may_act and post.status in VERDICTS | {ReviewStatus.ACTED},
            "transition_form": TransitionForm(
                initial={"labels": post.analyst_labels or post.labels}
            ),
            "action_form": ActionForm(),
            "debunk_choices": Debunk.objects.filter(active=True).order_by("-date")[:200]
            if may_act
            else [],
            "siblings": post.narrative.posts.exclude(pk=post.pk).order_by("-posted_at")[:10]
            if post.narrative_id
            else [],
            "parent": _parent(user, post),
        },
    )


def _parent(user, post: Post) -> Post | None:
    """The stored post this one replies to or quotes (same platform), when the user may see it;
    otherwise the page shows the parent's external id alone."""
    if not post.parent_external_id:
        return None
    return (
        selectors.posts_visible(user)
        .filter(platform=post.platform, external_id=post.parent_external_id)
        .only("pk", "platform", "external_id", "author", "text", "posted_at")
        .first()
    )


def _act(request, pk: int, form_class, perform):
    user = request.user
    post = _post(user, pk)
    if not can(user, Action.TRIAGE_MEDIA, post.region_id):
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("media:post", pk=pk)
    try:
        perform(post, form.cleaned_data, AuditContext.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Tersimpan."))
    return redirect("media:post", pk=pk)


@login_required
@require_POST
def post_status(request, pk: int):
    def perform(post, data, context):
        labels = data["labels"] if data["to"] in VERDICTS else None
        workflow.post_transition(
            post, to=data["to"], context=context, note=data["note"], labels=labels
        )

    return _act(request, pk, TransitionForm, perform)


@login_required
@require_POST
def post_action(request, pk: int):
    def perform(post, data, context):
        workflow.post_act(
            post, action=data["action"], context=context, note=data["note"], link=data["link"]
        )

    return _act(request, pk, ActionForm, perform)


@login_required
@require_POST
def post_debunk(request, pk: int):
    def perform(post, data, context):
        debunk = Debunk.objects.filter(pk=data["debunk"]).first() if data["debunk"] else None
        workflow.post_link_debunk(post, debunk=debunk, context=context, note=data["note"])

    return _act(request, pk, DebunkLinkForm, perform)


# --- narratives --------------------------------------------------------------------------------


@login_required
@require_GET
def narratives(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    order = "-post_count" if request.GET.get("urut") == "ukuran" else "-last_seen"
    qs = (
        selectors.narratives_visible(user).select_related("region", "debunk").order_by(order, "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "media/narratives.html", {"page": page, "query": _query(request)})


@login_required
@require_GET
def narrative_detail(request, pk: int):
    user = request.user
    require_or_404(user, Action.VIEW)
    narrative = (
        selectors.narratives_visible(user).select_related("region", "debunk").filter(pk=pk).first()
    )
    if narrative is None:
        raise Http404
    spread = selectors.narrative_spread(narrative)
    peak = max((h["posts"] for h in spread["per_hour"]), default=0) or 1
    for h in spread["per_hour"]:
        h["pct"] = round(100 * h["posts"] / peak)
    posts = selectors.posts_visible(user).filter(narrative=narrative).order_by("-posted_at")
    return render(
        request,
        "media/narrative.html",
        {
            "narrative": narrative,
            "spread": spread,
            "page": Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": _query(request),
            "alerts": narrative.alerts.all()[:10],
        },
    )


# --- debunks -------------------------------------------------------------------------------------


def _may_edit_debunks(user) -> bool:
    return can(user, Action.TRIAGE_MEDIA)


@login_required
@require_http_methods(["GET", "POST"])
def debunk_list(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    form = DebunkForm(request.POST or None, initial={"active": True})
    if request.method == "POST":
        require_or_404(user, Action.TRIAGE_MEDIA)
        if form.is_valid():
            try:
                debunks.debunk_create(
                    context=AuditContext.from_request(request),
                    region_code=deployment_regency(),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Klarifikasi ditambahkan."))
                return redirect("media:debunks")
        else:
            messages.error(request, _first_error(form))
    text = request.GET.get("q", "").strip()[:100]
    qs = selectors.debunks_visible()
    if text:
        qs = qs.filter(claim__icontains=text)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "media/debunks.html",
        {
            "page": page,
            "query": _query(request),
            "form": form,
            "upload_form": UploadForm(),
            "may_edit": _may_edit_debunks(user),
            "q": text,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def debunk_edit(request, pk: int):
    user = request.user
    require_or_404(user, Action.VIEW)
    debunk = Debunk.objects.filter(pk=pk).first()
    if debunk is None:
        raise Http404
    may_edit = _may_edit_debunks(user)
    initial = {n: getattr(debunk, n) for n in debunks.EDITABLE}
    form = DebunkForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require_or_404(user, Action.TRIAGE_MEDIA)
        if form.is_valid():
            try:
                debunks.debunk_update(
                    debunk,
                    context=AuditContext.from_request(request),
                    region_code=deployment_regency(),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Klarifikasi diperbarui."))
                return redirect("media:debunk", pk=pk)
        else:
            messages.error(request, _first_error(form))
    posts = selectors.posts_visible(user).filter(debunk=debunk).order_by("-posted_at")[:20]
    return render(
        request,
        "media/debunk.html",
        {"debunk": debunk, "form": form, "may_edit": may_edit, "posts": posts},
    )


def _save_upload(upload, folder: str) -> Path | None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return None
    target = Path(settings.DATA_DIR) / folder / f"{uuid.uuid4().hex}{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def _received_file(request, refused: str) -> Path | None:
    """The uploaded file saved under DATA_DIR, or None with a message saying why not."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return None
    upload = form.cleaned_data["file"]
    too_large = upload.size > settings.SIAGA_MEDIA_UPLOAD_MAX_MB * 1024 * 1024
    saved = None if too_large else _save_upload(upload, "media-uploads")
    if saved is None:
        messages.error(request, refused)
    return saved


@login_required
@require_POST
def debunk_import(request):
    user = request.user
    require_or_404(user, Action.TRIAGE_MEDIA)
    saved = _received_file(request, _("Berkas harus CSV atau XLSX dan tidak terlalu besar."))
    if saved is None:
        return redirect("media:debunks")
    try:
        report = debunks.debunks_import(
            saved, context=AuditContext.from_request(request), region_code=deployment_regency()
        )
    finally:
        saved.unlink(missing_ok=True)
    if report.errors:
        shown = "; ".join(str(e) for e in report.errors[:5])
        messages.error(
            request,
            ngettext(
                "Tidak ada yang disimpan: %(n)d galat. %(errors)s",
                "Tidak ada yang disimpan: %(n)d galat. %(errors)s",
                len(report.errors),
            )
            % {"n": len(report.errors), "errors": shown},
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(created)d klarifikasi baru, %(unchanged)d sudah ada.",
                "%(created)d klarifikasi baru, %(unchanged)d sudah ada.",
                report.created,
            )
            % {"created": report.created, "unchanged": report.unchanged},
        )
    return redirect("media:debunks")


# --- alerts --------------------------------------------------------------------------------------


@login_required
@require_GET
def alert_list(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    page = Paginator(selectors.alerts_visible(user), PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.may_ack = alert.acknowledged_at is None and can(
            user, Action.TRIAGE_MEDIA, alert.region_id
        )
    return render(request, "media/alerts.html", {"page": page, "query": _query(request)})


@login_required
@require_POST
def alert_ack(request, pk: int):
    user = request.user
    alert = selectors.alerts_visible(user).filter(pk=pk).first() if can(user, Action.VIEW) else None
    if alert is None or not can(user, Action.TRIAGE_MEDIA, alert.region_id):
        raise Http404
    try:
        alerts.alert_acknowledge(alert, context=AuditContext.from_request(request))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("media:alerts")


# --- sources and imports ------------------------------------------------------------------------


def _sources_visible(user):
    return Source.objects.filter(user_scope(user).q("region__code")).select_related("region")


@login_required
@require_http_methods(["GET", "POST"])
def source_list(request):
    user = request.user
    require_or_404(user, Action.INGEST_MEDIA)
    form = SourceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                source = sources.source_create(
                    context=AuditContext.from_request(request),
                    region_code=deployment_regency(),
                    name=d["name"],
                    kind=d["kind"],
                    platform=d["platform"],
                    url=d["url"],
                    connector=d["connector"],
                    poll_minutes=d["poll_minutes"],
                )
            except (DomainError, ConnectorError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Sumber ditambahkan."))
                return redirect("media:source", pk=source.pk)
        else:
            messages.error(request, _first_error(form))
    batches = (
        IngestBatch.objects.filter(source__in=_sources_visible(user))
        .select_related("source", "created_by")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "media/sources.html",
        {
            "sources": _sources_visible(user),
            "form": form,
            "upload_form": UploadForm(),
            "batches": batches,
        },
    )


@login_required
@require_GET
def source_detail(request, pk: int):
    user = request.user
    require_or_404(user, Action.INGEST_MEDIA)
    source = _sources_visible(user).filter(pk=pk).first()
    if source is None:
        raise Http404
    return render(
        request,
        "media/source.html",
        {
            "source": source,
            "webhook_url": request.build_absolute_uri(f"/webhooks/media/{source.slug}")
            if source.kind == SourceKind.WEBHOOK
            else "",
            "batches": source.batches.order_by("-created_at", "-pk")[:20],
        },
    )


@login_required
@require_POST
def posts_upload(request):
    user = request.user
    require_or_404(user, Action.INGEST_MEDIA)
    saved = _received_file(
        request, _("Berkas harus CSV, XLSX atau JSON Lines dan tidak terlalu besar.")
    )
    if saved is None:
        return redirect("media:sources")
    context = AuditContext.from_request(request)
    source = sources.file_source(deployment_regency(), context=context)
    transaction.on_commit(lambda: posts_import_task.enqueue(str(saved), source.pk, user.pk))
    messages.success(
        request, _("Berkas diterima dan sedang diproses; hasilnya muncul di daftar kiriman.")
    )
    return redirect("media:sources")


# --- the model ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def model_card(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    if request.method == "POST":
        require_or_404(user, Action.TRIAGE_MEDIA)
        transaction.on_commit(lambda: model_retrain_task.enqueue(user.pk))
        messages.success(request, _("Pelatihan ulang model dijadwalkan."))
        return redirect("media:model")
    return render(
        request,
        "media/model.html",
        {
            "card": textmodel.card(),
            "analyst_rows": Post.objects.filter(analyst_labels__isnull=False).count(),
            "may_retrain": can(user, Action.TRIAGE_MEDIA),
        },
    )


urlpatterns = [
    path("", queue, name="queue"),
    path("unggahan/<int:pk>/", post_detail, name="post"),
    path("unggahan/<int:pk>/status", post_status, name="post_status"),
    path("unggahan/<int:pk>/tindakan", post_action, name="post_action"),
    path("unggahan/<int:pk>/klarifikasi", post_debunk, name="post_debunk"),
    path("narasi/", narratives, name="narratives"),
    path("narasi/<int:pk>/", narrative_detail, name="narrative"),
    path("klarifikasi/", debunk_list, name="debunks"),
    path("klarifikasi/impor", debunk_import, name="debunks_import"),
    path("klarifikasi/<int:pk>/", debunk_edit, name="debunk"),
    path("peringatan/", alert_list, name="alerts"),
    path("peringatan/<int:pk>/terima", alert_ack, name="alert_ack"),
    path("sumber/", source_list, name="sources"),
    path("sumber/<int:pk>/", source_detail, name="source"),
    path("sumber/impor", posts_upload, name="posts_upload"),
    path("model/", model_card, name="model"),
]
