"""The voter check at the TPS: "is this NIK on the DPT, and where?" asked by a field officer.

``voter_check`` is the one door for the phone form and the API. It answers whether the NIK is on
the roll, at which TPS (label and desa: a monitor sees it even outside their scope, that is the
point of the check), whether the voter is in a suspected or confirmed double registration (the
status only), and whether the same NIK was already checked today at another TPS. It reveals no
name, birth date, address or NKK.

Every check is stored as a ``VoterCheck`` holding an HMAC of the NIK (never the NIK) and audited
with the hash's first characters. On voting day, a NIK checked at a second, different TPS raises
one alert (the 2024 Kutai Timur case: a voter on the DPT in the morning, again at midday as a
DPK voter with a KTP) to the Bawaslu and Polres liaisons and the secretariat whose scope covers
either TPS; further checks of that NIK the same day add no further alert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import User
from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.core.deployment import deployment_voting_day
from siaga.core.errors import DomainError
from siaga.core.models import AuditEvent
from siaga.core.permissions import Action, require, user_scope
from siaga.core.ratelimit import rate_hit
from siaga.notifications.services import notify
from siaga.voters.models import DuplicateClass, DuplicatePair, PairStatus, Voter, VoterCheck
from siaga.wilayah.models import Tps

NIK_LENGTH = 16
WINDOW_SECONDS = 60
ALERT_ACTION = "voter.check_alert"
ALERT_KIND = "voter.double_check"
HASH_SHOWN = 12  # characters of the NIK's HMAC written to the audit trail and alerts


class CheckStatus:
    """The answer's headline, most urgent first; stored in ``VoterCheck.result``."""

    CHECKED_ELSEWHERE = "dicek_di_tps_lain"
    CONFIRMED = "ganda_terkonfirmasi"
    SUSPECTED = "dugaan_ganda"
    REGISTERED = "terdaftar"
    NOT_REGISTERED = "tidak_terdaftar"

    LABELS = {
        CHECKED_ELSEWHERE: gettext_lazy("Sudah dicek di TPS lain hari ini"),
        CONFIRMED: gettext_lazy("Terdaftar — pemilih ganda (terkonfirmasi)"),
        SUSPECTED: gettext_lazy("Terdaftar — dugaan pemilih ganda"),
        REGISTERED: gettext_lazy("Terdaftar di DPT"),
        NOT_REGISTERED: gettext_lazy("Tidak terdaftar di DPT"),
    }


class VoterCheckError(DomainError):
    """A check refused (a malformed NIK, an unknown TPS); ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class VoterCheckNotFound(VoterCheckError):
    """The TPS of the check does not exist or is not one the user may check from."""


class VoterCheckRateLimited(VoterCheckError):
    """Too many checks by this user in the current minute; ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class TpsPlace:
    """Where a voter is registered, or where a check was made: no one's personal data."""

    id: int
    label: str
    desa_code: str
    desa_name: str
    kecamatan_name: str

    @classmethod
    def of(cls, tps: Tps) -> TpsPlace:
        desa = tps.desa
        return cls(
            id=tps.pk,
            label=tps.label,
            desa_code=desa.code,
            desa_name=desa.name,
            kecamatan_name=desa.parent.name if desa.parent_id else "",
        )

    def __str__(self) -> str:
        return f"{self.label} {self.desa_name}"


@dataclass(frozen=True)
class EarlierCheck:
    """A check of the same NIK earlier today at another TPS."""

    tps: TpsPlace
    checked_at: dt.datetime


@dataclass(frozen=True)
class CheckResult:
    """The answer given to the officer (and stored, as a hash, in ``VoterCheck``)."""

    status: str
    registered: bool
    places: list[TpsPlace] = field(default_factory=list)
    shared_nik: bool = False  # the NIK is on several rows (K2 data error or double registration)
    duplicate_status: str = ""  # "", PairStatus.SUSPECTED or PairStatus.CONFIRMED
    checked_elsewhere: list[EarlierCheck] = field(default_factory=list)
    check_tps: TpsPlace | None = None
    checked_at: dt.datetime | None = None
    alert_raised: bool = False
    check_id: int | None = None

    @property
    def status_label(self) -> str:
        return str(CheckStatus.LABELS[self.status])


def nik_clean(raw: str) -> str:
    """The NIK without the spaces people type; ``VoterCheckError`` unless 16 digits.

    The messages never repeat the value typed: a NIK does not belong in an error or a log.
    """
    value = "".join(str(raw or "").split())
    if not value:
        raise VoterCheckError(_("Masukkan NIK (16 angka)."), field="nik")
    if not value.isdigit():
        raise VoterCheckError(_("NIK hanya berisi angka 0–9."), field="nik")
    if len(value) != NIK_LENGTH:
        raise VoterCheckError(
            _("NIK harus 16 angka; yang dimasukkan %(count)d angka.") % {"count": len(value)},
            field="nik",
        )
    return value


def nik_hash(nik: str) -> str:
    """HMAC-SHA256 of the NIK keyed with the site's secret (hex): the same NIK, the same hash,
    and no way back to the NIK without the secret."""
    return hmac.new(settings.SECRET_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()


def checks_per_minute() -> int:
    return settings.SIAGA_VOTER_CHECKS_PER_MINUTE


def check_tps_choices(*, user) -> list[Tps]:
    """The TPS a user checks from: a monitor's assigned TPS (desa loaded), in order."""
    return list(
        user.assigned_tps.select_related("desa__parent").order_by("desa__name", "number", "pk")
    )


def check_tps_resolve(*, user, tps_id: int | None) -> Tps | None:
    """The TPS of a check by id, among those the user may check from; None for no TPS.

    A field monitor checks from their assigned TPS; other users from any TPS of their scope.
    Anything else is answered as not found (a scope never says what lies beyond it).
    """
    if tps_id is None:
        return None
    scope = user_scope(user)
    tps = Tps.objects.filter(scope.tps_q(), pk=tps_id).select_related("desa__parent").first()
    if tps is None:
        raise VoterCheckNotFound(_("TPS tidak ditemukan."), field="tps")
    return tps


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _rate_limit(user) -> None:
    if not rate_hit("voter-check", str(user.pk), limit=checks_per_minute(), window=WINDOW_SECONDS):
        retry_after = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
        raise VoterCheckRateLimited(
            _("Terlalu banyak pengecekan dalam satu menit. Coba lagi dalam %(seconds)d detik.")
            % {"seconds": retry_after},
            retry_after=retry_after,
        )


def _duplicate_status(voter_ids: list[int]) -> str:
    """Confirmed beats suspected; K2 pairs (one NIK on two people: a data error for KPU) and
    dismissed pairs are not double registrations."""
    if not voter_ids:
        return ""
    statuses = set(
        DuplicatePair.objects.filter(Q(voter_l_id__in=voter_ids) | Q(voter_r_id__in=voter_ids))
        .filter(status__in=[PairStatus.SUSPECTED, PairStatus.CONFIRMED])
        .exclude(klass=DuplicateClass.K2)
        .values_list("status", flat=True)
    )
    if PairStatus.CONFIRMED in statuses:
        return PairStatus.CONFIRMED
    return PairStatus.SUSPECTED if statuses else ""


def _lock_nik(digest: str) -> None:
    """On PostgreSQL, checks of one NIK take turns (two officers at two TPS at the same second
    must still raise exactly one alert); SQLite writes one transaction at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(digest[:15], 16)])


def voter_check(*, user, nik: str, tps: Tps | None = None, context: AuditContext) -> CheckResult:
    """Answer whether ``nik`` is on the DPT, record the check and audit it (see the module).

    Raises ``PermissionDenied`` without ``Action.CHECK_VOTER``, ``VoterCheckRateLimited`` over
    the per-minute limit (every attempt counts, malformed ones too, so the check cannot be used
    to walk through NIKs), and ``VoterCheckError`` for a malformed NIK.
    """
    require(user, Action.CHECK_VOTER)
    _rate_limit(user)
    value = nik_clean(nik)
    digest = nik_hash(value)
    now = clock.now()
    today = clock.today()
    if tps is not None and "desa" not in tps._state.fields_cache:
        tps = Tps.objects.select_related("desa__parent").get(pk=tps.pk)
    with transaction.atomic():
        _lock_nik(digest)
        voters = list(
            Voter.objects.filter(nik=value).select_related("tps__desa__parent").order_by("pk")
        )
        places: list[TpsPlace] = []
        for voter in voters:
            place = TpsPlace.of(voter.tps)
            if place not in places:
                places.append(place)
        duplicate = _duplicate_status([v.pk for v in voters])
        earlier_qs = (
            VoterCheck.objects.filter(
                nik_hash=digest, checked_at__gte=_local_day_start(today), tps__isnull=False
            )
            .select_related("tps__desa__parent")
            .order_by("checked_at", "pk")
        )
        if tps is not None:
            earlier_qs = earlier_qs.exclude(tps=tps)
        elsewhere: list[EarlierCheck] = []
        seen_tps: set[int] = set()
        for earlier in earlier_qs:
            if earlier.tps_id not in seen_tps:  # the first check at each other TPS is enough
                seen_tps.add(earlier.tps_id)
                elsewhere.append(EarlierCheck(TpsPlace.of(earlier.tps), earlier.checked_at))
        if elsewhere:
            status = CheckStatus.CHECKED_ELSEWHERE
        elif duplicate == PairStatus.CONFIRMED:
            status = CheckStatus.CONFIRMED
        elif duplicate == PairStatus.SUSPECTED:
            status = CheckStatus.SUSPECTED
        elif voters:
            status = CheckStatus.REGISTERED
        else:
            status = CheckStatus.NOT_REGISTERED
        check = VoterCheck.objects.create(
            user=user,
            tps=tps,
            nik_hash=digest,
            voter=voters[0] if voters else None,
            result=status,
            checked_at=now,
        )
        audit_record(
            context=context,
            action="voter.check",
            obj=check,
            region_code=tps.desa_id if tps is not None else "",
            after={
                "nik_hash": digest[:HASH_SHOWN],
                "tps_id": tps.pk if tps is not None else None,
                "result": status,
                "registered_rows": len(voters),
                "duplicate_status": duplicate,
                "checked_elsewhere": [e.tps.id for e in elsewhere],
            },
        )
        alert = False
        if tps is not None and elsewhere and _is_voting_day(today):
            alert = _alert_raise(
                context=context, digest=digest, check=check, tps=tps, elsewhere=elsewhere
            )
    return CheckResult(
        status=status,
        registered=bool(voters),
        places=places,
        shared_nik=len(voters) > 1,
        duplicate_status=duplicate,
        checked_elsewhere=elsewhere,
        check_tps=TpsPlace.of(tps) if tps is not None else None,
        checked_at=now,
        alert_raised=alert,
        check_id=check.pk,
    )


def _is_voting_day(today: dt.date) -> bool:
    voting_day = deployment_voting_day()
    return voting_day is not None and today == voting_day


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def alert_recipients(*, desa_codes: list[str]) -> list[User]:
    """Bawaslu and Polres liaisons and the secretariat whose scope covers one of the desa."""
    codes = sorted({code for desa in desa_codes for code in _ancestors(desa)})
    who = Q(role__in=[Role.ANALYST, Role.ADMIN]) | Q(
        role=Role.LIAISON, agency__kind__in=[AgencyKind.BAWASLU, AgencyKind.POLRI]
    )
    covering = Q(is_superuser=True) | Q(scope_regions__code__in=codes)
    return list(User.objects.filter(who, covering, is_active=True).distinct().order_by("pk"))


def _alert_raise(
    *,
    context: AuditContext,
    digest: str,
    check: VoterCheck,
    tps: Tps,
    elsewhere: list[EarlierCheck],
) -> bool:
    """One alert per NIK and day: it hangs on the day's first check of the NIK at a TPS, and a
    later check finding the alert already written adds none. Returns True when raised now."""
    first = elsewhere[0]
    first_check = (
        VoterCheck.objects.filter(nik_hash=digest, tps_id=first.tps.id, checked_at=first.checked_at)
        .order_by("pk")
        .first()
    )
    anchor = str(first_check.pk if first_check else check.pk)
    already = AuditEvent.objects.filter(
        action=ALERT_ACTION, object_type=VoterCheck._meta.label_lower, object_id=anchor
    ).exists()
    if already:
        return False
    here = TpsPlace.of(tps)
    title = _("Pemilih ganda? NIK yang sama dicek di %(first)s dan %(second)s") % {
        "first": first.tps,
        "second": here,
    }
    lines = [
        _("%(time)s — %(tps)s, Kec. %(kecamatan)s")
        % {
            "time": localtime(e.checked_at).strftime("%H:%M"),
            "tps": e.tps,
            "kecamatan": e.tps.kecamatan_name,
        }
        for e in elsewhere
    ]
    lines.append(
        _("%(time)s — %(tps)s, Kec. %(kecamatan)s")
        % {
            "time": localtime(check.checked_at).strftime("%H:%M"),
            "tps": here,
            "kecamatan": here.kecamatan_name,
        }
    )
    body = "\n".join(
        [
            _("Satu NIK dicek pada hari pemungutan suara di dua TPS berbeda:"),
            *lines,
            _("Sidik NIK (untuk jejak audit): %(hash)s") % {"hash": digest[:HASH_SHOWN]},
        ]
    )
    recipients = alert_recipients(desa_codes=[tps.desa_id, *(e.tps.desa_code for e in elsewhere)])
    notify(recipients=recipients, kind=ALERT_KIND, title=title, body=body, urgent=True, obj=check)
    audit_record(
        context=context,
        action=ALERT_ACTION,
        object_type=VoterCheck._meta.label_lower,
        object_id=anchor,
        object_repr=title,
        region_code=tps.desa_id,
        after={
            "nik_hash": digest[:HASH_SHOWN],
            "tps_ids": [e.tps.id for e in elsewhere] + [tps.pk],
            "check_id": check.pk,
            "recipients": [u.pk for u in recipients],
        },
    )
    return True


def result_json(result: CheckResult) -> dict:
    """The answer as the API and the page carry it (no personal data, by construction)."""

    def place(p: TpsPlace | None) -> dict | None:
        if p is None:
            return None
        return {
            "id": p.id,
            "label": p.label,
            "desa_code": p.desa_code,
            "desa_name": p.desa_name,
            "kecamatan_name": p.kecamatan_name,
        }

    return {
        "status": result.status,
        "status_label": result.status_label,
        "registered": result.registered,
        "tps": [place(p) for p in result.places],
        "shared_nik": result.shared_nik,
        "duplicate_status": result.duplicate_status or None,
        "checked_elsewhere": [
            {"tps": place(e.tps), "checked_at": e.checked_at} for e in result.checked_elsewhere
        ],
        "check_tps": place(result.check_tps),
        "checked_at": result.checked_at,
        "alert_raised": result.alert_raised,
    }
