"""API of DPT imports (/api/v1/voters/imports...): upload a file, follow the job.

Same rules as the pages: only users who may import the roll (``Action.IMPORT_DPT``) get
answers (403 for others); an import outside the user's region scope is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can
from siaga.voters.imports import (
    DuplicateImport,
    ImportRefused,
    dpt_import_create,
    import_progress,
    imports_visible,
)
from siaga.voters.models import DptImport, JobStatus
from siaga.wilayah.api import PagedRows, SiagaPagination

router = Router(tags=["voters"])


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. file or region.")


class ProgressOut(Schema):
    rows_total: int | None = Field(description="Rows in the file (an estimate until finished).")
    rows_read: int
    accepted: int = Field(description="Rows stored as voters (created, updated or unchanged).")
    unchanged: int = Field(description="Rows equal to a voter already stored.")
    rejected: int = Field(description="Rows kept apart with their reasons.")
    percent: int | None = Field(description="0-100 while running, when the size is known.")


class ImportOut(Schema):
    id: int
    created: bool = Field(True, description="False when the same file was imported before.")
    file_name: str
    sha256: str = Field(description="SHA-256 of the file's content.")
    region: str = Field(description="The region code the rows must lie under.")
    status: JobStatus = Field(description="antri, berjalan, selesai or gagal.")
    status_label: str
    error: str = Field(description="Why the import failed (nothing was stored), else empty.")
    progress: ProgressOut
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    report_csv: str = Field(description="URL of the validation report (CSV).")


def _out(dpt_import: DptImport, *, created: bool = True) -> dict:
    from django.urls import reverse

    return {
        "id": dpt_import.pk,
        "created": created,
        "file_name": dpt_import.file_name,
        "sha256": dpt_import.sha256,
        "region": dpt_import.scope_code,
        "status": dpt_import.status,
        "status_label": dpt_import.get_status_display(),
        "error": dpt_import.error,
        "progress": import_progress(dpt_import),
        "created_at": dpt_import.created_at,
        "started_at": dpt_import.started_at,
        "finished_at": dpt_import.finished_at,
        "report_csv": reverse("voters:import_report", args=[dpt_import.pk, "csv"]),
    }


def _refuse_unless_importer(request: HttpRequest) -> Status | None:
    if not can(request.auth, Action.IMPORT_DPT):
        return Status(403, {"detail": _("Anda tidak berwenang mengimpor DPT."), "field": None})
    return None


@router.post(
    "/imports",
    response={200: ImportOut, 201: ImportOut, 400: ErrorOut, 403: ErrorOut},
    summary="Upload a DPT file; it is imported in the background",
    description=(
        "Multipart form: `file` (CSV UTF-8, XLSX or Parquet, at most SIAGA_DPT_UPLOAD_MAX_MB) and "
        "`region` (the regency or kecamatan code the rows must lie under). 201 with the queued "
        "import; 200 with the earlier import when the same file was already imported for that "
        "region (nothing is queued); 400 when refused. Follow it with GET /imports/{id}."
    ),
)
def import_create(
    request: HttpRequest,
    region: Form[str],
    file: File[UploadedFile],
):
    refusal = _refuse_unless_importer(request)
    if refusal:
        return refusal
    if file.size > settings.SIAGA_DPT_UPLOAD_MAX_MB * 1024 * 1024:
        return Status(
            400,
            {
                "detail": _("Berkas lebih besar dari %(mb)s MB.")
                % {"mb": settings.SIAGA_DPT_UPLOAD_MAX_MB},
                "field": "file",
            },
        )
    try:
        dpt_import = dpt_import_create(
            context=AuditContext.from_request(request, channel="api"),
            user=request.auth,
            uploaded_path_or_file=file,
            file_name=file.name or "dpt",
            scope_code=region,
        )
    except DuplicateImport as exc:
        return Status(200, _out(exc.existing, created=False))
    except PermissionDenied:
        # A region outside the user's scope is answered as if it did not exist.
        return Status(400, {"detail": _("Wilayah tidak dikenal."), "field": "region"})
    except ImportRefused as exc:
        return Status(400, {"detail": str(exc), "field": exc.field})
    except DomainError as exc:
        return Status(400, {"detail": str(exc), "field": None})
    return Status(201, _out(dpt_import))


@router.get(
    "/imports",
    response={200: list[ImportOut], 403: ErrorOut},
    summary="DPT imports in the user's region scope, newest first",
)
@paginate(SiagaPagination)
def import_list(request: HttpRequest):
    if not can(request.auth, Action.IMPORT_DPT):
        raise HttpError(403, _("Anda tidak berwenang mengimpor DPT."))
    return PagedRows(imports_visible(user=request.auth), _out)


@router.get(
    "/imports/{import_id}",
    response={200: ImportOut, 403: ErrorOut, 404: ErrorOut},
    summary="One DPT import: status, counts and live progress",
)
def import_detail(request: HttpRequest, import_id: int):
    refusal = _refuse_unless_importer(request)
    if refusal:
        return refusal
    dpt_import = imports_visible(user=request.auth).filter(pk=import_id).first()
    if dpt_import is None:
        return Status(404, {"detail": _("Impor tidak ditemukan."), "field": None})
    return _out(dpt_import)
