"""The two facts of the deployment every module asks for: its voting day and its regency.

One row of ``Deployment`` describes the election this installation serves; before the demo or
an administrator creates it, the regency falls back to ``SIAGA_REGENCY_CODE`` and the voting day
is unknown.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from siaga.core.models import Deployment


def deployment_voting_day() -> dt.date | None:
    return Deployment.objects.values_list("voting_day", flat=True).order_by("pk").first()


def deployment_regency() -> str:
    regency = Deployment.objects.values_list("regency_id", flat=True).order_by("pk").first()
    return regency or settings.SIAGA_REGENCY_CODE
