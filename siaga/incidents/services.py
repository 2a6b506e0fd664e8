"""Receiving incident reports from every channel and moving them through verification.

``incident_submit`` is the one door: the field form, the API, the public form, Telegram, SMS and
WhatsApp all call it. It validates, places the report in a desa (from a TPS, a desa code or a map
point), stores the cleaned attachments, shares the report with the agencies its category routes
to, notifies the secretariat of serious reports, and writes the timeline and the audit trail, all
in one transaction. A retry with the same (channel, idempotency key) returns the report already
stored, also when two retries race.

The workflow (``incident_transition``): diterima -> diverifikasi or ditolak (with a reason) ->
ditindaklanjuti (assigned to an agency, with an SLA by severity) -> selesai (with the outcome);
digabung marks a duplicate merged into another report. ``sla_sweep`` escalates overdue reports.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from siaga.accounts.choices import Role
from siaga.accounts.models import Agency, User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record, snapshot
from siaga.core.calendar import calendar_state
from siaga.core.deployment import deployment_regency  # noqa: F401 - channels import it here
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.media import CleanMedia, media_clean
from siaga.core.models import Deployment
from siaga.core.permissions import Action, can, user_scope
from siaga.incidents.choices import SEVERITY_RANK, Channel, EventKind, Severity, State
from siaga.incidents.models import Category, Event, Incident, Media
from siaga.notifications.services import group_message, notify
from siaga.wilayah.choices import Level
from siaga.wilayah.locate import desa_at_point
from siaga.wilayah.models import Region, Tps

TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over a phone
DESCRIPTION_MAX = 4000
MAX_MEDIA = 5
AUDITED = [
    "ticket",
    "channel",
    "category_id",
    "occurred_at",
    "region_id",
    "tps_id",
    "severity",
    "state",
    "assigned_agency_id",
    "sla_due_at",
    "merged_into_id",
    "reject_reason",
    "outcome",
]


class IncidentError(DomainError):
    """A report or a transition refused; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class IncidentNotFound(IncidentError):
    """The report, TPS or region does not exist or lies outside the user's scope."""


@dataclass
class IncidentInput:
    """What any channel knows about a report; ``siaga.incidents.services`` checks all of it."""

    category: str
    description: str
    occurred_at: dt.datetime | None = None
    region_code: str = ""  # a desa (or kecamatan) code, dots optional
    tps_id: int | None = None
    tps_number: int | None = None  # with region_code: "TPS 012 of desa X"
    lat: float | None = None
    lon: float | None = None
    severity: str = ""  # empty: the category's default
    people_involved: str = ""
    anonymous: bool = False
    reporter_name: str = ""
    reporter_contact: str = ""
    media: list[tuple[bytes, str]] = field(default_factory=list)  # (content, file name)


@dataclass(frozen=True)
class SubmitResult:
    incident: Incident
    created: bool


def ticket_new() -> str:
    return "LK-" + "".join(secrets.choice(TICKET_ALPHABET) for _ in range(6))


def normalise_region_code(raw: str) -> str:
    """``6408041001`` or ``64.08.04.1001`` -> ``64.08.04.1001``; other input is returned tidied."""
    text = "".join(str(raw or "").split())
    digits = text.replace(".", "")
    if digits.isdigit() and len(digits) in (2, 4, 6, 10):
        parts = [digits[:2], digits[2:4], digits[4:6], digits[6:]]
        return ".".join(p for p in parts if p)
    return text


def _deployment() -> Deployment | None:
    return Deployment.objects.only("regency_id", "voting_day").order_by("pk").first()


def phase_at(moment: dt.datetime, deployment: Deployment | None = None) -> str:
    deployment = deployment or _deployment()
    if deployment is None:
        return ""
    local_day = moment.astimezone(clock.local_now().tzinfo).date()
    return calendar_state(today=local_day, voting_day=deployment.voting_day).phase.code


# --- submission ---------------------------------------------------------------------------------


def _place(data: IncidentInput, *, regency: str) -> tuple[Region, Tps | None]:
    """The desa (and TPS) of a report, from a TPS id, a desa code + TPS number, or a point."""
    if data.tps_id is not None:
        tps = Tps.objects.select_related("desa").filter(pk=data.tps_id).first()
        if tps is None or not tps.desa_id.startswith(regency + "."):
            raise IncidentNotFound(_("TPS tidak dikenal."), field="tps")
        return tps.desa, tps
    code = normalise_region_code(data.region_code)
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not code.startswith(regency + "."):
            raise IncidentNotFound(
                _("Kode wilayah %(code)s tidak dikenal di kabupaten ini.") % {"code": code},
                field="region",
            )
        if region.level != Level.VILLAGE:
            raise IncidentError(
                _("Kode wilayah %(code)s bukan desa/kelurahan.") % {"code": code}, field="region"
            )
        tps = None
        if data.tps_number is not None:
            tps = Tps.objects.filter(desa=region, number=data.tps_number).first()
            if tps is None:
                raise IncidentNotFound(
                    _("TPS %(number)03d tidak ada di %(desa)s.")
                    % {"number": data.tps_number, "desa": region.name},
                    field="tps",
                )
        return region, tps
    if data.lat is not None and data.lon is not None:
        region = desa_at_point(data.lat, data.lon, under=regency)
        if region is None:
            raise IncidentError(
                _("Titik di peta berada di luar wilayah kabupaten ini."), field="lat"
            )
        return region, None
    raise IncidentError(_("Sebutkan TPS, desa, atau titik lokasi kejadian."), field="region")


def _checked(data: IncidentInput, *, channel: str) -> tuple[Category, str, str, dt.datetime]:
    category = Category.objects.filter(code=str(data.category or "").strip(), active=True).first()
    if category is None:
        raise IncidentError(
            _("Kategori %(category)s tidak dikenal.") % {"category": data.category or "-"},
            field="category",
        )
    description = str(data.description or "").strip()
    if len(description) < 5:
        raise IncidentError(_("Uraian kejadian wajib diisi."), field="description")
    if len(description) > DESCRIPTION_MAX:
        raise IncidentError(
            _("Uraian terlalu panjang (paling banyak %(max)d karakter).")
            % {"max": DESCRIPTION_MAX},
            field="description",
        )
    severity = data.severity or category.default_severity
    if severity not in Severity.values:
        raise IncidentError(
            _("Tingkat %(value)s tidak dikenal.") % {"value": severity}, field="severity"
        )
    now = clock.now()
    occurred = data.occurred_at or now
    if occurred.tzinfo is None:
        raise IncidentError(_("Waktu kejadian harus memuat zona waktu."), field="occurred_at")
    if occurred > now + dt.timedelta(minutes=10):
        raise IncidentError(_("Waktu kejadian tidak boleh di masa depan."), field="occurred_at")
    if occurred < now - dt.timedelta(days=60):
        raise IncidentError(_("Waktu kejadian lebih dari 60 hari yang lalu."), field="occurred_at")
    if (data.lat is None) != (data.lon is None):
        raise IncidentError(_("Lintang dan bujur harus diisi bersama."), field="lat")
    if data.lat is not None and not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180):
        raise IncidentError(_("Koordinat di luar rentang."), field="lat")
    if len(data.media) > MAX_MEDIA:
        raise IncidentError(
            _("Paling banyak %(max)d lampiran.") % {"max": MAX_MEDIA}, field="media"
        )
    if len(data.people_involved) > 1000:
        raise IncidentError(_("Pihak terlibat terlalu panjang."), field="people_involved")
    return category, description, severity, occurred


def _may_submit(user, channel: str, region: Region, tps: Tps | None) -> None:
    """Accounts report within their scope; the public channels have no account to check."""
    if user is None:
        if channel in (Channel.FIELD, Channel.API, Channel.WEB):
            raise PermissionDenied(_("Masuk terlebih dahulu untuk mengirim laporan."))
        return
    if not (can(user, Action.SUBMIT_FIELD) or can(user, Action.VIEW)):
        raise PermissionDenied(_("Anda tidak berwenang mengirim laporan."))
    scope = user_scope(user)
    if not scope.covers(region.code):
        raise IncidentNotFound(_("Wilayah di luar cakupan Anda."), field="region")
    if tps is not None and scope.tps_ids is not None and tps.pk not in scope.tps_ids:
        raise IncidentNotFound(_("TPS di luar tugas Anda."), field="tps")


def _existing(channel: str, key: str, user) -> SubmitResult | None:
    if not key:
        return None
    found = Incident.objects.filter(channel=channel, idempotency_key=key).first()
    if found is None:
        return None
    if found.reporter_id != getattr(user, "pk", None):
        raise IncidentError(
            _("Kunci idempotensi sudah dipakai laporan lain."), field="idempotency_key"
        )
    return SubmitResult(found, created=False)


def incident_submit(
    *,
    context: AuditContext,
    channel: str,
    data: IncidentInput,
    user=None,
    idempotency_key: str = "",
    strip_location: bool = False,
) -> SubmitResult:
    """Store one report (or return the one a retry already stored). Raises ``IncidentError``."""
    key = str(idempotency_key or "").strip()
    if len(key) > 80:
        raise IncidentError(_("Kunci idempotensi terlalu panjang."), field="idempotency_key")
    replay = _existing(channel, key, user)
    if replay:
        return replay
    deployment = _deployment()
    regency = deployment.regency_id if deployment else settings.SIAGA_REGENCY_CODE
    category, description, severity, occurred = _checked(data, channel=channel)
    region, tps = _place(data, regency=regency)
    _may_submit(user, channel, region, tps)
    try:
        cleaned = [
            media_clean(
                content,
                name=name or _("lampiran %(n)d") % {"n": n},
                allow_video=user is not None,
                strip_location=strip_location or user is None,
            )
            for n, (content, name) in enumerate(data.media, start=1)
        ]
    except DomainError as exc:  # a refused file is the "media" input's fault
        raise IncidentError(str(exc), field="media") from exc
    try:
        with transaction.atomic():
            incident = _write(
                context=context,
                channel=channel,
                key=key,
                user=user,
                data=data,
                category=category,
                description=description,
                severity=severity,
                occurred=occurred,
                region=region,
                tps=tps,
                cleaned=cleaned,
                deployment=deployment,
            )
    except IntegrityError:
        again = _existing(channel, key, user)
        if again is None:
            raise
        return again
    return SubmitResult(incident, created=True)


def _write(*, context, channel, key, user, data, category, description, severity, occurred,
           region, tps, cleaned: list[CleanMedia], deployment) -> Incident:  # fmt: skip
    now = clock.now()
    incident = Incident.objects.create(
        # 32^6 tickets: a clash is a one-in-a-billion unique violation, and the client's retry
        # (same idempotency key) gets a new ticket
        ticket=ticket_new(),
        channel=channel,
        idempotency_key=key,
        category=category,
        description=description,
        occurred_at=occurred,
        received_at=now,
        phase=phase_at(occurred, deployment),
        region=region,
        tps=tps,
        lat=data.lat,
        lon=data.lon,
        severity=severity,
        people_involved=str(data.people_involved or "").strip(),
        reporter=user,
        anonymous=bool(data.anonymous) and user is None,
        reporter_name="" if data.anonymous else str(data.reporter_name or "").strip()[:120],
        reporter_contact="" if data.anonymous else str(data.reporter_contact or "").strip()[:120],
        state=State.DITERIMA,
        state_changed_at=now,
    )
    for clean in cleaned:
        media = Media(
            incident=incident,
            content_type=clean.content_type,
            extension=clean.extension,
            size=clean.size,
            sha256=clean.sha256,
            created_at=now,
        )
        media.file.save(
            f"{clean.sha256[:32]}.{clean.extension}", ContentFile(clean.content), save=False
        )
        media.save()
    routed = _routed_agencies(category, region)
    if routed:
        incident.shared_with.add(*routed)
    Event.objects.create(
        incident=incident,
        at=now,
        kind=EventKind.CREATED,
        actor=user,
        actor_label=context.actor_label,
        to_state=State.DITERIMA,
        note=_("Diterima melalui %(channel)s.") % {"channel": Channel(channel).label},
    )
    audit_record(
        context=context,
        action="incident.create",
        obj=incident,
        after={**snapshot(incident, AUDITED), "media": [c.sha256 for c in cleaned]},
        region_code=region.code,
    )
    if SEVERITY_RANK[Severity(severity)] >= SEVERITY_RANK[Severity.TINGGI]:
        _notify_new(incident, routed)  # in the same transaction: told if and only if stored
    return incident


def _routed_agencies(category: Category, region: Region) -> list[Agency]:
    kinds = category.route_kinds
    if not kinds:
        return []
    agencies = Agency.objects.filter(kind__in=kinds).only("pk", "region_id")
    return [
        a
        for a in agencies
        if region.code == a.region_id or region.code.startswith(a.region_id + ".")
    ]


def _ancestors(code: str) -> list[str]:
    """``64.08.04.1001`` -> ``64``, ``64.08``, ``64.08.04``, ``64.08.04.1001``."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _people(region_code: str, who: Q) -> list[User]:
    """Active users matching ``who`` whose scope covers the region, in one query (a notification
    carries the report's text, so nobody outside the report's region gets it)."""
    covering = Q(is_superuser=True) | Q(scope_regions__code__in=_ancestors(region_code))
    return list(User.objects.filter(who, covering, is_active=True).distinct().order_by("pk"))


SECRETARIAT = Q(role__in=[Role.ANALYST, Role.ADMIN])


def _secretariat(region_code: str) -> list[User]:
    """Analysts and administrators whose scope covers the region (the TP3D secretariat)."""
    return _people(region_code, SECRETARIAT)


def _agency_people(agencies: list[Agency], region_code: str) -> list[User]:
    """The agencies' liaisons whose scope covers the region."""
    return _people(region_code, Q(role=Role.LIAISON, agency__in=[a.pk for a in agencies]))


def _notify_new(incident: Incident, routed: list[Agency]) -> None:
    """Tell the secretariat and the routed agencies' liaisons, in the report's transaction."""
    liaisons = Q(role=Role.LIAISON, agency__in=[a.pk for a in routed])
    notify(
        recipients=_people(incident.region_id, SECRETARIAT | liaisons),
        kind="incident.new",
        title=_("Laporan %(severity)s %(ticket)s: %(category)s di %(place)s")
        % {
            "severity": incident.get_severity_display().lower(),
            "ticket": incident.ticket,
            "category": incident.category.name,
            "place": incident.region.name,
        },
        body=incident.description[:300],
        url=reverse("incidents:detail", args=[incident.ticket]),
        urgent=incident.severity == Severity.KRITIS,
        obj=incident,
    )


# --- workflow ------------------------------------------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    State.DITERIMA: {State.DIVERIFIKASI, State.DITOLAK, State.DIGABUNG},
    State.DIVERIFIKASI: {State.DITINDAKLANJUTI, State.DITOLAK, State.DIGABUNG},
    State.DITINDAKLANJUTI: {State.DITINDAKLANJUTI, State.SELESAI, State.DIGABUNG},
    State.DITOLAK: {State.DITERIMA},  # reopened when new facts arrive
    State.SELESAI: set(),
    State.DIGABUNG: set(),
}


def may_triage(user, incident: Incident) -> bool:
    return can(user, Action.TRIAGE_INCIDENTS, incident.region_id)


def may_handle(user, incident: Incident) -> bool:
    """The assigned agency's liaisons report the outcome; the secretariat may too."""
    if may_triage(user, incident):
        return True
    return bool(
        incident.assigned_agency_id
        and getattr(user, "agency_id", None) == incident.assigned_agency_id
        and can(user, Action.VIEW, incident.region_id)
    )


def allowed_transitions(user, incident: Incident) -> list[str]:
    """The states ``user`` may move ``incident`` to now (for buttons and for the API)."""
    options = TRANSITIONS[State(incident.state)]
    if may_triage(user, incident):
        return [s for s in State.values if s in options]
    if may_handle(user, incident) and State.SELESAI in options:
        return [State.SELESAI]
    return []


def sla_hours(severity: str) -> int:
    return settings.INCIDENT_SLA_HOURS[severity]


def incident_transition(
    *,
    context: AuditContext,
    user,
    incident: Incident,
    to_state: str,
    note: str = "",
    agency: Agency | None = None,
    merge_into: Incident | None = None,
) -> Incident:
    """Move a report to ``to_state``; refuses what the state machine or the role does not allow."""
    try:
        target = State(to_state)
    except ValueError as exc:
        raise IncidentError(
            _("Status %(state)s tidak dikenal.") % {"state": to_state}, field="state"
        ) from exc
    note = str(note or "").strip()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if target not in TRANSITIONS[State(incident.state)]:
            raise IncidentError(
                _("Laporan berstatus %(from)s tidak dapat menjadi %(to)s.")
                % {"from": State(incident.state).label, "to": target.label},
                field="state",
            )
        if target not in allowed_transitions(user, incident):
            raise PermissionDenied(_("Anda tidak berwenang mengubah status laporan ini."))
        before = snapshot(incident, AUDITED)
        previous = incident.state
        now = clock.now()
        if target == State.DITOLAK:
            if not note:
                raise IncidentError(_("Alasan penolakan wajib diisi."), field="note")
            incident.reject_reason = note
        elif target == State.DITINDAKLANJUTI:
            if agency is None:
                raise IncidentError(_("Pilih instansi yang menindaklanjuti."), field="agency")
            if not (
                incident.region_id.startswith(agency.region_id + ".")
                or incident.region_id == agency.region_id
            ):
                raise IncidentError(
                    _("Instansi itu tidak mencakup wilayah laporan."), field="agency"
                )
            incident.assigned_agency = agency
            incident.sla_due_at = now + dt.timedelta(hours=sla_hours(incident.severity))
            incident.escalated_at = None
            incident.shared_with.add(agency)
        elif target == State.SELESAI:
            if not note:
                raise IncidentError(_("Hasil tindak lanjut wajib diisi."), field="note")
            incident.outcome = note
        elif target == State.DIGABUNG:
            if merge_into is None or merge_into.pk == incident.pk:
                raise IncidentError(_("Pilih laporan tujuan penggabungan."), field="merge_into")
            root = Incident.objects.get(pk=merge_into.pk)  # the caller's copy may be stale
            while root.merged_into_id:
                root = root.merged_into
            # Lock the report kept, so that two merges at once cannot make a cycle.
            root = Incident.objects.select_for_update().get(pk=root.pk)
            if root.pk == incident.pk or root.state == State.DIGABUNG:
                raise IncidentError(_("Laporan tujuan tidak sah."), field="merge_into")
            incident.merged_into = root
        elif target == State.DITERIMA:
            incident.reject_reason = ""
        incident.state = target
        incident.state_changed_at = now
        incident.save()
        kind = {
            State.DITINDAKLANJUTI: EventKind.ASSIGNED,
            State.DIGABUNG: EventKind.MERGED,
        }.get(target, EventKind.STATE)
        event_note = note
        if target == State.DITINDAKLANJUTI:
            event_note = f"{agency.name}. {note}".strip()
        elif target == State.DIGABUNG:
            event_note = f"{incident.merged_into.ticket}. {note}".strip()
        Event.objects.create(
            incident=incident,
            at=now,
            kind=kind,
            actor=context.actor if getattr(context.actor, "pk", None) else None,
            actor_label=context.actor_label,
            from_state=previous,
            to_state=target,
            note=event_note,
        )
        if target == State.DIGABUNG:
            Event.objects.create(
                incident=incident.merged_into,
                at=now,
                kind=EventKind.MERGED,
                actor=context.actor if getattr(context.actor, "pk", None) else None,
                actor_label=context.actor_label,
                note=_("Laporan %(ticket)s digabung ke laporan ini.") % {"ticket": incident.ticket},
            )
        audit_record(
            context=context,
            action=f"incident.{target}",
            obj=incident,
            before=before,
            after=snapshot(incident, AUDITED),
            region_code=incident.region_id,
        )
        if target == State.DITINDAKLANJUTI:
            transaction.on_commit(lambda: _notify_assigned(incident))
    return incident


def _notify_assigned(incident: Incident) -> None:
    agency = incident.assigned_agency
    title = _("Tindak lanjut %(ticket)s (%(category)s) ditugaskan ke %(agency)s, batas %(due)s") % {
        "ticket": incident.ticket,
        "category": incident.category.name,
        "agency": agency.name,
        "due": localtime(incident.sla_due_at).strftime("%d-%m %H:%M"),
    }
    notify(
        recipients=_agency_people([agency], incident.region_id),
        kind="incident.assigned",
        title=title,
        body=incident.description[:300],
        url=reverse("incidents:detail", args=[incident.ticket]),
        urgent=incident.severity in (Severity.TINGGI, Severity.KRITIS),
        obj=incident,
    )
    if agency.telegram_chat_id:
        group_message(channel="telegram", address=agency.telegram_chat_id, subject=title, body="")


def incident_share(
    *, context: AuditContext, user, incident: Incident, agencies: list[Agency]
) -> None:
    if not may_triage(user, incident):
        raise PermissionDenied(_("Anda tidak berwenang membagikan laporan ini."))
    with transaction.atomic():
        before = sorted(incident.shared_with.values_list("pk", flat=True))
        incident.shared_with.add(*agencies)
        after = sorted(incident.shared_with.values_list("pk", flat=True))
        if after == before:
            return
        Event.objects.create(
            incident=incident,
            at=clock.now(),
            kind=EventKind.SHARED,
            actor=user,
            actor_label=context.actor_label,
            note=", ".join(a.name for a in agencies),
        )
        audit_record(
            context=context,
            action="incident.share",
            obj=incident,
            before={"shared_with": before},
            after={"shared_with": after},
            region_code=incident.region_id,
        )


def incident_note(*, context: AuditContext, user, incident: Incident, text: str) -> Event:
    text = str(text or "").strip()
    if not text:
        raise IncidentError(_("Catatan kosong."), field="note")
    if not (may_triage(user, incident) or may_handle(user, incident)):
        raise PermissionDenied(_("Anda tidak berwenang menambah catatan."))
    with transaction.atomic():
        event = Event.objects.create(
            incident=incident,
            at=clock.now(),
            kind=EventKind.NOTE,
            actor=user,
            actor_label=context.actor_label,
            note=text[:2000],
        )
        audit_record(
            context=context,
            action="incident.note",
            obj=incident,
            after={"note": text[:2000]},
            region_code=incident.region_id,
        )
    return event


# --- SLA ---------------------------------------------------------------------------------------


def sla_sweep(*, context: AuditContext) -> list[Incident]:
    """Escalate, once each, every report left waiting past its severity's SLA: not verified
    (counted from its receipt), verified but not assigned to an agency (counted from its
    verification), or assigned but not resolved (its ``sla_due_at``). Returns the reports
    escalated now. Run it every few minutes.

    A report escalated while still unverified is escalated again if, once verified, it then
    waits unassigned past its SLA (an escalation older than the last change of state belongs
    to the earlier stage); assigning it re-arms the follow-up SLA.
    """

    now = clock.now()
    late = Q(state=State.DITINDAKLANJUTI, sla_due_at__lt=now)
    for severity in Severity.values:
        started_before = now - dt.timedelta(hours=sla_hours(severity))
        # unverified past the time allowed for its severity
        late |= Q(state=State.DITERIMA, severity=severity, received_at__lt=started_before)
        # verified, but nobody assigned to follow it up within that time
        late |= Q(
            state=State.DIVERIFIKASI,
            severity=severity,
            assigned_agency__isnull=True,
            state_changed_at__lt=started_before,
        )
    not_escalated = Q(escalated_at__isnull=True) | Q(
        state=State.DIVERIFIKASI, escalated_at__lt=F("state_changed_at")
    )
    candidates = (
        Incident.objects.filter(late & not_escalated)
        .select_related("assigned_agency__head", "category", "region")
        .order_by("pk")
    )
    escalated = []
    for incident in candidates:
        with transaction.atomic():
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            if locked.state != incident.state or (
                locked.escalated_at is not None
                and not (
                    locked.state == State.DIVERIFIKASI
                    and locked.escalated_at < locked.state_changed_at
                )
            ):
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at"])
            Event.objects.create(
                incident=locked,
                at=now,
                kind=EventKind.ESCALATED,
                actor_label=context.actor_label,
                note=_("Melewati batas waktu %(hours)d jam.")
                % {"hours": sla_hours(locked.severity)},
            )
            audit_record(
                context=context,
                action="incident.escalate",
                obj=locked,
                after={"escalated_at": now, "state": locked.state},
                region_code=locked.region_id,
            )
            _notify_escalation(incident)
        escalated.append(incident)
    return escalated


def _notify_escalation(incident: Incident) -> None:
    recipients = _secretariat(incident.region_id)
    agency = incident.assigned_agency
    if agency is not None and agency.head is not None:
        recipients.append(agency.head)
    if incident.state == State.DITERIMA:
        title = _("ESKALASI: laporan %(ticket)s belum diverifikasi") % {"ticket": incident.ticket}
    elif incident.state == State.DIVERIFIKASI:
        title = _(
            "ESKALASI: laporan %(ticket)s sudah diverifikasi tetapi belum ditindaklanjuti"
        ) % {"ticket": incident.ticket}
    else:
        title = _("ESKALASI: tindak lanjut %(ticket)s oleh %(agency)s melewati batas waktu") % {
            "ticket": incident.ticket,
            "agency": agency.name,
        }
    notify(
        recipients=recipients,
        kind="incident.escalated",
        title=title,
        body=f"{incident.category.name}, {incident.region.name}: {incident.description[:200]}",
        url=reverse("incidents:detail", args=[incident.ticket]),
        urgent=True,
        obj=incident,
    )
    if agency is not None and agency.telegram_chat_id:
        group_message(channel="telegram", address=agency.telegram_chat_id, subject=title, body="")
