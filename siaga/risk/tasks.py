"""Background recomputation of the index, run by the ``db_worker`` beside the web server.

The index is recomputed after a change of the mapping or of the weights, when someone asks for
it, and when the situation room is opened and the last computation is older than
SIAGA_RISK_MAX_AGE_MINUTES: with the worker running, the index is never much older than that.
Operators may also schedule ``siaga risk recompute`` (or ``--loop SECONDS``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.tasks import task

from siaga.core import clock
from siaga.core.audit import AuditContext

QUEUED_KEY = "risk:recompute-queued:{prefix}"
QUEUED_SECONDS = 120  # one request queues a run; others within this time do not pile up


@task
def recompute_task(prefix: str = "") -> dict:
    from siaga.risk.compute import risk_recompute

    cache.delete(QUEUED_KEY.format(prefix=prefix))
    run = risk_recompute(context=AuditContext(channel="system"), prefix=prefix)
    return {"tps": run.tps, "changed": run.changed, "alerts": run.alerts, "seconds": run.seconds}


def recompute_soon(*, prefix: str = "") -> bool:
    """Queue a recomputation after the current transaction commits (once per two minutes)."""
    if not cache.add(QUEUED_KEY.format(prefix=prefix), True, QUEUED_SECONDS):
        return False
    transaction.on_commit(lambda: recompute_task.enqueue(prefix))
    return True


def recompute_if_stale() -> bool:
    """Queue a recomputation when the last one is older than SIAGA_RISK_MAX_AGE_MINUTES."""
    from siaga.risk.models import RiskRun

    last = RiskRun.objects.values_list("started_at", flat=True).first()
    max_age = dt.timedelta(minutes=settings.SIAGA_RISK_MAX_AGE_MINUTES)
    if last is not None and clock.now() - last < max_age:
        return False
    return recompute_soon()
