"""Writes of the watch after the vote: watch points, gatherings, re-votes (PSU), readiness
items and their ticks, and the two seeds (the default calendar, the default readiness items).

Each service validates everything before it writes, raises ``WatchError`` (a ``DomainError``
naming the field at fault) with an Indonesian message when the input is wrong, and records one
audit event per row changed in the same transaction. The actor is ``context.actor``: a user is
held to ``Action.EDIT_WATCH`` within their scope (a region outside it is refused as if unknown);
``None`` is the system itself (the demo, a seed from the command line) and may do everything.
Readiness is ticked by the agency itself: a liaison only ticks its own agency's items, while
the secretariat (``EDIT_WATCH`` by role) may tick any item of an agency in its scope.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

from django.db import transaction
from django.utils.translation import gettext as _

from siaga.accounts.choices import Role
from siaga.accounts.models import Agency
from siaga.core import clock, inputs
from siaga.core.audit import AuditContext, AuditEntry, audit_record, audit_record_many, snapshot
from siaga.core.deployment import deployment_voting_day
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can, require_actor, user_scope
from siaga.postelection import schedule
from siaga.postelection.choices import GatheringStatus, Permit, RevoteStatus, WatchKind
from siaga.postelection.models import Gathering, ReadinessItem, Revote, WatchPoint
from siaga.postelection.readiness import DEFAULT_ITEMS
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

__all__ = [
    "WatchError",
    "calendar_seed",
    "gathering_create",
    "gathering_update",
    "readiness_item_create",
    "readiness_item_update",
    "readiness_seed",
    "readiness_tick",
    "readiness_untick",
    "revote_create",
    "revote_update",
    "watchpoint_create",
    "watchpoint_update",
]

TITLE_MAX = 200
PLACE_MAX = 200
# The largest crowd worth recording as a number (a whole regency on the streets is less).
SIZE_MAX = 1_000_000
# Which level of region each kind of watch point belongs to; the others may be any.
KIND_LEVELS: dict[str, tuple[str, ...]] = {
    WatchKind.REKAP_PPK: (Level.DISTRICT,),
    WatchKind.REKAP_KPU: (Level.REGENCY,),
    WatchKind.PENETAPAN: (Level.REGENCY,),
}
WATCH_FIELDS = ("kind", "title", "place", "region", "starts_at", "ends_at", "note")
GATHERING_FIELDS = (
    "title",
    "place",
    "region",
    "lat",
    "lon",
    "planned_at",
    "expected_size",
    "organiser",
    "permit",
    "status",
    "note",
)
REVOTE_FIELDS = ("tps", "ordered_on", "vote_on", "reason", "ordered_by", "status", "note")
READINESS_FIELDS = ("text", "order", "note")


class WatchError(DomainError):
    """Input refused; ``field`` names the input at fault (``region``, ``ends_at``...)."""


# --- who may ------------------------------------------------------------------------------------


def _require_edit(context: AuditContext, region_code: str | None = None) -> None:
    """The actor holds EDIT_WATCH (at ``region_code``, when given); the system always does."""
    require_actor(
        context.user,
        Action.EDIT_WATCH,
        region_code,
        denied=_("Anda tidak berwenang mengubah data pengamanan pasca-pemungutan."),
    )


def may_tick(user, item: ReadinessItem) -> bool:
    """A liaison ticks its own agency's items; EDIT_WATCH by role ticks any in its scope."""
    if user is None:
        return True
    if not can(user, Action.VIEW):
        return False
    if user.role == Role.LIAISON:
        return bool(user.agency_id) and user.agency_id == item.agency_id
    return can(user, Action.EDIT_WATCH, item.agency.region_id)


# --- input cleaning -----------------------------------------------------------------------------


_text = functools.partial(inputs.text, error=WatchError)
_choice = functools.partial(inputs.choice, error=WatchError)
_moment = functools.partial(inputs.moment, error=WatchError)
_day = functools.partial(inputs.day, error=WatchError)
_region = functools.partial(inputs.region, error=WatchError)


def _tps(context: AuditContext, value) -> Tps:
    pk = value.pk if isinstance(value, Tps) else value
    tps = None
    if isinstance(pk, int) and not isinstance(pk, bool):
        tps = Tps.objects.filter(pk=pk).first()
    user = context.user
    if tps is None or (user is not None and not user_scope(user).covers(tps.desa_id)):
        raise WatchError(
            _("TPS %(id)s tidak dikenal atau di luar wilayah tugas Anda.") % {"id": pk},
            field="tps",
        )
    return tps


def _coordinate(value, *, field: str, label: str, bound: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        raise WatchError(
            _("%(label)s harus angka antara -%(b)s dan %(b)s.") % {"label": label, "b": bound},
            field=field,
        )
    return number


def _clean_watchpoint(context: AuditContext, data: dict) -> dict:
    kind = _choice(data.get("kind"), WatchKind, field="kind", label=_("Jenis"))
    region = _region(context, data.get("region"))
    levels = KIND_LEVELS.get(kind)
    if levels and region.level not in levels:
        wanted = _("kecamatan") if Level.DISTRICT in levels else _("kabupaten/kota")
        raise WatchError(
            _("%(kind)s harus di tingkat %(level)s; %(name)s bukan.")
            % {"kind": WatchKind(kind).label, "level": wanted, "name": region.name},
            field="region",
        )
    starts_at = _moment(data.get("starts_at"), field="starts_at", label=_("Waktu mulai"))
    ends_at = _moment(data.get("ends_at"), field="ends_at", label=_("Waktu selesai"))
    if ends_at < starts_at:
        raise WatchError(_("Waktu selesai tidak boleh sebelum waktu mulai."), field="ends_at")
    return {
        "kind": kind,
        "title": _text(
            data.get("title"), field="title", label=_("Judul"), required=True, limit=TITLE_MAX
        ),
        "place": _text(
            data.get("place"), field="place", label=_("Tempat"), required=False, limit=PLACE_MAX
        ),
        "region": region,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "note": _text(data.get("note"), field="note", label=_("Catatan"), required=False),
    }


def _clean_gathering(context: AuditContext, data: dict) -> dict:
    size = data.get("expected_size")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= SIZE_MAX:
        raise WatchError(
            _("Perkiraan jumlah massa harus bilangan bulat antara 0 dan %(max)s.")
            % {"max": f"{SIZE_MAX:,}".replace(",", ".")},
            field="expected_size",
        )
    lat = _coordinate(data.get("lat"), field="lat", label=_("Lintang"), bound=90)
    lon = _coordinate(data.get("lon"), field="lon", label=_("Bujur"), bound=180)
    if (lat is None) != (lon is None):
        raise WatchError(
            _("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya."),
            field="lat" if lat is None else "lon",
        )
    return {
        "title": _text(
            data.get("title"), field="title", label=_("Judul"), required=True, limit=TITLE_MAX
        ),
        "place": _text(
            data.get("place"), field="place", label=_("Tempat"), required=True, limit=PLACE_MAX
        ),
        "region": _region(context, data.get("region")),
        "lat": lat,
        "lon": lon,
        "planned_at": _moment(data.get("planned_at"), field="planned_at", label=_("Waktu rencana")),
        "expected_size": size,
        "organiser": _text(
            data.get("organiser"),
            field="organiser",
            label=_("Penyelenggara"),
            required=False,
            limit=200,
        ),
        "permit": _choice(
            data.get("permit"), Permit, field="permit", label=_("Surat pemberitahuan")
        ),
        "status": _choice(data.get("status"), GatheringStatus, field="status", label=_("Status")),
        "note": _text(data.get("note"), field="note", label=_("Catatan"), required=False),
    }


def _clean_revote(context: AuditContext, data: dict, *, pk: int | None = None) -> dict:
    tps = _tps(context, data.get("tps"))
    ordered_on = _day(data.get("ordered_on"), field="ordered_on", label=_("Tanggal perintah"))
    vote_on = _day(data.get("vote_on"), field="vote_on", label=_("Tanggal PSU"))
    if vote_on < ordered_on:
        raise WatchError(_("Tanggal PSU tidak boleh sebelum tanggal perintah."), field="vote_on")
    voting_day = deployment_voting_day()
    if voting_day is not None and vote_on <= voting_day:
        raise WatchError(
            _("Tanggal PSU harus sesudah hari pemungutan suara (%(day)s).")
            % {"day": voting_day.strftime("%d-%m-%Y")},
            field="vote_on",
        )
    status = _choice(data.get("status"), RevoteStatus, field="status", label=_("Status"))
    if status == RevoteStatus.DIPERINTAHKAN:
        open_one = Revote.objects.filter(tps=tps, status=RevoteStatus.DIPERINTAHKAN)
        if pk is not None:
            open_one = open_one.exclude(pk=pk)
        if open_one.exists():
            raise WatchError(
                _("%(tps)s sudah punya PSU yang diperintahkan dan belum dilaksanakan.")
                % {"tps": f"{tps.label} {tps.desa_id}"},
                field="tps",
            )
    return {
        "tps": tps,
        "ordered_on": ordered_on,
        "vote_on": vote_on,
        "reason": _text(data.get("reason"), field="reason", label=_("Alasan"), required=True),
        "ordered_by": _text(
            data.get("ordered_by"),
            field="ordered_by",
            label=_("Diperintahkan oleh"),
            required=False,
            limit=120,
        ),
        "status": status,
        "note": _text(data.get("note"), field="note", label=_("Catatan"), required=False),
    }


def _clean_readiness(data: dict) -> dict:
    order = data.get("order")
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 32767:
        raise WatchError(_("Urutan harus bilangan bulat 0 sampai 32767."), field="order")
    return {
        "text": _text(
            data.get("text"), field="text", label=_("Butir kesiapan"), required=True, limit=300
        ),
        "order": order,
        "note": _text(
            data.get("note"), field="note", label=_("Catatan"), required=False, limit=300
        ),
    }


def _unknown(changes: dict, fields: tuple[str, ...]) -> None:
    extra = sorted(set(changes) - set(fields))
    if extra:
        raise WatchError(
            _("Isian tidak dikenal: %(fields)s.") % {"fields": ", ".join(extra)}, field=extra[0]
        )


def _current(instance, fields: tuple[str, ...]) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _apply(instance, cleaned: dict) -> bool:
    changed = False
    for name, value in cleaned.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _create_row(context: AuditContext, model, fields: dict, *, action: str, region_code: str):
    """Create a row of ``model`` and its audit event in one transaction."""
    with transaction.atomic():
        row = model.objects.create(**fields)
        audit_record(
            context=context, action=action, obj=row, region_code=region_code, after=snapshot(row)
        )
    return row


def _update_row(context: AuditContext, instance, cleaned: dict, *, action: str, region_code: str):
    """Lock ``instance``'s row, apply ``cleaned`` and only when that changed something stamp
    ``updated_at`` (where the model keeps one), save and audit it: a retried update writes
    nothing. Returns the row as saved."""
    with transaction.atomic():
        row = type(instance).objects.select_for_update().get(pk=instance.pk)
        before = snapshot(row)
        if _apply(row, cleaned):
            if hasattr(row, "updated_at"):
                row.updated_at = clock.now()
            row.save()
            audit_record(
                context=context,
                action=action,
                obj=row,
                region_code=region_code,
                before=before,
                after=snapshot(row),
            )
    return row


# --- watch points ---------------------------------------------------------------------------------


def watchpoint_create(
    *,
    context: AuditContext,
    kind: str,
    title: str,
    region: Region | str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    note: str = "",
) -> WatchPoint:
    """Add a watch point to the post-vote calendar."""
    _require_edit(context)
    data = dict(kind=kind, title=title, region=region, starts_at=starts_at, ends_at=ends_at)
    cleaned = _clean_watchpoint(context, data | {"place": place, "note": note})
    return _create_row(
        context,
        WatchPoint,
        cleaned,
        action="postelection.watchpoint.create",
        region_code=cleaned["region"].code,
    )


def watchpoint_update(*, context: AuditContext, watchpoint: WatchPoint, **changes) -> WatchPoint:
    """Change some fields of a watch point (the others stay); nothing changed writes nothing."""
    _unknown(changes, WATCH_FIELDS)
    _require_edit(context, watchpoint.region_id)
    cleaned = _clean_watchpoint(context, _current(watchpoint, WATCH_FIELDS) | changes)
    return _update_row(
        context,
        watchpoint,
        cleaned,
        action="postelection.watchpoint.update",
        region_code=cleaned["region"].code,
    )


# --- gatherings -----------------------------------------------------------------------------------


def gathering_create(
    *,
    context: AuditContext,
    title: str,
    place: str,
    region: Region | str,
    planned_at: dt.datetime,
    expected_size: int = 0,
    organiser: str = "",
    permit: str = Permit.TIDAK_ADA,
    status: str = GatheringStatus.RENCANA,
    lat: float | None = None,
    lon: float | None = None,
    note: str = "",
) -> Gathering:
    """Record a planned demonstration or mass mobilisation."""
    _require_edit(context)
    data = dict(title=title, place=place, region=region, planned_at=planned_at, note=note)
    data |= dict(expected_size=expected_size, organiser=organiser, permit=permit, status=status)
    cleaned = _clean_gathering(context, data | {"lat": lat, "lon": lon})
    return _create_row(
        context,
        Gathering,
        cleaned | {"created_by": context.user},
        action="postelection.gathering.create",
        region_code=cleaned["region"].code,
    )


def gathering_update(*, context: AuditContext, gathering: Gathering, **changes) -> Gathering:
    """Change some fields of a gathering (its status as it unfolds, a new estimate of size)."""
    _unknown(changes, GATHERING_FIELDS)
    _require_edit(context, gathering.region_id)
    cleaned = _clean_gathering(context, _current(gathering, GATHERING_FIELDS) | changes)
    return _update_row(
        context,
        gathering,
        cleaned,
        action="postelection.gathering.update",
        region_code=cleaned["region"].code,
    )


# --- re-votes -------------------------------------------------------------------------------------


def revote_create(
    *,
    context: AuditContext,
    tps: Tps | int,
    ordered_on: dt.date,
    vote_on: dt.date,
    reason: str,
    ordered_by: str = "",
    status: str = RevoteStatus.DIPERINTAHKAN,
    note: str = "",
) -> Revote:
    """Record a re-vote (PSU) ordered for one TPS."""
    _require_edit(context)
    data = dict(tps=tps, ordered_on=ordered_on, vote_on=vote_on, reason=reason, note=note)
    cleaned = _clean_revote(context, data | {"ordered_by": ordered_by, "status": status})
    return _create_row(
        context,
        Revote,
        cleaned,
        action="postelection.revote.create",
        region_code=cleaned["tps"].desa_id,
    )


def revote_update(*, context: AuditContext, revote: Revote, **changes) -> Revote:
    """Change some fields of a re-vote (held, cancelled, moved to another day)."""
    _unknown(changes, REVOTE_FIELDS)
    _require_edit(context, revote.tps.desa_id)
    cleaned = _clean_revote(context, _current(revote, REVOTE_FIELDS) | changes, pk=revote.pk)
    return _update_row(
        context,
        revote,
        cleaned,
        action="postelection.revote.update",
        region_code=cleaned["tps"].desa_id,
    )


# --- readiness ------------------------------------------------------------------------------------


def readiness_item_create(
    *,
    context: AuditContext,
    agency: Agency | int,
    text: str,
    order: int | None = None,
    note: str = "",
) -> ReadinessItem:
    """Add an item to an agency's readiness checklist (last, unless ``order`` says)."""
    agency_pk = agency.pk if isinstance(agency, Agency) else agency
    found = Agency.objects.filter(pk=agency_pk).first() if isinstance(agency_pk, int) else None
    if found is None:
        raise WatchError(_("Instansi %(id)s tidak dikenal.") % {"id": agency_pk}, field="agency")
    _require_edit(context, found.region_id)
    if order is None:
        last = ReadinessItem.objects.filter(agency=found).order_by("-order").first()
        order = (last.order + 1) if last else 1
    cleaned = _clean_readiness({"text": text, "order": order, "note": note})
    return _create_row(
        context,
        ReadinessItem,
        cleaned | {"agency": found},
        action="postelection.readiness.create",
        region_code=found.region_id,
    )


def readiness_item_update(
    *, context: AuditContext, item: ReadinessItem, **changes
) -> ReadinessItem:
    """Change the text, order or note of a readiness item."""
    _unknown(changes, READINESS_FIELDS)
    _require_edit(context, item.agency.region_id)
    cleaned = _clean_readiness(_current(item, READINESS_FIELDS) | changes)
    return _update_row(
        context,
        item,
        cleaned,
        action="postelection.readiness.update",
        region_code=item.agency.region_id,
    )


def _tick(context: AuditContext, item: ReadinessItem, *, done: bool, note: str | None):
    user = context.user
    if not may_tick(user, item):
        raise PermissionDenied(
            _("Hanya instansi %(agency)s sendiri atau sekretariat yang boleh mencentang butir ini.")
            % {"agency": item.agency.name}
        )
    if note is not None:
        note = _text(note, field="note", label=_("Catatan"), required=False, limit=300)
    with transaction.atomic():
        row = ReadinessItem.objects.select_for_update().select_related("agency").get(pk=item.pk)
        if row.done == done and (note is None or note == row.note):
            return row  # a retried tick changes nothing and records nothing
        before = snapshot(row)
        row.done = done
        row.done_at = clock.now() if done else None
        row.done_by = user if done else None
        if note is not None:
            row.note = note
        row.save()
        audit_record(
            context=context,
            action="postelection.readiness.tick" if done else "postelection.readiness.untick",
            obj=row,
            region_code=row.agency.region_id,
            before=before,
            after=snapshot(row),
        )
    return row


def readiness_tick(
    *, context: AuditContext, item: ReadinessItem, note: str | None = None
) -> ReadinessItem:
    """Mark an item ready (idempotent); ``note`` replaces the item's note when given."""
    return _tick(context, item, done=True, note=note)


def readiness_untick(
    *, context: AuditContext, item: ReadinessItem, note: str | None = None
) -> ReadinessItem:
    """Mark an item not ready again (idempotent)."""
    return _tick(context, item, done=False, note=note)


def readiness_seed(*, context: AuditContext) -> int:
    """Give every agency the default items of its kind that it lacks; returns how many were
    added. Items already there (by their seed key) are left as the agency edited them."""
    _require_edit(context)
    agencies = list(Agency.objects.filter(kind__in=list(DEFAULT_ITEMS)).order_by("pk"))
    existing = set(ReadinessItem.objects.exclude(seed_key="").values_list("agency_id", "seed_key"))
    new: list[ReadinessItem] = []
    for agency in agencies:
        for order, (key, text) in enumerate(DEFAULT_ITEMS[agency.kind], start=1):
            if (agency.pk, key) not in existing:
                new.append(ReadinessItem(agency=agency, text=str(text), order=order, seed_key=key))
    if not new:
        return 0
    with transaction.atomic():
        for item in new:
            item.save()
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(
                    action="postelection.readiness.create",
                    obj=item,
                    region_code=item.agency.region_id,
                    after=snapshot(item),
                )
                for item in new
            ],
        )
    return len(new)


# --- the default calendar -------------------------------------------------------------------------


def _calendar_rows(voting_day: dt.date, regency: Region) -> list[tuple[str, dict]]:
    rows: list[tuple[str, dict]] = []
    ppk = schedule.days_window(voting_day, schedule.REKAP_PPK_DAYS)
    kecamatan = (
        Region.objects.defer("boundary")
        .filter(parent=regency, level=Level.DISTRICT)
        .order_by("code")
    )
    for kec in kecamatan:
        rows.append(
            (
                f"rekap_ppk:{kec.code}",
                {
                    "kind": WatchKind.REKAP_PPK,
                    "title": _("Rekapitulasi PPK Kecamatan %(name)s") % {"name": kec.name},
                    "place": _("Kantor PPK Kecamatan %(name)s") % {"name": kec.name},
                    "region": kec,
                    "starts_at": ppk.starts_at,
                    "ends_at": ppk.ends_at,
                },
            )
        )
    kpu_place = _("Kantor KPU %(name)s") % {"name": regency.name}
    kpu = schedule.days_window(voting_day, schedule.REKAP_KPU_DAYS)
    determination = schedule.days_window(voting_day, schedule.PENETAPAN_DAYS)
    mk = schedule.mk_window(voting_day)
    rows += [
        (
            f"rekap_kpu:{regency.code}",
            {
                "kind": WatchKind.REKAP_KPU,
                "title": _("Rapat pleno rekapitulasi KPU %(name)s") % {"name": regency.name},
                "place": kpu_place,
                "region": regency,
                "starts_at": kpu.starts_at,
                "ends_at": kpu.ends_at,
            },
        ),
        (
            f"penetapan:{regency.code}",
            {
                "kind": WatchKind.PENETAPAN,
                "title": _("Penetapan hasil rekapitulasi KPU %(name)s") % {"name": regency.name},
                "place": kpu_place,
                "region": regency,
                "starts_at": determination.starts_at,
                "ends_at": determination.ends_at,
            },
        ),
        (
            f"sengketa_mk:{regency.code}",
            {
                "kind": WatchKind.SENGKETA_MK,
                "title": _("Masa pengajuan permohonan sengketa hasil ke Mahkamah Konstitusi"),
                "place": _("Mahkamah Konstitusi, Jakarta (dan posko pasangan calon di daerah)"),
                "region": regency,
                "starts_at": mk.starts_at,
                "ends_at": mk.ends_at,
                "note": _("Tiga hari kerja sesudah penetapan; periksa hari libur nasional."),
            },
        ),
    ]
    return rows


def calendar_seed(
    *, context: AuditContext, voting_day: dt.date, regency: Region | str
) -> list[WatchPoint]:
    """Create the default post-vote watch points of ``regency`` (see ``schedule``) that do not
    exist yet; returns those created. A second run creates nothing and leaves edits alone."""
    if isinstance(voting_day, dt.datetime) or not isinstance(voting_day, dt.date):
        raise WatchError(_("Hari pemungutan suara wajib diisi (tanggal)."), field="voting_day")
    region = _region(context, regency)
    if region.level != Level.REGENCY:
        raise WatchError(
            _("%(name)s bukan kabupaten/kota.") % {"name": region.name}, field="regency"
        )
    _require_edit(context, region.code)
    rows = _calendar_rows(voting_day, region)
    existing = set(
        WatchPoint.objects.filter(seed_key__in=[key for key, _row in rows]).values_list(
            "seed_key", flat=True
        )
    )
    created: list[WatchPoint] = []
    with transaction.atomic():
        for key, row in rows:
            if key in existing:
                continue
            row = {**row, "title": str(row["title"]), "place": str(row["place"])}
            created.append(WatchPoint.objects.create(seed_key=key, **row))
        audit_record_many(
            context=context,
            entries=[
                AuditEntry(
                    action="postelection.watchpoint.create",
                    obj=point,
                    region_code=point.region_id,
                    after=snapshot(point),
                )
                for point in created
            ],
        )
    return created
