"""Logistics pages: the overview of the distribution, shipments (list, detail, editor, status),
the mobile handover page with its offline queue, and the XLSX / PDF exports.

Thin views: parse, authorise with ``siaga.core.permissions``, call a selector or a service,
render. Anything outside the user's scope is a 404, as if it did not exist. Writes go through
``siaga.logistics.services``; a ``DomainError`` is shown to the user in Indonesian.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.core.models import AuditEvent
from siaga.core.permissions import Action, can, may_read
from siaga.logistics import exports, qr, selectors, services
from siaga.logistics.choices import ShipmentStatus
from siaga.logistics.forms import LineFormSet, ShipmentFilterForm, ShipmentForm, StatusForm
from siaga.logistics.models import HandoverLine, ItemType, Shipment
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level
from siaga.wilayah.selectors import NotFound

PAGE_SIZE = 50


def _next_statuses(shipment: Shipment) -> list[ShipmentStatus]:
    """The status buttons of a shipment page: the allowed moves, in the order of the flow.

    "Handed over" is left out: it is set by recording a handover, with its counts.
    """
    allowed = services.ALLOWED_TRANSITIONS.get(ShipmentStatus(shipment.status), frozenset())
    return [s for s in ShipmentStatus if s in allowed and s != ShipmentStatus.HANDED_OVER]


EDITABLE_CONTENTS = (ShipmentStatus.PLANNED, ShipmentStatus.LOADING)


def _may_hand_over(user) -> bool:
    """The same people the handover service accepts: field monitors and logistics editors."""
    is_monitor = getattr(user, "role", None) == Role.FIELD_MONITOR
    return (is_monitor and can(user, Action.SUBMIT_FIELD)) or can(user, Action.EDIT_LOGISTICS)


def _region(request):
    """The region of ``?region=CODE`` (default the deployment's regency), or 404."""
    code = request.GET.get("region", "").strip()
    try:
        if code:
            return wilayah_selectors.region_get(user=request.user, code=code)
        return wilayah_selectors.home_region(user=request.user)
    except NotFound as exc:
        raise Http404 from exc


def _shipment(user, code: str) -> Shipment:
    try:
        return selectors.shipment_get(user=user, code=code)
    except NotFound as exc:
        raise Http404 from exc


# --- Overview and exports ---------------------------------------------------------------------


@login_required
@require_GET
def overview(request):
    """Percent of TPS fully supplied per kecamatan (or desa), at-risk shipments, replacements."""
    user = request.user
    if not can(user, Action.VIEW):
        if _may_hand_over(user):
            return redirect("logistics:handover")
        raise Http404
    region = _region(request)
    if region.level == Level.VILLAGE:
        raise Http404  # the overview stops at the desa rows of a kecamatan
    data = exports.briefing(user=user, region=region)
    context = {
        "region": region,
        "data": data,
        "breadcrumbs": [
            r
            for r in wilayah_selectors.region_ancestors(region)
            if r.level in (Level.REGENCY, Level.DISTRICT)
        ],
        "drill": region.level == Level.REGENCY,
        "may_edit": can(user, Action.EDIT_LOGISTICS),
        "may_hand_over": _may_hand_over(user),
        "may_view": True,
        "chart": {
            "labels": [date_format(d.day, "D j M") for d in data.timeline],
            "datasets": [
                {"label": str(label), "data": [d.by_stage[i] for d in data.timeline]}
                for i, (_code, label) in enumerate(data.stages)
            ],
        },
    }
    return render(request, "logistics/overview.html", context)


def _export_name(region, extension: str) -> str:
    return f"logistik-{slugify(region.name)}-{exports.clock.local_now():%Y%m%d-%H%M}.{extension}"


@login_required
@require_GET
def export_xlsx(request):
    user = request.user
    if not can(user, Action.VIEW):
        raise Http404
    region = _region(request)
    body = exports.xlsx_bytes(exports.briefing(user=user, region=region))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(region, "xlsx")}"'
    return response


@login_required
@require_GET
def export_pdf(request):
    user = request.user
    if not can(user, Action.VIEW):
        raise Http404
    region = _region(request)
    html = exports.pdf_html(exports.briefing(user=user, region=region), request=request)
    response = HttpResponse(exports.pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_export_name(region, "pdf")}"'
    return response


# --- Shipments --------------------------------------------------------------------------------


@login_required
@require_GET
def shipment_list(request):
    user = request.user
    if not may_read(user):
        raise Http404
    kecamatan = list(
        wilayah_selectors.regions_visible(user=user)
        .filter(level=Level.DISTRICT)
        .values_list("code", "name")
    )
    form = ShipmentFilterForm(request.GET or None, kecamatan_choices=kecamatan)
    shipments = selectors.shipments_visible(user=user).select_related("destination_tps__desa")
    at_risk_codes = None
    if form.is_valid():
        f = form.cleaned_data
        if f["status"]:
            shipments = shipments.filter(status=f["status"])
        if f["stage"]:
            shipments = shipments.filter(stage=f["stage"])
        if f["kecamatan"]:
            shipments = selectors.shipments_under(shipments, f["kecamatan"])
        if f["at_risk"]:
            at_risk_codes = [r.shipment.code for r in selectors.shipments_at_risk(user=user)]
            shipments = shipments.filter(code__in=at_risk_codes)
    page = Paginator(shipments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "may_edit": can(user, Action.EDIT_LOGISTICS),
        "may_hand_over": _may_hand_over(user),
        "may_view": can(user, Action.VIEW),
    }
    return render(request, "logistics/shipment_list.html", context)


@login_required
@require_GET
def shipment_detail(request, code):
    user = request.user
    if not may_read(user):
        raise Http404
    shipment = _shipment(user, code)
    lines = shipment.lines.select_related("item", "tps__desa").order_by(
        "tps__desa_id", "tps__number", "item__sort_order"
    )
    handovers = shipment.handovers.select_related("recorded_by").prefetch_related(
        Prefetch("lines", queryset=HandoverLine.objects.select_related("item", "tps__desa"))
    )
    replacements = shipment.replacements.select_related("item", "tps__desa", "assigned_agency")
    history = AuditEvent.objects.filter(
        object_type=Shipment._meta.label_lower, object_id=str(shipment.pk)
    ).only("seq", "created_at", "action", "actor_label", "after")
    may_edit = can(user, Action.EDIT_LOGISTICS, shipment.destination_region_id)
    context = {
        "shipment": shipment,
        "lines": lines,
        "handovers": handovers,
        "replacements": replacements,
        "history": history,
        "show_actor": can(user, Action.VIEW_AUDIT),
        "may_edit": may_edit,
        "may_hand_over": _may_hand_over(user),
        "statuses": _next_statuses(shipment) if may_edit else [],
        "may_view": can(user, Action.VIEW),
        "handover_qr": qr.qr_svg(qr.handover_url(request, shipment.code)),
    }
    return render(request, "logistics/shipment_detail.html", context)


def _editor_options(user) -> dict:
    """Suggestions for the region and TPS inputs (one query each) and the item list."""
    regions = (
        wilayah_selectors.regions_visible(user=user)
        .filter(level__in=[Level.REGENCY, Level.DISTRICT, Level.VILLAGE])
        .values_list("code", "name")
        .order_by("code")
    )
    tps = wilayah_selectors.tps_visible(user=user).values_list("pk", "number", "desa__name")
    return {
        "region_options": list(regions),
        "tps_options": [(pk, f"TPS {number:03d} · {desa}") for pk, number, desa in tps],
    }


def _lines(formset) -> list[services.ShipmentLineInput]:
    return [
        services.ShipmentLineInput(item=li["item"], quantity=li["quantity"], tps_id=li["tps_id"])
        for li in formset.lines()
    ]


def _save(request, form, formset, shipment: Shipment | None) -> Shipment:
    """Create or update through the services; raises ``DomainError`` with the reason."""
    user = request.user
    context = AuditContext.from_request(request)
    data = form.cleaned_data
    plan = {name: data[name] for name in services.SHIPMENT_EDITABLE}
    if shipment is not None:
        # Contents are fixed once a shipment has left; its plan fields may still be corrected.
        lines = _lines(formset) if shipment.status in EDITABLE_CONTENTS else None
        return services.shipment_update(
            context=context, user=user, shipment=shipment, lines=lines, **plan
        )
    tps = None
    if data.get("destination_tps"):
        try:
            tps = wilayah_selectors.tps_get(user=user, pk=data["destination_tps"])
        except NotFound as exc:
            raise DomainError(_("TPS tujuan tidak dikenal.")) from exc
    return services.shipment_create(
        context=context,
        user=user,
        code=data.get("code") or None,
        stage=data["stage"],
        origin=data["origin"],
        destination=data["destination"],
        destination_tps=tps,
        lines=_lines(formset),
        **plan,
    )


def _editor(request, *, shipment: Shipment | None):
    items = list(ItemType.objects.all())
    if request.method == "POST":
        initial = ShipmentForm.initial_for(shipment) if shipment else None
        form = ShipmentForm(request.POST, initial=initial, editing=shipment is not None)
        formset = LineFormSet(request.POST, items=items, prefix="lines")
        if form.is_valid() and formset.is_valid():
            try:
                saved = _save(request, form, formset, shipment)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                message = (
                    _("Pengiriman %s dibuat.") if shipment is None else _("Pengiriman %s disimpan.")
                )
                messages.success(request, message % saved.code)
                return redirect("logistics:shipment", code=saved.code)
    elif shipment is None:
        form = ShipmentForm()
        formset = LineFormSet(items=items, prefix="lines")
    else:
        form = ShipmentForm(initial=ShipmentForm.initial_for(shipment), editing=True)
        initial = [
            {"item": line.item.code, "tps": line.tps_id, "quantity": line.quantity}
            for line in shipment.lines.select_related("item")
        ]
        formset = LineFormSet(initial=initial, items=items, prefix="lines")
    context = {
        "form": form,
        "formset": formset,
        "shipment": shipment,
        "may_view": can(request.user, Action.VIEW),
        "may_edit": True,
        **_editor_options(request.user),
    }
    return render(request, "logistics/shipment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def shipment_create(request):
    if not can(request.user, Action.EDIT_LOGISTICS):
        raise Http404
    return _editor(request, shipment=None)


@login_required
@require_http_methods(["GET", "POST"])
def shipment_edit(request, code):
    user = request.user
    shipment = _shipment(user, code) if may_read(user) else None
    if shipment is None or not can(user, Action.EDIT_LOGISTICS, shipment.destination_region_id):
        raise Http404
    return _editor(request, shipment=shipment)


@login_required
@require_POST
def shipment_status(request, code):
    user = request.user
    shipment = _shipment(user, code) if may_read(user) else None
    if shipment is None or not can(user, Action.EDIT_LOGISTICS, shipment.destination_region_id):
        raise Http404
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Status tidak dikenal."))
        return redirect("logistics:shipment", code=shipment.code)
    try:
        services.shipment_status_set(
            context=AuditContext.from_request(request),
            user=user,
            shipment=shipment,
            status=form.cleaned_data["status"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Status diubah menjadi %s.") % ShipmentStatus(form.cleaned_data["status"]).label,
        )
    return redirect("logistics:shipment", code=shipment.code)


# --- The mobile handover page --------------------------------------------------------------------


def api_url(path: str) -> str:
    """A path of the versioned API (the endpoints are documented by path, not by name)."""
    return reverse("api-v1:openapi-json").removesuffix("openapi.json") + path


def handover_config(*, user) -> dict:
    """What handover.js needs, passed through ``json_script`` (no JS catalogue)."""
    return {
        "serverNow": exports.clock.now().isoformat(),
        "mayViewShipment": may_read(user),
        "shipmentUrl": api_url("logistics/shipments/{code}"),
        "submitUrl": api_url("logistics/handovers"),
        "shipmentPageUrl": reverse("logistics:shipment", args=["CODE"]).replace("CODE", "{code}"),
        "strings": {
            "notFound": _("Kode pengiriman tidak ditemukan atau bukan wilayah tugas Anda."),
            "lookupOffline": _(
                "Tidak ada sinyal: kode belum dapat dicari. Coba lagi saat ada sinyal."
            ),
            "lookupError": _("Pengiriman gagal dimuat. Coba lagi."),
            "queued": _("Menunggu sinyal — tersimpan di ponsel, dikirim otomatis saat ada sinyal."),
            "sending": _("Mengirim…"),
            "sent": _("Terkirim: serah terima tercatat."),
            "alreadySent": _("Terkirim (sudah tercatat sebelumnya)."),
            "refused": _("Ditolak server"),
            "loginNeeded": _("Sesi berakhir: masuk kembali, lalu data dikirim ulang otomatis."),
            "gpsWaiting": _("Mencari lokasi GPS…"),
            "gpsOk": _("Lokasi GPS tercatat"),
            "gpsDenied": _("Lokasi GPS tidak diizinkan; serah terima tetap dapat dikirim."),
            "gpsUnavailable": _("GPS tidak tersedia di perangkat ini."),
            "photoTooLarge": _("Foto lebih dari 8 MB: ambil ulang dengan resolusi lebih kecil."),
            "countsInvalid": _("Jumlah tidak boleh negatif."),
            "namesRequired": _("Isi nama yang menyerahkan dan yang menerima."),
            "dismiss": _("Hapus dari antrean"),
            "retry": _("Kirim ulang sekarang"),
            "online": _("Daring"),
            "offline": _("Luring — tanpa sinyal"),
            "outboxEmpty": _("Tidak ada kiriman yang tertunda."),
            "item": _("Barang"),
            "dispatched": _("Dikirim"),
            "received": _("Diterima"),
            "damaged": _("Rusak"),
            "missing": _("Kurang/hilang"),
            "replacements": _("Permintaan penggantian dibuat untuk KPU"),
            "openShipment": _("Lihat pengiriman"),
            "queuedAt": _("disimpan"),
        },
    }


@login_required
@require_GET
def handover_page(request):
    if not _may_hand_over(request.user):
        raise Http404
    context = {
        "handover_config": handover_config(user=request.user),
        "initial_code": request.GET.get("kode", "").strip()[:16],
    }
    return render(request, "logistics/handover.html", context)


@login_required
@require_GET
def handover_manifest(request):
    """The web app manifest that makes the handover page installable on a phone."""
    manifest = {
        "name": _("Siaga — Serah terima logistik"),
        "short_name": _("Serah terima"),
        "start_url": reverse("logistics:handover"),
        "scope": reverse("logistics:handover"),
        "display": "standalone",
        "background_color": "#f1f5f9",
        "theme_color": "#0b3b5c",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("logistics/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def handover_service_worker(request):
    """The service worker, served under /logistik/serah-terima/ so that this is its scope."""
    shell = [
        reverse("logistics:handover"),
        static("siaga/siaga.css"),
        static("logistics/handover.js"),
        static("logistics/logistics.css"),
    ]
    body = render(
        request,
        "offline_sw.js",
        {"shell": json.dumps(shell), "version": "siaga-handover-v2", "prefix": "siaga-handover-"},
        content_type="text/javascript",
    )
    body["Cache-Control"] = "no-cache"
    return body
