"""Pages of the vulnerability index (/risiko/...): the map and ranking with what changed since
yesterday, a TPS's score and what drove it (and its mapping, editable), the alerts with their
acknowledgement, the catalogue of indicators with their weights, and the mapping import.

Readers of the situation room (``Action.VIEW``) read everything in their scope; Bawaslu and the
secretariat (``Action.EDIT_RISK``) edit the mapping and the weights; the agencies an alert went
to acknowledge it. Others get 404.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency
from siaga.core.errors import DomainError
from siaga.core.permissions import Action, require_or_404, user_scope
from siaga.dashboard.views import map_config
from siaga.risk import alerts, selectors, services, tasks
from siaga.risk.choices import Category, Source, Variable
from siaga.risk.forms import IkpForm, IndicatorForm, MappingUploadForm, ValueForm
from siaga.risk.models import Indicator
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level

PAGE_SIZE = 30
UPLOAD_SUFFIXES = (".csv", ".txt", ".xlsx")


@login_required
@require_GET
def overview(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    tasks.recompute_if_stale()
    category = request.GET.get("kategori") or None
    if category not in Category.values:
        category = None
    region = request.GET.get("wilayah") or None
    if region:
        try:
            selectors.region_get(user, region)
        except selectors.NotFound:
            raise Http404 from None
    page = Paginator(
        selectors.tps_risk_filter(user, region=region, category=category), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    names = selectors.indicator_names()
    for risk in page:
        risk.reasons = selectors.explain(risk.explanation[:3], names)
    try:
        home = region or wilayah_selectors.home_region(user=user).code
    except wilayah_selectors.NotFound:
        home = None
    return render(
        request,
        "risk/overview.html",
        {
            "map_config": map_config(region_code=home),
            "risk_layer_on": True,
            "summary": selectors.panel(user),
            "areas": selectors.areas(user, level=Level.DISTRICT),
            "changes": selectors.changes_since_yesterday(user),
            "alerts": selectors.alerts_visible(user).select_related("region")[:8],
            "ikp": selectors.ikp_visible(user),
            "page": page,
            "category": category,
            "region": region,
            "categories": Category.choices,
            "may_edit": selectors.may_edit(user),
            "query": _query(request),
            "rawan": settings.SIAGA_RISK_RAWAN,
            "sangat_rawan": settings.SIAGA_RISK_SANGAT_RAWAN,
        },
    )


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def tps_detail(request, tps_id: int):
    user = request.user
    require_or_404(user, Action.VIEW)
    try:
        detail = selectors.tps_detail(user, tps_id)
    except selectors.NotFound:
        raise Http404 from None
    may_edit = selectors.may_edit(user, detail.tps.desa_id)
    form = ValueForm(request.POST or None, indicators=detail.static_indicators)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        if form.is_valid():
            try:
                services.indicator_value_set(
                    context=AuditContext.from_request(request),
                    tps=detail.tps,
                    code=form.cleaned_data["indicator"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                tasks.recompute_soon(prefix=detail.tps.desa_id[:8])
                messages.success(request, _("Nilai disimpan; indeks dihitung ulang sebentar lagi."))
                return redirect("risk:tps", tps_id=tps_id)
    elif request.method != "GET":
        raise Http404
    return render(
        request,
        "risk/tps.html",
        {"detail": detail, "form": form, "may_edit": may_edit},
    )


@login_required
@require_GET
def alert_list(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    qs = selectors.alerts_visible(user).select_related("region", "tps", "acknowledged_by")
    if request.GET.get("terbuka"):
        qs = qs.filter(acknowledged_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.may_ack = alert.acknowledged_at is None and alerts.may_acknowledge(user, alert)
    return render(request, "risk/alerts.html", {"page": page, "query": _query(request)})


@login_required
@require_POST
def alert_ack(request, pk: int):
    try:
        alert = selectors.alert_get(request.user, pk)
    except selectors.NotFound:
        raise Http404 from None
    if not alerts.may_acknowledge(request.user, alert):
        raise Http404
    try:
        alerts.alert_acknowledge(alert=alert, context=AuditContext.from_request(request))
        messages.success(request, _("Peringatan diterima."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("risk:alerts")


@login_required
def indicators(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    may_edit = selectors.may_edit_catalogue(user)
    if request.method == "POST":
        if not may_edit:
            raise Http404
        form = IndicatorForm(request.POST)
        if form.is_valid():
            try:
                services.indicator_update(
                    context=AuditContext.from_request(request), **form.cleaned_data
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                tasks.recompute_soon()
                messages.success(request, _("Bobot disimpan; indeks dihitung ulang sebentar lagi."))
                return redirect("risk:indicators")
        else:
            messages.error(request, _("Bobot atau nilai penuh tidak sah."))
    elif request.method != "GET":
        raise Http404
    rows = list(Indicator.objects.all())
    groups = [
        (label, [i for i in rows if i.variable == value]) for value, label in Variable.choices
    ]
    return render(
        request,
        "risk/indicators.html",
        {
            "groups": groups,
            "may_edit": may_edit,
            "static": Source.STATIC,
            "ikp": selectors.ikp_visible(user),
            "ikp_form": IkpForm(initial={"region": deployment_regency()}),
        },
    )


@login_required
@require_POST
def ikp(request):
    if not selectors.may_edit_catalogue(request.user):
        raise Http404
    form = IkpForm(request.POST)
    if form.is_valid():
        try:
            services.ikp_set(context=AuditContext.from_request(request), **form.cleaned_data)
            messages.success(request, _("Skor IKP disimpan."))
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Skor IKP tidak sah."))
    return redirect("risk:indicators")


@login_required
def mapping_import(request):
    user = request.user
    require_or_404(user, Action.VIEW)
    if not selectors.may_edit(user):
        raise Http404
    scope = user_scope(user)
    regions = [deployment_regency()] if scope.everything else sorted(scope.codes)
    form = MappingUploadForm(request.POST or None, request.FILES or None, regions=regions)
    result = None
    if request.method == "POST" and form.is_valid():
        if not selectors.may_edit(user, form.cleaned_data["region"]):
            raise Http404
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            messages.error(request, _("Berkas harus CSV atau XLSX."))
        else:
            folder = Path(settings.MEDIA_ROOT) / "risk-imports"
            folder.mkdir(parents=True, exist_ok=True)
            stored = folder / f"{uuid.uuid4().hex}{suffix}"
            with stored.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                result = services.mapping_import(
                    stored,
                    context=AuditContext.from_request(request),
                    region_code=form.cleaned_data["region"],
                )
            finally:
                stored.unlink(missing_ok=True)
            if result.ok:
                tasks.recompute_soon()
                messages.success(
                    request,
                    ngettext(
                        "%(rows)d baris diimpor: %(set)d nilai diisi, %(cleared)d dihapus.",
                        "%(rows)d baris diimpor: %(set)d nilai diisi, %(cleared)d dihapus.",
                        result.rows,
                    )
                    % {
                        "rows": result.rows,
                        "set": result.values_set,
                        "cleared": result.values_cleared,
                    },
                )
                return redirect("risk:overview")
    elif request.method not in ("GET", "POST"):
        raise Http404
    static = list(Indicator.objects.filter(source=Source.STATIC))
    return render(
        request, "risk/import.html", {"form": form, "result": result, "indicators": static}
    )
