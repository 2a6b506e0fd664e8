"""Pages of DPT imports (/pemilih/impor/): the list with the upload form, one import's progress
and rejected rows, and its validation report as CSV or XLSX.

Only users who may import the roll (``Action.IMPORT_DPT``: the secretariat and KPU) see these
pages (403 for others); an import outside the user's region scope is a 404. The detail page polls
itself with htmx every 2 s while the job runs and reloads once it has finished. NIK and NKK are
masked unless the user may see personal data.
"""

from __future__ import annotations

import csv
import tempfile

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.core.permissions import Action, can, user_scope
from siaga.voters.imports import (
    DuplicateImport,
    dpt_import_create,
    import_progress,
    import_report_rows,
    imports_visible,
)
from siaga.voters.models import DptImport, JobStatus
from siaga.voters.privacy import nik_for
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region

PAGE_SIZE = 25
REJECTED_SHOWN = 50
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
HTMX_STOP_POLLING = 286


class DptUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas DPT"),
        help_text=gettext_lazy("CSV (UTF-8), XLSX (boleh satu lembar per TPS) atau Parquet."),
    )
    region = forms.ChoiceField(label=gettext_lazy("Wilayah"))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(
            user_scope(user).q("code"), level__in=[Level.REGENCY, Level.DISTRICT]
        ).order_by("code")
        self.fields["region"].choices = [
            (code, f"{code} {name}") for code, name in regions.values_list("code", "name")
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SIAGA_DPT_UPLOAD_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas lebih besar dari %(mb)s MB.") % {"mb": settings.SIAGA_DPT_UPLOAD_MAX_MB}
            )
        return upload


def _require_importer(user) -> None:
    if not can(user, Action.IMPORT_DPT):
        raise HttpForbidden(_("Anda tidak berwenang mengimpor DPT."))


def _import(user, pk: int) -> DptImport:
    dpt_import = imports_visible(user=user).select_related("created_by").filter(pk=pk).first()
    if dpt_import is None:
        raise Http404
    return dpt_import


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    _require_importer(request.user)
    form = DptUploadForm(user=request.user)
    if request.method == "POST":
        form = DptUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                dpt_import = dpt_import_create(
                    context=AuditContext.from_request(request),
                    user=request.user,
                    uploaded_path_or_file=upload,
                    file_name=upload.name,
                    scope_code=form.cleaned_data["region"],
                )
            except DuplicateImport as exc:
                messages.info(request, str(exc))
                return redirect("voters:import_detail", pk=exc.existing.pk)
            except DomainError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, _("Berkas diterima; impor berjalan di latar belakang."))
                return redirect("voters:import_detail", pk=dpt_import.pk)
    imports = imports_visible(user=request.user).select_related("created_by")
    page = Paginator(imports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "voters/import_list.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


def _stop_polling_when_logged_out(view):
    """A poll whose session has ended gets 286 (htmx stops polling), not the login page."""

    def wrapped(request, *args, **kwargs):
        if request.headers.get("HX-Request") and not request.user.is_authenticated:
            return HttpResponse(status=HTMX_STOP_POLLING)
        return view(request, *args, **kwargs)

    return wrapped


@_stop_polling_when_logged_out
@login_required
@require_GET
def import_detail(request, pk: int):
    _require_importer(request.user)
    dpt_import = _import(request.user, pk)
    context = {
        "imp": dpt_import,
        "progress": import_progress(dpt_import),
        "active": dpt_import.status in ACTIVE,
    }
    if request.headers.get("HX-Request"):
        response = render(request, "voters/import_progress.html", context)
        if not context["active"]:
            response["HX-Refresh"] = "true"  # finished: reload to show the rejected rows
        return response
    rejected = []
    for row in dpt_import.rejected.order_by("sheet", "row_number", "pk")[:REJECTED_SHOWN]:
        values = row.values or {}
        rejected.append(
            {
                "sheet": row.sheet,
                "row": row.row_number,
                "nik": nik_for(request.user, str(values.get("nik", ""))),
                "name": values.get("name", ""),
                "errors": row.errors,
            }
        )
    context["rejected"] = rejected
    return render(request, "voters/import_detail.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def import_report(request, pk: int, fmt: str):
    _require_importer(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    dpt_import = _import(request.user, pk)
    rows = import_report_rows(dpt_import=dpt_import, user=request.user)
    name = f"laporan-impor-dpt-{dpt_import.pk}"
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"  # so that Excel reads UTF-8
            for row in rows:
                yield writer.writerow(row)

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Baris ditolak"))
    for row in rows:
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


urlpatterns = [
    path("impor/", import_list, name="import_list"),
    path("impor/<int:pk>/", import_detail, name="import_detail"),
    path("impor/<int:pk>/laporan.<str:fmt>", import_report, name="import_report"),
]
