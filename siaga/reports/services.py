"""Writes of the situation reports: generate (or regenerate) a day's report, distribute it, and
the scheduled daily run.

The report is rendered in the deployment's language (Indonesian) whoever asks for it: it is one
document that every agency holds a copy of. Generating reads the live state of every module
through ``siaga.reports.sections``; the files are rendered outside the transaction and the row
is written, with its audit event, in one.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from siaga.accounts.choices import Role
from siaga.accounts.models import User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.deployment import deployment_regency
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can
from siaga.reports import files, sections
from siaga.reports.models import SituationReport
from siaga.wilayah.models import Region

DEFAULT_REPORT_HOUR = 7
NOTIFY_KIND = "reports.sitrep"


class ReportError(DomainError):
    """Input refused; ``field`` names the input at fault (``day``, ``region_code``)."""


def report_hour() -> int:
    """The local hour of the scheduled report (SIAGA_REPORT_HOUR, default 7)."""
    return int(getattr(settings, "SIAGA_REPORT_HOUR", DEFAULT_REPORT_HOUR))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _region(region_code: str | None) -> Region:
    code = region_code or deployment_regency()
    region = Region.objects.filter(code=code).defer("boundary").first()
    if region is None:
        raise ReportError(_("Wilayah %(code)s tidak ada.") % {"code": code}, field="region_code")
    return region


def report_generate(
    *, context: AuditContext, day: dt.date | None = None, region_code: str | None = None
) -> SituationReport:
    """Generate the report of ``day`` (today by the deployment's clock; the report describes
    the live state, so no other day can be generated) for the regency; replace the day's
    report when there is one. Audited as ``reports.generate`` or ``reports.regenerate``.

    A person needs ``Action.COORDINATE`` over the regency; the system (no actor) may always.
    """
    region = _region(region_code)
    actor = context.user
    if actor is not None and not can(actor, Action.COORDINATE, region.code):
        raise PermissionDenied(_("Anda tidak berwenang membuat laporan situasi."))
    now = clock.now()
    today = clock.local_date(now)
    day = day or today
    if day != today:
        raise ReportError(
            _(
                "Laporan situasi menggambarkan keadaan saat ini: hanya laporan hari ini "
                "(%(today)s) yang dapat dibuat."
            )
            % {"today": today.isoformat()},
            field="day",
        )
    ctx = sections.SectionContext(
        principal=sections.ReportPrincipal(region.code), region=region, now=now, day=day
    )
    with translation.override(settings.LANGUAGE_CODE):
        figures = sections.collect(ctx)
        head = files.letterhead(region.name)
        html = files.html_document(
            figures=figures,
            head=head,
            generated_at=now,
            generated_by=getattr(actor, "username", "") or _("terjadwal"),
        )
        pdf = files.pdf_bytes(html)
        xlsx = files.xlsx_bytes(figures)
    with transaction.atomic():
        report = SituationReport.objects.select_for_update().filter(day=day, region=region).first()
        action = "reports.regenerate" if report is not None else "reports.generate"
        before = None
        if report is None:
            report = SituationReport(day=day, region=region)
        else:
            before = {
                "generated_at": report.generated_at,
                "audit_head": report.audit_head,
                "pdf_sha256": _sha256(bytes(report.pdf)),
            }
        report.generated_at = now
        report.generated_by = actor
        report.figures = figures
        report.html = html
        report.pdf = pdf
        report.xlsx = xlsx
        report.audit_head = figures["audit"]["hash"]
        report.save()
        audit_record(
            context=context,
            action=action,
            obj=report,
            region_code=region.code,
            before=before,
            after={
                "day": day,
                "sections": sorted(figures),
                "audit_head": report.audit_head,
                "pdf_sha256": _sha256(pdf),
                "xlsx_sha256": _sha256(xlsx),
            },
        )
    return report


def distribution_recipients(report: SituationReport) -> list[User]:
    """Leadership and the liaisons of every agency, whose scope covers the report's regency
    (those who may open it)."""
    parts = report.region_id.split(".")
    ancestors = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    covering = Q(is_superuser=True) | Q(scope_regions__code__in=ancestors)
    return list(
        User.objects.filter(covering, role__in=[Role.LEADERSHIP, Role.LIAISON], is_active=True)
        .distinct()
        .order_by("pk")
    )


def report_url(report: SituationReport) -> str:
    return reverse("reports:detail", args=[report.day.isoformat()])


def report_distribute(
    *, report: SituationReport, context: AuditContext | None = None
) -> SituationReport:
    """Notify leadership and every agency's liaisons (with the link to the report) and record
    when it was distributed. Audited as ``reports.distribute``."""
    from siaga.notifications.services import notify

    context = context or AuditContext(channel="system")
    actor = context.user
    if actor is not None and not can(actor, Action.COORDINATE, report.region_id):
        raise PermissionDenied(_("Anda tidak berwenang menyebarkan laporan situasi."))
    recipients = distribution_recipients(report)
    summary = report.figures.get("summary", {})
    with transaction.atomic():
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Laporan situasi harian %(day)s") % {"day": report.day.strftime("%d-%m-%Y")}
            body = " · ".join(
                part
                for part in (
                    summary.get("region_name", ""),
                    summary.get("h_label", ""),
                    summary.get("phase_label", ""),
                )
                if part
            )
        notes = notify(
            recipients=recipients,
            kind=NOTIFY_KIND,
            title=title,
            body=body,
            url=report_url(report),
            obj=report,
        )
        report.distributed_at = clock.now()
        report.save(update_fields=["distributed_at"])
        audit_record(
            context=context,
            action="reports.distribute",
            obj=report,
            region_code=report.region_id,
            after={"day": report.day, "recipients": len(notes)},
        )
    return report


def report_daily(*, region_code: str | None = None) -> SituationReport | None:
    """The scheduled run: at or after SIAGA_REPORT_HOUR local time, generate and distribute
    today's report unless it has been distributed already (so not twice a day, however often
    it runs). ``None`` when there was nothing to do."""
    local = clock.local_now()
    if local.hour < report_hour():
        return None
    region = _region(region_code)
    done = SituationReport.objects.filter(
        day=local.date(), region=region, distributed_at__isnull=False
    ).exists()
    if done:
        return None
    context = AuditContext(channel="system")
    report = report_generate(context=context, region_code=region.code)
    return report_distribute(report=report, context=context)
