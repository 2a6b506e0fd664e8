"""The report pages at /lapor/: the field officers' installable app and the public form.

The field app (``field``) is one page that works without signal: it embeds, as JSON, what it
needs to render (categories, the TPS of the user's scope, the active TPS checklists) and keeps
drafts and an outbox in the browser (``incidents/outbox.js``); a service worker keeps the page
shell. Reports go to ``POST /api/v1/incidents`` and checklists to
``POST /api/v1/checklists/submissions``, each with a key made once on the phone, so a retry is
recorded once.

The public form (``public``) needs no account. Its guards: a honeypot, a signed form token
(minimum fill time, and the form's idempotency key so a double click stores one report), content
limits, images only with their metadata stripped, and rate limits per IP and per device. The
ticket check (``public-check``) shows a public report's state and last update, nothing else.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError
from siaga.core.models import Deployment
from siaga.core.permissions import Action, can, user_scope
from siaga.core.ratelimit import rate_hit
from siaga.incidents import forms as report_forms
from siaga.incidents.choices import Channel, Severity, State
from siaga.incidents.models import Category, Incident
from siaga.incidents.services import (
    MAX_MEDIA,
    IncidentError,
    IncidentInput,
    deployment_regency,
    incident_submit,
    ticket_new,
)
from siaga.wilayah import selectors as wilayah_selectors
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region

log = logging.getLogger(__name__)

HOUR = 3600
CHECKS_PER_HOUR = 60  # ticket look-ups per IP: enough for people, too few to enumerate tickets
TICKETS_COOKIE = "siaga_reports"  # the tickets sent from this browser (signed), for the check
TICKETS_KEPT = 10
YEAR = 365 * 24 * HOUR
SW_VERSION = "siaga-field-v1"


def api_url(path: str) -> str:
    """A path of the versioned API (its endpoints are documented by path, not by name)."""
    return reverse("api-v1:openapi-json").removesuffix("openapi.json") + path


# --- The field app -------------------------------------------------------------------------------


def _may_use_field_app(user) -> bool:
    return can(user, Action.SUBMIT_FIELD) or can(user, Action.VIEW)


def _clock_offset_seconds() -> int:
    return Deployment.objects.values_list("clock_offset_seconds", flat=True).first() or 0


def field_tps(*, user) -> list[dict]:
    """The TPS the user may report from (a monitor's assigned TPS, else the scope's), in the
    deployment's regency, ordered by kecamatan, desa and number."""
    regency = deployment_regency()
    rows = (
        wilayah_selectors.tps_visible(user=user)
        .filter(desa__code__startswith=regency + ".")
        .order_by("desa__parent__name", "desa__name", "number")
        .values("pk", "number", "lat", "lon", "desa_id", "desa__name", "desa__parent__name")
    )
    return [
        {
            "id": row["pk"],
            "number": row["number"],
            "label": f"TPS {row['number']:03d}",
            "desa": row["desa_id"],
            "desaName": row["desa__name"],
            "kecamatanName": row["desa__parent__name"] or "",
            "lat": row["lat"],
            "lon": row["lon"],
        }
        for row in rows
    ]


def checklist_templates() -> list[dict] | None:
    """The active TPS checklists as the field app renders them; None while the checklist app
    is not installed or not migrated (the page then shows no checklist tab)."""
    try:
        from siaga.checklists.models import ChecklistTemplate

        templates = list(ChecklistTemplate.objects.filter(active=True).order_by("phase", "pk"))
    except (ImportError, DatabaseError):  # the optional app missing, or its table not made yet
        log.warning("Checklist templates unavailable; the field app shows no checklist tab.")
        return None
    return [
        {
            "id": t.pk,
            "phase": t.phase,
            "phaseLabel": str(t.get_phase_display()),
            "title": t.title,
            "version": t.version,
            "items": [
                {
                    "key": str(item.get("key", "")),
                    "label": str(item.get("label", "")),
                    "kind": str(item.get("kind", "text")),
                    "required": bool(item.get("required", False)),
                    "help": str(item.get("help", "")),
                }
                for item in (t.items or [])
                if isinstance(item, dict) and item.get("key")
            ],
        }
        for t in templates
    ]


def field_strings() -> dict:
    return {
        "online": _("Daring"),
        "offline": _("Luring — tanpa sinyal"),
        "queued": _("Menunggu sinyal — tersimpan di ponsel, dikirim otomatis saat ada sinyal."),
        "retryAt": _("Dicoba lagi otomatis"),
        "sending": _("Mengirim…"),
        "sent": _("Terkirim"),
        "alreadySent": _("Terkirim (sudah tercatat sebelumnya)"),
        "ticket": _("Nomor tiket"),
        "refused": _("Ditolak server"),
        "fix": _("Perbaiki dan kirim ulang"),
        "dismiss": _("Hapus dari antrean"),
        "retry": _("Kirim ulang sekarang"),
        "loginNeeded": _("Sesi berakhir: masuk kembali, lalu data dikirim ulang otomatis."),
        "otherUser": _(
            "Disimpan oleh akun lain di ponsel ini; masuk dengan akun itu untuk mengirim."
        ),
        "outboxEmpty": _("Tidak ada kiriman yang tertunda."),
        "draftSaved": _("Draf tersimpan di ponsel"),
        "draftRestored": _("Draf sebelumnya dipulihkan."),
        "gpsWaiting": _("Mencari lokasi GPS…"),
        "gpsOk": _("Lokasi tercatat"),
        "gpsDenied": _("Lokasi tidak diizinkan; pilih TPS."),
        "gpsUnavailable": _("GPS tidak tersedia di perangkat ini."),
        "gpsClear": _("Hapus lokasi"),
        "placeRequired": _("Pilih TPS atau pakai lokasi Anda."),
        "categoryRequired": _("Pilih jenis kejadian."),
        "descriptionRequired": _("Uraian kejadian wajib diisi (paling sedikit 5 karakter)."),
        "futureTime": _("Waktu kejadian tidak boleh di masa depan."),
        "tooManyFiles": _("Paling banyak %(max)d lampiran.") % {"max": MAX_MEDIA},
        "fileTooLarge": _("Berkas lebih dari %(mb)d MB: rekam ulang dengan ukuran lebih kecil.")
        % {"mb": settings.SIAGA_UPLOAD_MAX_MB},
        "removeFile": _("Hapus"),
        "incident": _("Laporan kejadian"),
        "checklist": _("Daftar periksa"),
        "checklistSent": _("Daftar periksa tercatat"),
        "tpsRequired": _("Pilih TPS."),
        "answerRequired": _("Wajib dijawab"),
        "yes": _("Ya"),
        "no": _("Tidak"),
        "myReportsEmpty": _("Belum ada laporan."),
        "myReportsOffline": _("Tanpa sinyal: daftar dari kunjungan terakhir."),
        "myReportsUpdated": _("Diperbarui"),
        "storageError": _("Penyimpanan ponsel penuh atau diblokir: laporan belum tersimpan."),
    }


def field_config(*, user) -> dict:
    """What field.js needs, passed through ``json_script`` so the page renders offline."""
    scope = user_scope(user)
    tps = field_tps(user=user)
    assigned = sorted(scope.tps_ids) if scope.tps_ids is not None else []
    templates = checklist_templates()
    return {
        "user": {"id": user.pk, "username": user.get_username()},
        "serverNow": clock.now().isoformat(),
        "clockOffset": _clock_offset_seconds(),
        "categories": [
            {"code": c.code, "name": c.label, "severity": c.default_severity}
            for c in Category.objects.filter(active=True)
        ],
        "severities": [[value, str(label)] for value, label in Severity.choices],
        "tps": tps,
        "assignedTps": [t["id"] for t in tps if t["id"] in assigned],
        "checklists": templates,
        "maxMedia": MAX_MEDIA,
        "maxFileBytes": settings.SIAGA_UPLOAD_MAX_MB * 1024 * 1024,
        "urls": {
            "submit": api_url("incidents"),
            "list": api_url("incidents") + "?page_size=20&mine=true",
            "checklistSubmit": api_url("checklists/submissions"),
        },
        "strings": field_strings(),
    }


@login_required
@require_GET
def field(request):
    """The field app: report an incident or fill a TPS checklist, with or without signal."""
    if not _may_use_field_app(request.user):
        raise Http404
    config = field_config(user=request.user)
    response = render(
        request,
        "incidents/field.html",
        {
            "field_config": config,
            "has_checklists": bool(config["checklists"]),
            "severities": Severity.choices,
        },
    )
    # The service worker refreshes the copy it keeps; no other cache may keep a user's page.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def field_manifest(request):
    """The web app manifest that makes the field app installable on a phone."""
    start = reverse("report:field")
    manifest = {
        "name": _("Siaga — Laporan lapangan"),
        "short_name": _("Lapor Siaga"),
        "description": _("Laporan kejadian dan daftar periksa TPS, juga tanpa sinyal."),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f1f5f9",
        "theme_color": "#0b3b5c",
        "lang": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "icons": [
            {"src": static("incidents/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {
                "src": static("incidents/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json"
    )


def field_shell() -> list[str]:
    """What the service worker keeps so that the page opens without signal."""
    return [
        reverse("report:field"),
        static("siaga/siaga.css"),
        static("vendor/htmx/htmx.min.js"),
        static("incidents/field.css"),
        static("incidents/outbox.js"),
        static("incidents/field.js"),
        static("incidents/icon.svg"),
    ]


@require_GET
def field_service_worker(request):
    """The service worker, served under /lapor/lapangan/ so that this is its scope."""
    response = render(
        request,
        "offline_sw.js",
        {"shell": json.dumps(field_shell()), "version": SW_VERSION, "prefix": "siaga-field-"},
        content_type="text/javascript",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("report:field")
    return response


# --- The public form -----------------------------------------------------------------------------


def _client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the sender wants it to be.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def public_choices() -> tuple[list, list]:
    """The categories, and the deployment's desa grouped by kecamatan (for the selects)."""
    categories = [(c.code, c.label) for c in Category.objects.filter(active=True)]
    regency = deployment_regency()
    desa = (
        Region.objects.filter(level=Level.VILLAGE, code__startswith=regency + ".")
        .order_by("parent__name", "name")
        .values_list("code", "name", "parent__name")
    )
    groups: dict[str, list] = {}
    for code, name, kecamatan in desa:
        groups.setdefault(kecamatan or "", []).append((code, name))
    return categories, list(groups.items())


def _device_id(request) -> str:
    return report_forms.device_id_clean(request.COOKIES.get(report_forms.DEVICE_COOKIE, ""))


def _with_device_cookie(response, device: str):
    response.set_cookie(
        report_forms.DEVICE_COOKIE,
        device,
        max_age=YEAR,
        samesite="Lax",
        secure=not settings.DEBUG and settings.SESSION_COOKIE_SECURE,
        httponly=False,  # public.js mirrors it in localStorage, to restore a cleared cookie
    )
    return response


def _device_tickets(request) -> list[str]:
    raw = request.get_signed_cookie(TICKETS_COOKIE, default="", salt=TICKETS_COOKIE)
    return [t for t in raw.split(",") if t][:TICKETS_KEPT]


def _remember_ticket(request, response, ticket: str) -> None:
    tickets = [ticket] + [t for t in _device_tickets(request) if t != ticket]
    response.set_signed_cookie(
        TICKETS_COOKIE,
        ",".join(tickets[:TICKETS_KEPT]),
        salt=TICKETS_COOKIE,
        max_age=YEAR,
        samesite="Lax",
        httponly=True,
        secure=not settings.DEBUG and settings.SESSION_COOKIE_SECURE,
    )


def _already_stored(key: str) -> bool:
    """A retry of a form already stored (a double click): not a new report to rate-limit."""
    return (
        bool(key) and Incident.objects.filter(channel=Channel.PUBLIC, idempotency_key=key).exists()
    )


def _within_limits(request, device: str) -> bool:
    limit = settings.SIAGA_PUBLIC_REPORTS_PER_HOUR
    if not rate_hit("public-report-ip", _client_ip(request), limit=limit, window=HOUR):
        return False
    return not device or rate_hit("public-report-device", device, limit=limit, window=HOUR)


FIELD_OF_ERROR = {
    "category": "category",
    "description": "description",
    "occurred_at": "occurred_at",
    "region": "desa",
    "tps": "tps_number",
    "lat": "desa",
    "media": "photos",
    "severity": None,
    "people_involved": None,
    "idempotency_key": None,
}


def _input(form) -> IncidentInput:
    data = form.cleaned_data
    anonymous = bool(data["anonymous"])
    return IncidentInput(
        category=data["category"],
        description=data["description"],
        occurred_at=data["occurred_at"],
        region_code=data["desa"] or "",
        tps_number=data["tps_number"] if data["desa"] else None,
        lat=data["lat"] if not data["desa"] else None,
        lon=data["lon"] if not data["desa"] else None,
        anonymous=anonymous,
        reporter_name="" if anonymous else data["reporter_name"],
        reporter_contact="" if anonymous else data["reporter_contact"],
        media=[(upload.read(), upload.name) for upload in data["photos"]],
    )


def _public_page(request, form, *, status: int = 200, device: str = ""):
    response = render(
        request,
        "incidents/public.html",
        {"form": form, "honeypot": report_forms.HONEYPOT},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return _with_device_cookie(response, device or report_forms.device_id_new())


def _success_page(request, ticket: str, *, device: str):
    response = render(
        request,
        "incidents/public_done.html",
        {"ticket": ticket, "check_url": reverse("report:public-check") + f"?tiket={ticket}"},
    )
    response["Cache-Control"] = "no-store"
    return _with_device_cookie(response, device or report_forms.device_id_new())


@require_http_methods(["GET", "POST"])
def public(request):
    """The public report form: no account, anonymous by default."""
    categories, desa_groups = public_choices()
    device = _device_id(request)
    if request.method == "GET":
        device = device or report_forms.device_id_new()
        form = report_forms.PublicReportForm(
            initial={"form_token": report_forms.form_token(), "device_id": device},
            categories=categories,
            desa_groups=desa_groups,
        )
        return _public_page(request, form, device=device)

    form = report_forms.PublicReportForm(
        request.POST, request.FILES, categories=categories, desa_groups=desa_groups
    )
    device = device or report_forms.device_id_clean(request.POST.get("device_id", ""))
    if form.is_spam_trap:
        # A robot filled the field people never see: thank it, and store nothing.
        return _success_page(request, ticket_new(), device=device)
    if not form.is_valid():
        token_error = getattr(form, "token_error", None)
        if token_error is not None and not token_error.too_fast:
            # A forged or stale token: the form comes back with a new one, the input kept.
            data = request.POST.copy()
            data["form_token"] = report_forms.form_token()
            form.data = data
        return _public_page(request, form, status=400, device=device)
    if not _already_stored(form.key) and not _within_limits(request, device):
        form.add_error(
            None,
            _(
                "Terlalu banyak laporan dari perangkat atau jaringan ini. Coba lagi dalam satu "
                "jam, atau hubungi Bawaslu/Polsek terdekat bila mendesak."
            ),
        )
        return _public_page(request, form, status=429, device=device)
    try:
        result = incident_submit(
            context=AuditContext.from_request(request, channel="web"),
            channel=Channel.PUBLIC,
            data=_input(form),
            user=None,
            idempotency_key=form.key,
            strip_location=True,
        )
    except IncidentError as exc:
        form.add_error(FIELD_OF_ERROR.get(exc.field), str(exc))
        return _public_page(request, form, status=400, device=device)
    except DomainError as exc:  # an attachment refused by siaga.core.media
        form.add_error("photos", str(exc))
        return _public_page(request, form, status=400, device=device)
    response = _success_page(request, result.incident.ticket, device=device)
    _remember_ticket(request, response, result.incident.ticket)
    return response


PUBLIC_STATE_NOTE = {
    State.DITERIMA: gettext_lazy("Laporan diterima dan menunggu pemeriksaan."),
    State.DIVERIFIKASI: gettext_lazy("Laporan sudah diperiksa dan dinyatakan valid."),
    State.DITOLAK: gettext_lazy("Laporan tidak dapat ditindaklanjuti."),
    State.DITINDAKLANJUTI: gettext_lazy("Laporan sedang ditindaklanjuti instansi berwenang."),
    State.SELESAI: gettext_lazy("Tindak lanjut selesai."),
    State.DIGABUNG: gettext_lazy(
        "Laporan digabung dengan laporan lain tentang kejadian yang sama."
    ),
}


def public_status(tickets: list[str]) -> list[dict]:
    """State and last update of reports sent without an account; nothing else about them."""
    rows = (
        Incident.objects.filter(ticket__in=tickets, reporter__isnull=True)
        .exclude(channel__in=[Channel.FIELD, Channel.API, Channel.WEB])
        .values("ticket", "state", "state_changed_at")
    )
    found = {row["ticket"]: row for row in rows}
    return [
        {
            "ticket": ticket,
            "state": found[ticket]["state"],
            "state_label": State(found[ticket]["state"]).label,
            "note": PUBLIC_STATE_NOTE[State(found[ticket]["state"])],
            "updated": found[ticket]["state_changed_at"],
        }
        for ticket in tickets
        if ticket in found
    ]


@require_GET
def public_check(request):
    """Check a ticket: its state and the date of its last change, and nothing else."""
    form = report_forms.TicketCheckForm(request.GET or None)
    result = None
    not_found = limited = False
    if form.is_bound and form.is_valid() and form.cleaned_data["tiket"]:
        ticket = form.cleaned_data["tiket"]
        if not rate_hit("public-check-ip", _client_ip(request), limit=CHECKS_PER_HOUR, window=HOUR):
            limited = True
        else:
            found = public_status([ticket])
            result = found[0] if found else None
            not_found = result is None
    try:
        mine = public_status(_device_tickets(request))
    except signing.BadSignature:
        mine = []
    response = render(
        request,
        "incidents/public_check.html",
        {
            "form": form,
            "result": result,
            "not_found": not_found,
            "limited": limited,
            "mine": mine,
        },
        status=429 if limited else 200,
    )
    response["Cache-Control"] = "no-store"
    return response
