"""Situation-room pages of incident reports: the list with its filters and the briefing counts,
the live feed (polled by htmx), the detail with its timeline and workflow actions, the history
of one TPS, and the attachments.

Thin views: parse, authorise, call ``siaga.incidents.selectors`` / ``services``, render. A report
the user may not see is a 404, as if it did not exist; an action the user may not take on a
report they see is a 403 (the page never offers it). Refusals of the workflow (a reason missing,
a state that cannot follow) are shown as messages on the report's page (POST-redirect-GET).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from siaga.accounts.models import Agency
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.calendar import PHASES
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can, may_read, scope_open_q, user_scope
from siaga.incidents import selectors, services
from siaga.incidents.choices import OPEN_STATES, SEVERITY_RANK, EventKind, Severity, State
from siaga.incidents.forms_triage import (
    FeedForm,
    IncidentFilterForm,
    NoteForm,
    ShareForm,
    TransitionForm,
)
from siaga.incidents.models import Category, Incident, Media
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level

PAGE_SIZE = 25
FEED_LIMIT = 10
TPS_HISTORY_LIMIT = 50
HTMX_STOP_POLLING = 286  # tells htmx to stop polling (the session has ended)

PHASE_LABELS = {p.code: p.label for p in PHASES}
REASON_LABELS = {
    "same_category": gettext_lazy("kategori sama"),
    "same_tps": gettext_lazy("TPS sama"),
    "nearby": gettext_lazy("lokasi berdekatan"),
    "same_desa": gettext_lazy("desa sama"),
    "close_in_time": gettext_lazy("waktu berdekatan"),
    "similar_text": gettext_lazy("uraian mirip"),
}


def _incident(user, ticket: str) -> Incident:
    try:
        return selectors.incident_get(user=user, ticket=ticket)
    except selectors.NotFound as exc:
        raise Http404 from exc


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Masukan tidak sah.")


def _filter_choices(user) -> tuple[list, list]:
    """Kecamatan and desa (indented under their kecamatan) and agencies the user may open."""
    rows = (
        wilayah_selectors.regions_visible(user=user)
        .filter(level__in=[Level.DISTRICT, Level.VILLAGE])
        .order_by("code")
        .values_list("code", "name", "level")
    )
    regions = [
        (code, name if level == Level.DISTRICT else f"· {name}") for code, name, level in rows
    ]
    agencies: list = []
    if can(user, Action.VIEW):
        agencies = list(
            Agency.objects.filter(scope_open_q(user_scope(user), "region__code")).values_list(
                "pk", "name"
            )
        )
    return regions, agencies


def _briefing_counts(qs) -> dict:
    """Counts for the daily briefing over ``qs``: totals, by state and by category."""
    # A subquery, so that the agency join of a liaison's reports cannot count a report twice.
    base = Incident.objects.filter(pk__in=qs.order_by().values("pk"))
    now = clock.now()
    totals = base.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        last_day=Count("pk", filter=Q(received_at__gte=now - dt.timedelta(hours=24))),
        escalated=Count("pk", filter=Q(state__in=OPEN_STATES, escalated_at__isnull=False)),
        overdue=Count("pk", filter=Q(state=State.DITINDAKLANJUTI, sla_due_at__lt=now)),
        critical=Count(
            "pk", filter=Q(state__in=OPEN_STATES, severity__in=[Severity.TINGGI, Severity.KRITIS])
        ),
    )
    by_state = selectors.counts_by(base, "state")
    by_category = selectors.counts_by(base, "category_id")
    categories = {c.pk: c for c in Category.objects.filter(pk__in=list(by_category))}
    return {
        **totals,
        "by_state": [(s, by_state[s.value]) for s in State if by_state.get(s.value)],
        "by_category": sorted(
            ((categories[pk], n) for pk, n in by_category.items()),
            key=lambda row: (-row[1], row[0].sort_order),
        ),
    }


# --- the feed -------------------------------------------------------------------------------


def _feed(user, *, filters: dict, since: dt.datetime | None, limit: int) -> dict:
    """The newest reports received after ``since`` and the URL that asks for the next ones."""
    qs = selectors.incidents_filter(selectors.incidents_visible(user=user), **filters)
    if since is not None:
        qs = qs.filter(received_at__gt=since)
    items = list(qs.order_by("-received_at", "-pk")[:limit])
    cursor = items[0].received_at if items else (since or clock.now())
    params = {k: v for k, v in filters.items() if v not in ("", None, False)}
    params.update(since=cursor.isoformat(), limit=limit)
    return {
        "items": items,
        "since": cursor,
        "next_url": reverse("incidents:feed") + "?" + urlencode(params),
    }


@require_GET
def feed(request):
    """New reports since ``since`` (ISO 8601), newest first: a fragment for htmx polling.

    Without ``since``: the latest ``limit`` reports. The fragment ends with the poller element
    (an out-of-band swap) carrying the next cursor. Once the session has ended it answers 286,
    which tells htmx to stop polling, instead of pasting the login page into the panel.
    """
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=HTMX_STOP_POLLING)
    if not may_read(user):
        raise Http404
    form = FeedForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_first_error(form), status=400, content_type="text/plain")
    data = form.cleaned_data
    filters = form.selector_kwargs()
    context = {
        "feed": _feed(
            user, filters=filters, since=data["since"], limit=data["limit"] or FEED_LIMIT
        ),
        "feed_oob": True,
    }
    return render(request, "incidents/_feed.html", context)


# --- the list -------------------------------------------------------------------------------


@login_required
@require_GET
def incident_list(request):
    user = request.user
    if not may_read(user):
        raise Http404
    regions, agencies = _filter_choices(user)
    form = IncidentFilterForm(request.GET or None, regions=regions, agencies=agencies)
    visible = selectors.incidents_visible(user=user)
    filters: dict = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.selector_kwargs()
            qs = selectors.incidents_filter(visible, **filters)
        else:
            qs = visible.none()
    else:
        qs = visible
    page = Paginator(qs.select_related("merged_into"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": _briefing_counts(qs),
        "feed": _feed(user, filters=filters, since=None, limit=FEED_LIMIT),
        "may_view": can(user, Action.VIEW),
        "is_own_list": not can(user, Action.VIEW),
        "phase_labels": PHASE_LABELS,
    }
    return render(request, "incidents/list.html", context)


# --- the detail and its actions -----------------------------------------------------------


def _covering_agencies(incident: Incident):
    """Agencies whose region is the report's desa or lies above it (they may act there)."""
    parts = incident.region_id.split(".")
    codes = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return Agency.objects.filter(region_id__in=codes).order_by("name")


def _map_point(incident: Incident) -> dict | None:
    for source in (incident, incident.tps, incident.region):
        if source is not None and source.lat is not None and source.lon is not None:
            return {
                "lat": source.lat,
                "lon": source.lon,
                "label": incident.ticket,
                "severity": incident.severity,
                "exact": source is incident,
                "tileUrl": settings.SIAGA_MAP_TILE_URL,
                "tileAttribution": getattr(settings, "SIAGA_MAP_TILE_ATTRIBUTION", ""),
            }
    return None


@login_required
@require_GET
def incident_detail(request, ticket: str):
    user = request.user
    incident = _incident(user, ticket)
    transitions = services.allowed_transitions(user, incident)
    may_triage = services.may_triage(user, incident)
    may_note = may_triage or services.may_handle(user, incident)
    covering = list(_covering_agencies(incident)) if may_triage else []
    shared = list(incident.shared_with.order_by("name"))
    suggestions = []
    if can(user, Action.VIEW):
        suggestions = [
            (other, [REASON_LABELS.get(r, r) for r in s.reasons], round(s.score * 100))
            for other, s in selectors.duplicate_suggestions(user=user, incident=incident)
        ]
    events = list(incident.events.all())
    reporter = selectors.reporter_label(user, incident)
    for event in events:
        event.to_label = State(event.to_state).label if event.to_state in State.values else ""
        if event.kind == EventKind.CREATED and event.actor_id == incident.reporter_id:
            event.actor_label = reporter  # the timeline must not name whom the page masks
    merged_here = selectors.incidents_visible(user=user).filter(merged_into=incident)
    now = clock.now()
    context = {
        "incident": incident,
        "reporter": reporter,
        "may_see_reporter": selectors.may_see_reporter(user, incident),
        "media": list(incident.media.all()),
        "events": events,
        "shared": shared,
        "merged_here": list(merged_here),
        "merged_into_visible": incident.merged_into_id
        and selectors.incidents_visible(user=user).filter(pk=incident.merged_into_id).exists(),
        "suggestions": suggestions,
        "transitions": transitions,
        "may_note": may_note,
        "may_share": may_triage,
        "assign_agencies": covering,
        "share_agencies": [a for a in covering if a not in shared],
        "overdue": bool(
            incident.state == State.DITINDAKLANJUTI
            and incident.sla_due_at
            and incident.sla_due_at < now
        ),
        "phase_label": PHASE_LABELS.get(incident.phase, incident.phase),
        "map_point": _map_point(incident),
        "may_view": can(user, Action.VIEW),
        "State": {s.name: s.value for s in State},
        "severity_rank": SEVERITY_RANK[Severity(incident.severity)],
    }
    return render(request, "incidents/detail.html", context)


def _back(incident: Incident):
    return redirect("incidents:detail", ticket=incident.ticket)


SUCCESS = {
    State.DIVERIFIKASI: gettext_lazy("Laporan %(ticket)s diverifikasi."),
    State.DITOLAK: gettext_lazy("Laporan %(ticket)s ditolak."),
    State.DITINDAKLANJUTI: gettext_lazy("Laporan %(ticket)s ditugaskan ke %(agency)s."),
    State.SELESAI: gettext_lazy("Laporan %(ticket)s selesai ditindaklanjuti."),
    State.DIGABUNG: gettext_lazy("Laporan %(ticket)s digabung ke %(target)s."),
    State.DITERIMA: gettext_lazy("Laporan %(ticket)s dibuka kembali."),
}


@login_required
@require_POST
def incident_transition(request, ticket: str):
    """One workflow step (verify, reject, assign, resolve, merge, reopen) of one report."""
    user = request.user
    incident = _incident(user, ticket)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(incident)
    data = form.cleaned_data
    agency = None
    if data["agency"]:
        agency = _covering_agencies(incident).filter(code=data["agency"]).first()
        if agency is None:
            messages.error(request, _("Instansi: tidak dikenal atau tidak mencakup wilayah ini."))
            return _back(incident)
    target = None
    if data["merge_into"]:
        try:
            target = selectors.incident_get(user=user, ticket=data["merge_into"])
        except selectors.NotFound:
            messages.error(
                request,
                _("Digabung ke laporan: %(ticket)s tidak ditemukan.")
                % {"ticket": data["merge_into"].strip().upper()},
            )
            return _back(incident)
    try:
        incident = services.incident_transition(
            context=AuditContext.from_request(request, "web"),
            user=user,
            incident=incident,
            to_state=data["state"],
            note=data["note"],
            agency=agency,
            merge_into=target,
        )
    except PermissionDenied as exc:
        raise HttpForbidden(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return _back(incident)
    messages.success(
        request,
        SUCCESS[State(incident.state)]
        % {
            "ticket": incident.ticket,
            "agency": agency.name if agency else "",
            "target": incident.merged_into.ticket if incident.merged_into_id else "",
        },
    )
    return _back(incident)


@login_required
@require_POST
def incident_note(request, ticket: str):
    user = request.user
    incident = _incident(user, ticket)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(incident)
    try:
        services.incident_note(
            context=AuditContext.from_request(request, "web"),
            user=user,
            incident=incident,
            text=form.cleaned_data["text"],
        )
    except PermissionDenied as exc:
        raise HttpForbidden(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Catatan ditambahkan."))
    return _back(incident)


@login_required
@require_POST
def incident_share(request, ticket: str):
    user = request.user
    incident = _incident(user, ticket)
    if not services.may_triage(user, incident):
        raise HttpForbidden(_("Anda tidak berwenang membagikan laporan ini."))
    covering = {a.code: a for a in _covering_agencies(incident)}
    form = ShareForm(request.POST, agencies=[(code, a.name) for code, a in covering.items()])
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(incident)
    try:
        services.incident_share(
            context=AuditContext.from_request(request, "web"),
            user=user,
            incident=incident,
            agencies=[covering[code] for code in form.cleaned_data["agencies"]],
        )
    except PermissionDenied as exc:
        raise HttpForbidden(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Laporan dibagikan."))
    return _back(incident)


# --- per TPS --------------------------------------------------------------------------------


@login_required
@require_GET
def tps_history(request, pk: int):
    """The reports of one TPS the user may see; a fragment for the TPS page (htmx), or a page."""
    user = request.user
    try:
        tps = wilayah_selectors.tps_get(user=user, pk=pk)
    except wilayah_selectors.NotFound as exc:
        raise Http404 from exc
    history = selectors.tps_history(user=user, tps_id=tps.pk)
    context = {
        "tps": tps,
        "history": list(history[:TPS_HISTORY_LIMIT]),
        "history_count": history.count(),
        "history_limit": TPS_HISTORY_LIMIT,
    }
    if request.headers.get("HX-Request"):
        return render(request, "incidents/_tps_history.html", context)
    return render(request, "incidents/tps_history.html", context)


# --- attachments ----------------------------------------------------------------------------


@login_required
def media(request, pk: int):
    """An attachment, only for users who may see its report (uploads are never public URLs)."""
    item = Media.objects.filter(pk=pk).select_related("incident").first()
    if (
        item is None
        or not selectors.incidents_visible(user=request.user).filter(pk=item.incident_id).exists()
    ):
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = (
        f'inline; filename="{item.incident.ticket}-{item.pk}.{item.extension}"'
    )
    return response
