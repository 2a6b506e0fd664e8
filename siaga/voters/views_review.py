"""Pages of the double-registration review (/pemilih/ganda/...): the queue, one pair side by
side with the engine's evidence and the decision forms, the counts per kecamatan → desa → TPS,
the XLSX and PDF exports for KPU and Bawaslu, and the page that starts a linkage run.

Who sees what (``siaga.voters.selectors``): reviewers (``Action.REVIEW_VOTERS``) see the queue
and the pairs; readers of the situation room (``Action.VIEW``, e.g. leadership) see the counts
and the summary exports, never the queue, names or NIKs; field monitors see none of it (404).
NIK and NKK are masked unless the user may see personal data (``Action.VIEW_PERSONAL``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.xlsx import workbook_bytes
from siaga.voters import linkage, selectors
from siaga.voters.models import DuplicateClass, DuplicatePair, LinkageRun, PairStatus, Voter
from siaga.voters.privacy import nik_for
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level

PAGE_SIZE = 25
RECENT_RUNS = 10
EXPORT_PDF_CASES = 300  # the PDF lists this many cases; the XLSX lists them all


# --- forms ----------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    klass = forms.ChoiceField(
        label=gettext_lazy("Kelas"),
        required=False,
        choices=[("", gettext_lazy("Semua kelas")), *DuplicateClass.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Semua status")), *PairStatus.choices],
    )
    region = forms.ChoiceField(label=gettext_lazy("Wilayah"), required=False)
    min_probability = forms.FloatField(
        label=gettext_lazy("Peluang minimum"), required=False, min_value=0.0, max_value=1.0
    )

    def __init__(self, *args, regions: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Semua wilayah")), *regions]

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "klass": data["klass"],
            "status": data["status"],
            "region": data["region"],
            "min_probability": data["min_probability"],
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "confirm"), ("dismiss", "dismiss"), ("reopen", "reopen")]
    )
    note = forms.CharField(label=gettext_lazy("Catatan"), required=False, max_length=2000)
    seen_status = forms.ChoiceField(choices=PairStatus.choices)


class RunForm(forms.Form):
    threshold = forms.FloatField(
        label=gettext_lazy("Ambang peluang"), required=False, min_value=0.01, max_value=1.0
    )


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Masukan tidak sah.")


def _regions(user) -> list[tuple[str, str]]:
    rows = (
        wilayah_selectors.regions_visible(user=user)
        .filter(level__in=[Level.DISTRICT, Level.VILLAGE])
        .order_by("code")
        .values_list("code", "name", "level")
    )
    return [(code, name if level == Level.DISTRICT else f"· {name}") for code, name, level in rows]


def _require_review(user) -> None:
    if not selectors.may_review(user):
        raise Http404


def _require_counts(user) -> None:
    if not selectors.may_see_counts(user):
        raise Http404


# --- the queue ------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    user = request.user
    if not selectors.may_review(user):
        if selectors.may_see_counts(user):
            return redirect("voters:review_summary")
        raise Http404
    params = request.GET.copy()
    if not params:
        params["status"] = PairStatus.SUSPECTED  # the work to do, unless asked otherwise
    form = QueueFilterForm(params, regions=_regions(user))
    visible = selectors.pairs_visible(user)
    qs = selectors.pairs_filter(visible, **form.selector_kwargs()) if form.is_valid() else None
    if qs is None:
        qs = visible.none()
    qs = qs.select_related(
        "voter_l__desa", "voter_l__tps", "voter_r__desa", "voter_r__tps"
    ).order_by("-probability", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for pair in page:
        pair.nik_l = nik_for(user, pair.voter_l.nik)
        pair.nik_r = nik_for(user, pair.voter_r.nik)
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "voters/review_queue.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


# --- one pair -------------------------------------------------------------------------------


def _pair(user, pk: int) -> DuplicatePair:
    _require_review(user)
    try:
        return selectors.pair_get(user=user, pk=pk)
    except selectors.NotFound as exc:
        raise Http404 from exc


def _place(v: Voter) -> str:
    return f"{v.desa.name} ({v.desa.parent.name})" if v.desa.parent_id else v.desa.name


def comparison_rows(user, a: Voter, b: Voter) -> list[dict]:
    """The fields shown side by side; ``differs`` compares the stored values, not the masks."""
    rows = [
        (_("Nama"), a.name, b.name, None),
        (_("NIK"), a.nik, b.nik, nik_for),
        (_("NKK"), a.nkk, b.nkk, nik_for),
        (_("Tempat lahir"), a.birth_place, b.birth_place, None),
        (_("Tanggal lahir"), a.birth_date, b.birth_date, None),
        (_("Jenis kelamin"), a.get_sex_display(), b.get_sex_display(), None),
        (
            _("Status perkawinan"),
            a.get_marital_status_display(),
            b.get_marital_status_display(),
            None,
        ),
        (_("Alamat"), a.address, b.address, None),
        (_("RT/RW"), f"{a.rt}/{a.rw}", f"{b.rt}/{b.rw}", None),
        (_("Desa/kelurahan"), _place(a), _place(b), None),
        (_("TPS"), a.tps.label, b.tps.label, None),
        (_("ID pemilih"), a.voter_id, b.voter_id, None),
    ]
    out = []
    for label, left, right, mask in rows:
        differs = str(left or "").strip().upper() != str(right or "").strip().upper()
        if mask is not None:
            left, right = mask(user, left), mask(user, right)
        out.append({"label": label, "left": left, "right": right, "differs": differs})
    return out


def evidence_rows(pair: DuplicatePair) -> list[dict]:
    """The engine's per-comparison level and Bayes factor, strongest evidence first."""
    fields = (pair.evidence or {}).get("fields") or {}
    rows = [
        {"name": name, "level": v.get("level", ""), "bf": v.get("bf")}
        for name, v in fields.items()
        if isinstance(v, dict)
    ]
    return sorted(rows, key=lambda r: -(r["bf"] if isinstance(r["bf"], int | float) else 0))


@login_required
@require_GET
def review_pair(request, pk: int):
    user = request.user
    pair = _pair(user, pk)
    return render(
        request,
        "voters/review_pair.html",
        {
            "pair": pair,
            "rows": comparison_rows(user, pair.voter_l, pair.voter_r),
            "evidence": evidence_rows(pair),
            "why": (pair.evidence or {}).get("why", ""),
            "source": (pair.evidence or {}).get("source", "engine"),
            "is_suspected": pair.status == PairStatus.SUSPECTED,
        },
    )


DECISIONS = {
    "confirm": (linkage.pair_confirm, gettext_lazy("Pasangan dikonfirmasi sebagai pemilih ganda.")),
    "dismiss": (linkage.pair_dismiss, gettext_lazy("Dugaan ditolak: bukan pemilih ganda.")),
    "reopen": (linkage.pair_reopen, gettext_lazy("Pasangan dibuka kembali untuk ditinjau.")),
}


@login_required
@require_POST
def review_decide(request, pk: int):
    user = request.user
    pair = _pair(user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("voters:review_pair", pk=pair.pk)
    data = form.cleaned_data
    service, success = DECISIONS[data["decision"]]
    # The status the analyst's page showed: if another analyst decided since, the service
    # refuses instead of overwriting their decision.
    pair.status = data["seen_status"]
    try:
        service(
            pair=pair,
            context=AuditContext.from_request(request, "web"),
            user=user,
            note=data["note"],
        )
    except PermissionDenied as exc:
        raise HttpForbidden(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(success))
    return redirect("voters:review_pair", pk=pair.pk)


# --- counts ---------------------------------------------------------------------------------


@dataclass
class SummaryNode:
    row: selectors.DuplicateCount
    children: list[SummaryNode] = field(default_factory=list)


@dataclass
class Summary:
    """Confirmed cases per kecamatan → desa → TPS, the totals, and the pairs still to review."""

    tree: list[SummaryNode]
    double: int
    k1: int
    k2: int
    k3: int
    suspected: int
    flagged_tps: int
    generated_at: dt.datetime


def summary(user) -> Summary:
    kec = selectors.duplicate_counts(user, level="kecamatan")
    desa = selectors.duplicate_counts(user, level="desa")
    tps = selectors.duplicate_counts(user, level="tps")
    desa_nodes: dict[str, SummaryNode] = {r.code: SummaryNode(r) for r in desa}
    for r in tps:
        if r.parent in desa_nodes:
            desa_nodes[r.parent].children.append(SummaryNode(r))
    kec_nodes = {r.code: SummaryNode(r) for r in kec}
    for node in desa_nodes.values():
        if node.row.parent in kec_nodes:
            kec_nodes[node.row.parent].children.append(node)
    confirmed = (
        DuplicatePair.objects.filter(
            pk__in=_in_scope_pairs(user).filter(status=PairStatus.CONFIRMED).values("pk")
        )
        .values_list("klass", flat=True)
        .order_by()
    )
    by_class = {k: 0 for k in DuplicateClass.values}
    for klass in confirmed:
        by_class[klass] += 1
    return Summary(
        tree=sorted(kec_nodes.values(), key=lambda n: n.row.code),
        double=by_class["K1"] + by_class["K3"],
        k1=by_class["K1"],
        k2=by_class["K2"],
        k3=by_class["K3"],
        suspected=_in_scope_pairs(user).filter(status=PairStatus.SUSPECTED).count(),
        flagged_tps=selectors.tps_flagged(user).count(),
        generated_at=clock.now(),
    )


def _in_scope_pairs(user):
    """Pairs touching the user's scope, for counting only (no names leave this function)."""
    from siaga.core.permissions import user_scope

    scope = user_scope(user)
    return DuplicatePair.objects.filter(
        scope.q("voter_l__desa__code") | scope.q("voter_r__desa__code")
    ).order_by()


@login_required
@require_GET
def review_summary(request):
    from django.conf import settings
    from django.urls import reverse

    user = request.user
    _require_counts(user)
    counts_only = not selectors.may_review(user)
    # What voters/duplicates_map.js needs (through json_script): the map layer (counts only,
    # fetched with the session), the situation room's tiles, and the queue for reviewers.
    map_config = {
        "endpoint": reverse("api-v1:duplicate_map"),
        "tileUrl": settings.SIAGA_MAP_TILE_URL,
        "tileAttribution": settings.SIAGA_MAP_TILE_ATTRIBUTION,
        "queueUrl": "" if counts_only else reverse("voters:review_queue"),
    }
    return render(
        request,
        "voters/review_summary.html",
        {"summary": summary(user), "counts_only": counts_only, "map_config": map_config},
    )


# --- exports --------------------------------------------------------------------------------


def export_cases(user) -> list[dict]:
    """Confirmed pairs the user may review, flattened (NIK masked unless VIEW_PERSONAL), by
    class, then kecamatan, desa and TPS of the first registration. Empty for count readers."""
    if not selectors.may_review(user):
        return []
    qs = (
        selectors.pairs_visible(user)
        .filter(status=PairStatus.CONFIRMED)
        .select_related(
            "voter_l__desa__parent",
            "voter_l__tps",
            "voter_r__desa__parent",
            "voter_r__tps",
            "decided_by",
        )
        .order_by("klass", "voter_l__desa_id", "voter_l__tps__number", "pk")
    )
    cases = []
    for p in qs:
        row = {
            "pk": p.pk,
            "klass": p.klass,
            "probability": round(p.probability, 4),
            "decided_at": p.decided_at,
            "decided_by": p.decided_by.get_username() if p.decided_by_id else "",
            "note": p.note,
        }
        for side, v in (("l", p.voter_l), ("r", p.voter_r)):
            row.update(
                {
                    f"{side}_name": v.name,
                    f"{side}_nik": nik_for(user, v.nik),
                    f"{side}_birth_date": v.birth_date,
                    f"{side}_kecamatan": v.desa.parent.name if v.desa.parent_id else "",
                    f"{side}_desa": v.desa.name,
                    f"{side}_tps": v.tps.label,
                }
            )
        cases.append(row)
    return cases


def _local(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def xlsx_bytes(user) -> bytes:
    """Rekap (counts per kecamatan, desa, TPS) and Kasus (confirmed pairs, for reviewers)."""
    from openpyxl import Workbook

    data = summary(user)
    book = Workbook()
    sheet = book.active
    sheet.title = "Rekap"
    sheet.append(
        [
            pgettext("comparison level", "Tingkat"),
            _("Kode"),
            _("Wilayah / TPS"),
            _("Ganda (K1+K3)"),
            _("K1"),
            _("K3"),
            _("K2 (kesalahan data)"),
        ]
    )

    def add(level: str, node: SummaryNode) -> None:
        r = node.row
        code = r.parent if level == _("TPS") else r.code
        sheet.append([level, code, r.name, r.double, r.k1, r.k3, r.k2])

    for kec in data.tree:
        add(_("Kecamatan"), kec)
        for desa in kec.children:
            add(_("Desa"), desa)
            for tps in desa.children:
                add(_("TPS"), tps)
    sheet.append([_("Jumlah"), "", "", data.double, data.k1, data.k3, data.k2])
    cases = export_cases(user)
    if selectors.may_review(user):
        ws = book.create_sheet("Kasus")
        ws.append(
            [
                _("Kelas"),
                _("Peluang"),
                _("Nama (1)"),
                _("NIK (1)"),
                _("Tanggal lahir (1)"),
                _("Kecamatan (1)"),
                _("Desa (1)"),
                _("TPS (1)"),
                _("Nama (2)"),
                _("NIK (2)"),
                _("Tanggal lahir (2)"),
                _("Kecamatan (2)"),
                _("Desa (2)"),
                _("TPS (2)"),
                _("Diputuskan"),
                _("Oleh"),
                _("Catatan"),
            ]
        )
        for c in cases:
            ws.append(
                [
                    c["klass"],
                    c["probability"],
                    *(
                        c[f"{s}_{k}"]
                        for s in ("l", "r")
                        for k in ("name", "nik", "birth_date", "kecamatan", "desa", "tps")
                    ),
                    _local(c["decided_at"]),
                    c["decided_by"],
                    c["note"],
                ]
            )
    return workbook_bytes(book, min_width=8, max_width=40)


def pdf_html(user, *, request=None) -> str:
    cases = export_cases(user)
    by_class = [
        (klass, label, [c for c in cases if c["klass"] == klass][:EXPORT_PDF_CASES])
        for klass, label in DuplicateClass.choices
    ]
    return render_to_string(
        "voters/review_export_pdf.html",
        {
            "summary": summary(user),
            "by_class": by_class,
            "cases_count": len(cases),
            "may_review": selectors.may_review(user),
            "limit": EXPORT_PDF_CASES,
        },
        request=request,
    )


def _export_name(extension: str) -> str:
    return f"pemilih-ganda-{clock.local_now():%Y%m%d-%H%M}.{extension}"


@login_required
@require_GET
def review_export_xlsx(request):
    _require_counts(request.user)
    response = HttpResponse(
        xlsx_bytes(request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("xlsx")}"'
    return response


@login_required
@require_GET
def review_export_pdf(request):
    from weasyprint import HTML

    _require_counts(request.user)
    html = pdf_html(request.user, request=request)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_export_name("pdf")}"'
    return response


# --- linkage runs ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def linkage_run(request):
    """GET: the last runs and the form; POST: start a run (then back to the list)."""
    user = request.user
    if not linkage.may_run_linkage(user):
        raise Http404
    form = RunForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _first_error(form))
        else:
            try:
                run = linkage.linkage_run_enqueue(
                    context=AuditContext.from_request(request, "web"),
                    user=user,
                    threshold=form.cleaned_data["threshold"],
                )
            except PermissionDenied as exc:
                raise HttpForbidden(str(exc)) from exc
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Pencarian #%(pk)s masuk antrean.") % {"pk": run.pk})
        return redirect("voters:linkage_run")
    runs = list(LinkageRun.objects.select_related("created_by")[:RECENT_RUNS])
    return render(
        request,
        "voters/review_runs.html",
        {
            "form": form,
            "runs": runs,
            "active": any(r.status in linkage.ACTIVE for r in runs),
            "default_threshold": linkage.DEFAULT_THRESHOLD,
        },
    )


urlpatterns = [
    path("ganda/", review_queue, name="review_queue"),
    path("ganda/rekap/", review_summary, name="review_summary"),
    path("ganda/ekspor.xlsx", review_export_xlsx, name="review_export_xlsx"),
    path("ganda/ekspor.pdf", review_export_pdf, name="review_export_pdf"),
    path("ganda/jalankan/", linkage_run, name="linkage_run"),
    path("ganda/<int:pk>/", review_pair, name="review_pair"),
    path("ganda/<int:pk>/putuskan/", review_decide, name="review_decide"),
]
