"""API of the daily situation reports (/api/v1/reports...).

GET lists the archive (reports of the regencies the caller's scope covers) and one day's report
with every number it shows (``figures``) and the links to its files; POST generates today's
report now (synchronously: a client asking wants the result) and distributes it on request.
Reading needs ``Action.VIEW`` (a report outside the scope is 404); generating needs
``Action.COORDINATE`` over the regency (403 otherwise). Refused input answers 400 with
``detail`` and the ``field`` at fault.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency
from siaga.core.errors import PermissionDenied
from siaga.core.permissions import Action, can
from siaga.reports import selectors, services
from siaga.reports.models import SituationReport

router = Router(tags=["reports"])


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. day.")


class ReportOut(Schema):
    day: dt.date
    region_code: str
    region_name: str
    generated_at: dt.datetime
    generated_by: str | None = Field(description="Username; null for the scheduled report.")
    distributed_at: dt.datetime | None
    audit_head: str = Field(description="Hash of the latest audit event when generated.")
    html_url: str
    pdf_url: str
    xlsx_url: str


class ReportDetailOut(ReportOut):
    figures: dict = Field(
        description="Every number of the report by section (summary, logistics, checklists, "
        "incidents, media, risk, security, postelection, tasks, audit); a section whose "
        "module is not installed is absent."
    )


class GenerateIn(Schema):
    day: dt.date | None = Field(None, description="Only today (the deployment's clock).")
    distribute: bool = Field(False, description="Also notify leadership and liaisons.")


def _user(request: HttpRequest):
    return request.auth


def _out(report: SituationReport, *, figures: bool = False) -> dict:
    day = report.day.isoformat()
    out = {
        "day": report.day,
        "region_code": report.region_id,
        "region_name": report.region.name,
        "generated_at": report.generated_at,
        "generated_by": report.generated_by.username if report.generated_by_id else None,
        "distributed_at": report.distributed_at,
        "audit_head": report.audit_head,
        "html_url": reverse("reports:detail", args=[day]),
        "pdf_url": reverse("reports:pdf", args=[day]),
        "xlsx_url": reverse("reports:xlsx", args=[day]),
    }
    if figures:
        out["figures"] = report.figures
    return out


@router.get(
    "",
    response=list[ReportOut],
    summary="The archive of daily situation reports",
    description="Reports of the regencies the caller's scope covers, latest day first.",
)
def report_list(request: HttpRequest):
    if not can(_user(request), Action.VIEW):
        raise Http404
    return [_out(r) for r in selectors.reports_visible(_user(request))[:370]]


@router.get(
    "/{day}",
    response=ReportDetailOut,
    summary="One day's situation report with its figures",
    description="`day` is YYYY-MM-DD; 404 when there is no report that day in the scope.",
)
def report_detail(request: HttpRequest, day: str):
    try:
        report = selectors.report_get(_user(request), day)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return _out(report, figures=True)


@router.post(
    "",
    response={201: ReportDetailOut, 400: ErrorOut, 403: ErrorOut},
    summary="Generate today's situation report now",
    description=(
        "Replaces today's report when there is one. 201 with the report; 400 naming the field "
        "at fault; 403 without COORDINATE over the regency."
    ),
)
def report_create(request: HttpRequest, payload: GenerateIn):
    user = _user(request)
    if not can(user, Action.VIEW):
        raise Http404
    regency = deployment_regency()
    if not selectors.may_generate(user, regency):
        detail = _("Anda tidak berwenang membuat laporan situasi.")
        return Status(403, {"detail": detail, "field": None})
    context = AuditContext.from_request(request, channel="api")
    try:
        report = services.report_generate(context=context, day=payload.day, region_code=regency)
        if payload.distribute:
            report = services.report_distribute(report=report, context=context)
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc), "field": None})
    except services.ReportError as exc:
        return Status(400, {"detail": str(exc), "field": exc.field})
    return Status(201, _out(report, figures=True))
