"""Pages of the situation reports (/laporan/): the archive, one report as its HTML document, its
PDF and its XLSX annexes, and the secretariat's "generate now" button.

Readers whose scope covers the regency (``Action.VIEW``) read the archive; for others it does
not exist (404). The button needs ``Action.COORDINATE``: a reader who may not press it gets 403.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from siaga.core import clock
from siaga.core.deployment import deployment_regency
from siaga.core.permissions import Action, can
from siaga.reports import selectors
from siaga.reports.services import report_hour

ARCHIVE_LIMIT = 370  # a year of days


def _report(request, day: str):
    try:
        return selectors.report_get(request.user, day)
    except selectors.NotFound as exc:
        raise Http404 from exc


def _filename(report, extension: str) -> str:
    return f"laporan-situasi-{slugify(report.region.name)}-{report.day.isoformat()}.{extension}"


@login_required
@require_GET
def archive(request):
    """The reports by day, latest first, with their three files."""
    user = request.user
    if not can(user, Action.VIEW):
        raise Http404
    regency = deployment_regency()
    reports = list(selectors.reports_visible(user)[:ARCHIVE_LIMIT])
    context = {
        "reports": reports,
        "can_generate": selectors.may_generate(user, regency),
        "today": clock.today(),
        "report_hour": report_hour(),
        "has_today": any(r.day == clock.today() and r.region_id == regency for r in reports),
    }
    return render(request, "reports/archive.html", context)


@login_required
@require_GET
def detail(request, day: str):
    """The archived HTML document, exactly as it was generated."""
    report = _report(request, day)
    return HttpResponse(report.html, content_type="text/html; charset=utf-8")


@login_required
@require_GET
def pdf(request, day: str):
    report = _report(request, day)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(report, "pdf")}"'
    return response


@login_required
@require_GET
def xlsx(request, day: str):
    report = _report(request, day)
    response = HttpResponse(
        bytes(report.xlsx),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


@login_required
@require_POST
def generate(request):
    """Queue today's report for the background worker (it replaces today's if there is one)."""
    from siaga.reports.tasks import report_generate_task

    user = request.user
    if not can(user, Action.VIEW):
        raise Http404
    regency = deployment_regency()
    if not selectors.may_generate(user, regency):
        return HttpResponseForbidden(_("Anda tidak berwenang membuat laporan situasi."))
    transaction.on_commit(lambda: report_generate_task.enqueue(regency, user.pk))
    if settings.SIAGA_TASK_WORKER:
        text = _("Laporan hari ini sedang dibuat; muat ulang halaman ini sebentar lagi.")
    else:
        text = _("Laporan hari ini masuk antrean; pekerja latar (db_worker) akan membuatnya.")
    messages.success(request, text)
    return redirect("reports:archive")
