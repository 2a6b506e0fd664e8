"""The Kutai Timur demo's situation report: the report of the demo day (24 November 2024, H-3),
generated from everything the demo loaded, as the secretariat would find it in the archive.

Idempotent: a second run finds the day's report and writes nothing (no audit event either).
"""

from __future__ import annotations

import datetime as dt

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_regency
from siaga.reports.models import SituationReport
from siaga.reports.services import report_generate


def reports_demo_load(*, context: AuditContext, now: dt.datetime) -> dict:
    """Generate the report of ``now``'s local day unless it exists; returns what was done.

    ``now`` is the demo's clock, which the demo has set as the deployment's (the report
    describes the live state, so it can only be generated for the clock's day).
    """
    day = clock.local_date(now)
    regency = deployment_regency()
    found = SituationReport.objects.filter(day=day, region_id=regency).only("pk").first()
    if found is not None:
        return {"day": day, "created": False, "report": found.pk}
    report = report_generate(context=context, day=day, region_code=regency)
    return {"day": day, "created": True, "report": report.pk, "sections": sorted(report.figures)}
