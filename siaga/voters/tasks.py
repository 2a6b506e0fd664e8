"""Background jobs of the voter roll, run by the ``db_worker`` beside the web server.

``dpt_import_task`` reads an uploaded DPT file (``siaga.voters.imports.dpt_import_run``: the same
service the command line calls). Its live progress is in the cache while it runs; the import's
row gets the counts at the end. A successful import queues the double-registration search.
"""

from __future__ import annotations

import logging

from django.tasks import task

from siaga.core.audit import AuditContext

logger = logging.getLogger(__name__)


@task
def dpt_import_task(import_id: int) -> dict:
    """Run the DPT import ``import_id``; returns its summary (counts, status, error)."""
    from siaga.voters.imports import dpt_import_run
    from siaga.voters.models import DptImport

    dpt_import = DptImport.objects.select_related("created_by").filter(pk=import_id).first()
    if dpt_import is None:
        return {"import_id": import_id, "status": "missing"}
    context = AuditContext(actor=dpt_import.created_by, channel="system")
    summary = dpt_import_run(dpt_import=dpt_import, context=context)
    if summary.ok and (summary.created or summary.updated):
        _enqueue_linkage(context=context, user=dpt_import.created_by)
    return summary.as_dict()


def _enqueue_linkage(*, context: AuditContext, user) -> None:
    """Queue the double-registration search over the changed roll."""
    from siaga.voters.linkage import linkage_run_after_import

    try:
        linkage_run_after_import(context=context, user=user)
    except Exception as exc:  # the import stands; the search can be started by hand
        logger.warning("Could not queue the linkage run after an import: %s", type(exc).__name__)


@task
def linkage_run_task(run_id: int) -> dict:
    """Run the double-registration search ``run_id`` (``siaga.voters.linkage``)."""
    from siaga.voters.linkage import linkage_run_execute
    from siaga.voters.models import JobStatus, LinkageRun

    run = LinkageRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None or run.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return {"run_id": run_id, "status": "missing" if run is None else run.status}
    # The audit event names who asked for the run, though the worker does the work.
    context = AuditContext(actor=run.created_by, channel="system")
    run = linkage_run_execute(run=run, context=context)
    return {"run_id": run.pk, "status": run.status, "pairs_found": run.pairs_found}
