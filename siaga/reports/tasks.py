"""The "generate now" button's background job, run by the ``db_worker`` beside the web server:
rendering the PDF of a whole regency takes a few seconds that a request should not wait for."""

from __future__ import annotations

from django.tasks import task


@task
def report_generate_task(region_code: str, actor_id: int | None = None) -> dict:
    """Generate today's report of ``region_code`` as ``actor_id`` (checked again here: the
    user may have lost the right since the click)."""
    from siaga.accounts.models import User
    from siaga.core.audit import AuditContext
    from siaga.reports.services import report_generate

    actor = User.objects.filter(pk=actor_id, is_active=True).first() if actor_id else None
    context = AuditContext(actor=actor, channel="web" if actor else "system")
    report = report_generate(context=context, region_code=region_code)
    return {"day": report.day.isoformat(), "region": report.region_id, "id": report.pk}
