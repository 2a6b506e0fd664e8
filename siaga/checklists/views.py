"""Checklist pages: the TPS whose checklist is missing or late (with the per-phase counts), the
history of one TPS with its answers and photos, and the photo itself.

Thin views: parse, authorise, call a selector, render. A TPS or photo outside the user's scope is
a 404, as if it did not exist; photos are served here after that check, never from a public
media URL.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from siaga.checklists import selectors
from siaga.checklists.forms import StatusFilterForm
from siaga.core.permissions import may_read
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level

PAGE_SIZE = 50


@login_required
@require_GET
def overview(request):
    """Per-phase counts, then the TPS × phase missing or late, filtered and paginated."""
    user = request.user
    if not may_read(user):
        raise Http404
    kecamatan = list(
        wilayah_selectors.regions_visible(user=user)
        .filter(level=Level.DISTRICT)
        .order_by("code")
        .values_list("code", "name")
    )
    form = StatusFilterForm(request.GET or None, kecamatan_choices=kecamatan)
    phase = region = state = None
    if form.is_valid():
        phase = form.cleaned_data["phase"] or None
        region = form.cleaned_data["kecamatan"] or None
        state = form.cleaned_data["state"] or None
    rows = selectors.checklist_status(user=user, region=region)
    counts = selectors.checklist_overview(user=user, region=region, rows=rows)
    wanted = (state,) if state else selectors.PROBLEM_STATES
    problems = [r for r in rows if r.state in wanted and (not phase or r.phase == phase)]
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "checklist_overview": counts,
        "region_code": region or "",
        "voting_day": selectors.voting_day(),
    }
    return render(request, "checklists/overview.html", context)


@login_required
@require_GET
def tps_history(request, tps_id: int):
    user = request.user
    if not may_read(user):
        raise Http404
    try:
        tps, history = selectors.tps_checklist_history(user=user, tps=tps_id)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return render(request, "checklists/tps.html", {"tps": tps, "history": history})


@login_required
@require_GET
def photo(request, pk: int):
    user = request.user
    if not may_read(user):
        raise Http404
    try:
        found = selectors.photo_get(user=user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="{found.item_key}-{found.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
