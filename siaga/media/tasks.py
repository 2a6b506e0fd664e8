"""Background jobs of the media module, run by the ``db_worker`` beside the web server:
importing an uploaded file of posts, and retraining the text model."""

from __future__ import annotations

from pathlib import Path

from django.tasks import task

from siaga.core.audit import AuditContext


def _user(user_id: int | None):
    from siaga.accounts.models import User

    return User.objects.filter(pk=user_id).first() if user_id else None


@task
def posts_import_task(path: str, source_id: int, user_id: int | None) -> dict:
    """Ingest an uploaded CSV / XLSX / JSON Lines file of posts, then delete the upload."""
    from siaga.core.tabular import TableError
    from siaga.media.ingest import ingest
    from siaga.media.models import IngestBatch, Source
    from siaga.media.records import RecordError, read_file

    source = Source.objects.get(pk=source_id)
    context = AuditContext(actor=_user(user_id), channel="system")
    try:
        result = ingest(read_file(path), source=source, context=context)
        summary = {
            "batch": result.batch.pk,
            "stored": result.stored,
            "updated": result.updated,
            "rejected": result.rejected,
        }
    except TableError as exc:
        error = RecordError(exc.error.row or 0, exc.error.column or "-", str(exc))
        batch = IngestBatch.objects.create(
            source=source, created_by=context.actor, errors=[error.as_dict()]
        )
        summary = {"batch": batch.pk, "error": str(exc)}
    finally:
        Path(path).unlink(missing_ok=True)
    return summary


@task
def model_retrain_task(user_id: int | None) -> dict:
    from siaga.media import textmodel

    card = textmodel.retrain(context=AuditContext(actor=_user(user_id), channel="system"))
    return {"trained_at": card.get("trained_at"), "rows": card.get("rows")}
