"""Writes of election logistics: rules, shipments, status changes, handovers, replacements.

Every function is keyword-only, transactional, checks the permission itself and writes one audit
event per change. ``handover_record`` is idempotent on the client's idempotency key, so a field
app that lost the answer may send the same request again and nothing is recorded twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import Agency
from siaga.core import clock
from siaga.core.audit import AuditContext, AuditEntry, audit_record, audit_record_many, snapshot
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.permissions import Action, can, require, user_scope
from siaga.logistics.choices import (
    ReplacementReason,
    RuleKind,
    ShipmentStatus,
    Stage,
    TransportMode,
)
from siaga.logistics.models import (
    Handover,
    HandoverLine,
    ItemType,
    ReplacementRequest,
    RequirementRule,
    Shipment,
    ShipmentLine,
)
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

# Short codes are typed on cheap phones and read from QR labels: no 0/O, no 1/I.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_PREFIX = "KT-"  # printed on labels; accepted and ignored when typed

PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
REPLACEMENT_HOURS = 12

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    ShipmentStatus.PLANNED: frozenset({ShipmentStatus.LOADING}),
    ShipmentStatus.LOADING: frozenset({ShipmentStatus.IN_TRANSIT, ShipmentStatus.PLANNED}),
    ShipmentStatus.IN_TRANSIT: frozenset({ShipmentStatus.ARRIVED, ShipmentStatus.RETURNED}),
    ShipmentStatus.ARRIVED: frozenset({ShipmentStatus.HANDED_OVER, ShipmentStatus.RETURNED}),
    ShipmentStatus.HANDED_OVER: frozenset(),
    ShipmentStatus.RETURNED: frozenset(),
}
# A handover in the field may come before anyone marked the shipment as departed or arrived.
HANDOVER_FROM = frozenset(
    {
        ShipmentStatus.PLANNED,
        ShipmentStatus.LOADING,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.ARRIVED,
    }
)
STAGE_DESTINATION_LEVEL = {
    Stage.KPU_TO_PPK: Level.DISTRICT,
    Stage.PPK_TO_PPS: Level.VILLAGE,
    Stage.PPS_TO_KPPS: Level.VILLAGE,
}
STAGE_RANK = {Stage.KPU_TO_PPK: 1, Stage.PPK_TO_PPS: 2, Stage.PPS_TO_KPPS: 3}


class HandoverError(DomainError):
    """A handover was refused; ``field`` names the input at fault (``lines[2].received``)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ShipmentUnknown(HandoverError):
    """No shipment with this code, or none the user may see (shown as 404)."""


# --- codes --------------------------------------------------------------------------------------


def normalise_shipment_code(code: str) -> str:
    """The code as stored: upper case, without spaces and without the printed ``KT-`` prefix."""
    text = "".join(str(code or "").split()).upper()
    if text.startswith(CODE_PREFIX) and len(text) == len(CODE_PREFIX) + CODE_LENGTH:
        text = text[len(CODE_PREFIX) :]
    return text


def shipment_code_new() -> str:
    """A fresh random short code not used by any shipment."""
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))
        if not Shipment.objects.filter(code=code).exists():
            return code
    raise DomainError(_("Tidak dapat membuat kode pengiriman unik; coba lagi."))


def shipment_code_for(key: str) -> str:
    """A deterministic short code for ``key`` (a plan row without a code gets the same code on
    every import, so that a re-import updates rather than duplicates)."""
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest(), "big")
    chars = []
    for _position in range(CODE_LENGTH):
        digest, index = divmod(digest, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


# --- rules --------------------------------------------------------------------------------------


def rule_update(
    *,
    context: AuditContext,
    user,
    item: ItemType | str,
    kind: str,
    params: dict,
    active: bool | None = None,
) -> RequirementRule:
    """Set the requirement rule of ``item`` (an ``ItemType`` or its code); needs EDIT_LOGISTICS.

    The rule is validated by the engine; requirements are computed on read, so the change shows
    at once everywhere. Raises ``DomainError`` with the reasons when the rule is not valid.
    """
    from siaga.engines.logistics import validate_rule

    require(user, Action.EDIT_LOGISTICS)
    if isinstance(item, str):
        found = ItemType.objects.filter(code=item).first()
        if found is None:
            raise DomainError(_("Jenis logistik %(code)s tidak dikenal.") % {"code": item})
        item = found
    if kind not in RuleKind.values:
        raise DomainError(
            _("Jenis aturan %(kind)s tidak dikenal (pilihan: %(choices)s).")
            % {"kind": kind, "choices": ", ".join(RuleKind.values)}
        )
    problems = validate_rule(kind, params)
    if problems:
        raise DomainError(
            _("Aturan untuk %(item)s tidak sah: %(problems)s")
            % {"item": item.name, "problems": "; ".join(problems)}
        )
    with transaction.atomic():
        rule = RequirementRule.objects.select_for_update().filter(item=item).first()
        before = snapshot(rule) if rule else None
        if rule is None:
            rule = RequirementRule(item=item)
        rule.kind = kind
        rule.params = params
        if active is not None:
            rule.active = active
        if before is not None and snapshot(rule) == before:
            return rule
        rule.save()
        audit_record(
            context=context,
            action="logistics.rule.update" if before else "logistics.rule.create",
            obj=rule,
            before=before,
            after=snapshot(rule),
        )
    return rule


# --- shipments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentLineInput:
    item: str  # item code
    quantity: int
    tps_id: int | None = None


def _check_destination(stage: str, destination: Region, tps: Tps | None) -> None:
    if stage not in Stage.values:
        raise DomainError(_("Tahap %(stage)s tidak dikenal.") % {"stage": stage})
    level = STAGE_DESTINATION_LEVEL[Stage(stage)]
    if destination.level != level:
        raise DomainError(
            _("Tujuan tahap %(stage)s harus %(level)s, bukan %(region)s.")
            % {
                "stage": Stage(stage).label,
                "level": Level(level).label,
                "region": destination.name,
            }
        )
    if stage == Stage.PPS_TO_KPPS:
        if tps is None:
            raise DomainError(_("Tahap PPS → KPPS memerlukan TPS tujuan."))
        if tps.desa_id != destination.code:
            raise DomainError(_("TPS tujuan tidak berada di desa tujuan."))
    elif tps is not None:
        raise DomainError(_("TPS tujuan hanya untuk tahap PPS → KPPS."))


def _lines_resolved(
    shipment_destination: str, lines: list[ShipmentLineInput]
) -> list[tuple[ItemType, Tps | None, int]]:
    items = {i.code: i for i in ItemType.objects.filter(code__in={li.item for li in lines})}
    tps_by_id = {
        t.pk: t for t in Tps.objects.filter(pk__in={li.tps_id for li in lines if li.tps_id})
    }
    resolved = []
    seen = set()
    for n, line in enumerate(lines, start=1):
        item = items.get(line.item)
        if item is None:
            raise DomainError(
                _("Baris %(n)s: jenis logistik %(code)s tidak dikenal.")
                % {"n": n, "code": line.item}
            )
        if line.quantity is None or line.quantity < 0:
            raise DomainError(_("Baris %(n)s: jumlah tidak boleh negatif.") % {"n": n})
        tps = tps_by_id.get(line.tps_id) if line.tps_id else None
        if line.tps_id and (
            tps is None
            or not (
                tps.desa_id == shipment_destination
                or tps.desa_id.startswith(shipment_destination + ".")
            )
        ):
            raise DomainError(_("Baris %(n)s: TPS tidak berada di wilayah tujuan.") % {"n": n})
        key = (item.pk, line.tps_id)
        if key in seen:
            raise DomainError(
                _("Baris %(n)s: barang dan TPS yang sama tertulis dua kali.") % {"n": n}
            )
        seen.add(key)
        resolved.append((item, tps, line.quantity))
    return resolved


def _shipment_snapshot(shipment: Shipment) -> dict:
    data = snapshot(shipment)
    data["lines"] = sorted(
        [line.item.code, line.tps_id, line.quantity]
        for line in shipment.lines.select_related("item")
    )
    return data


def shipment_create(
    *,
    context: AuditContext,
    user,
    stage: str,
    origin: Region | str,
    destination: Region | str,
    destination_tps: Tps | None = None,
    mode: str,
    planned_departure: dt.datetime,
    planned_arrival: dt.datetime,
    carrier: str = "",
    escort: str = "",
    notes: str = "",
    lines: list[ShipmentLineInput] = (),
    code: str | None = None,
) -> Shipment:
    """Create one leg of the distribution; needs EDIT_LOGISTICS over the destination."""
    origin = _region(origin, user=user)
    destination = _region(destination, user=user)
    require(user, Action.EDIT_LOGISTICS, destination.code)
    if not user_scope(user).may_open_region(origin.code):
        raise DomainError(_("Wilayah %(code)s tidak dikenal.") % {"code": origin.code})
    _check_shipment_fields(
        stage, destination, destination_tps, mode, planned_departure, planned_arrival
    )
    resolved = _lines_resolved(destination.code, list(lines))
    with transaction.atomic():
        shipment = Shipment.objects.create(
            code=normalise_shipment_code(code) if code else shipment_code_new(),
            stage=stage,
            origin_region=origin,
            destination_region=destination,
            destination_tps=destination_tps,
            mode=mode,
            carrier=carrier,
            escort=escort,
            notes=notes,
            planned_departure=planned_departure,
            planned_arrival=planned_arrival,
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, item=item, tps=tps, quantity=quantity)
            for item, tps, quantity in resolved
        )
        audit_record(
            context=context,
            action="logistics.shipment.create",
            obj=shipment,
            region_code=destination.code,
            after=_shipment_snapshot(shipment),
        )
    return shipment


SHIPMENT_EDITABLE = (
    "mode",
    "carrier",
    "escort",
    "notes",
    "planned_departure",
    "planned_arrival",
)


def shipment_update(
    *,
    context: AuditContext,
    user,
    shipment: Shipment,
    lines: list[ShipmentLineInput] | None = None,
    **changes: Any,
) -> Shipment:
    """Edit a shipment's plan (mode, carrier, escort, notes, planned times, and its lines).

    Needs EDIT_LOGISTICS over the destination. Lines may change only while the shipment is
    planned or loading. Nothing is recorded when nothing changed.
    """
    require(user, Action.EDIT_LOGISTICS, shipment.destination_region_id)
    unknown = set(changes) - set(SHIPMENT_EDITABLE)
    if unknown:
        raise DomainError(
            _("Kolom %(fields)s tidak dapat diubah.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        before = _shipment_snapshot(shipment)
        for name, value in changes.items():
            setattr(shipment, name, value)
        _check_shipment_fields(
            shipment.stage,
            shipment.destination_region,
            shipment.destination_tps,
            shipment.mode,
            shipment.planned_departure,
            shipment.planned_arrival,
        )
        if lines is not None:
            if shipment.status not in (ShipmentStatus.PLANNED, ShipmentStatus.LOADING):
                raise DomainError(_("Isi pengiriman tidak dapat diubah setelah berangkat."))
            resolved = _lines_resolved(shipment.destination_region_id, list(lines))
            shipment.lines.all().delete()
            ShipmentLine.objects.bulk_create(
                ShipmentLine(shipment=shipment, item=item, tps=tps, quantity=quantity)
                for item, tps, quantity in resolved
            )
        shipment.save()
        after = _shipment_snapshot(shipment)
        if after != before:
            audit_record(
                context=context,
                action="logistics.shipment.update",
                obj=shipment,
                region_code=shipment.destination_region_id,
                before=before,
                after=after,
            )
    return shipment


def _check_shipment_fields(stage, destination, tps, mode, departure, arrival) -> None:
    _check_destination(stage, destination, tps)
    if mode not in TransportMode.values:
        raise DomainError(_("Moda %(mode)s tidak dikenal.") % {"mode": mode})
    if departure is None or arrival is None:
        raise DomainError(_("Rencana berangkat dan rencana tiba wajib diisi."))
    if arrival < departure:
        raise DomainError(_("Rencana tiba tidak boleh sebelum rencana berangkat."))


def _region(value: Region | str, *, user=None) -> Region:
    """The region of a code; one the user could not open is "unknown" too, so that an editor
    cannot probe which codes exist outside their scope."""
    if isinstance(value, Region):
        return value
    region = Region.objects.filter(code=value).first()
    if region is None or (user is not None and not user_scope(user).may_open_region(region.code)):
        raise DomainError(_("Wilayah %(code)s tidak dikenal.") % {"code": value})
    return region


def shipment_status_set(
    *,
    context: AuditContext,
    user,
    shipment: Shipment,
    status: str,
    at: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> Shipment:
    """Move a shipment along planned → loading → in_transit → arrived → handed_over
    (returned from in_transit or arrived), stamping departure and arrival times and the last
    position. Needs EDIT_LOGISTICS over the destination. Setting the current status again only
    updates the position (audited when it changed)."""
    require(user, Action.EDIT_LOGISTICS, shipment.destination_region_id)
    if status not in ShipmentStatus.values:
        raise DomainError(_("Status %(status)s tidak dikenal.") % {"status": status})
    at = at or clock.now()
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        before = snapshot(shipment)
        if status == shipment.status:
            if lat is None or lon is None:
                return shipment
            action = "logistics.shipment.position"
        elif status not in ALLOWED_TRANSITIONS[ShipmentStatus(shipment.status)]:
            raise DomainError(
                _("Status tidak dapat diubah dari %(old)s ke %(new)s.")
                % {
                    "old": ShipmentStatus(shipment.status).label,
                    "new": ShipmentStatus(status).label,
                }
            )
        else:
            action = "logistics.shipment.status"
            _stamp(shipment, status, at)
        if lat is not None and lon is not None:
            shipment.last_lat, shipment.last_lon, shipment.last_position_at = lat, lon, at
        shipment.save()
        audit_record(
            context=context,
            action=action,
            obj=shipment,
            region_code=shipment.destination_region_id,
            before=before,
            after=snapshot(shipment),
        )
    return shipment


def _stamp(shipment: Shipment, status: str, at: dt.datetime) -> None:
    shipment.status = status
    if status == ShipmentStatus.IN_TRANSIT and shipment.actual_departure is None:
        shipment.actual_departure = at
    if status in (ShipmentStatus.ARRIVED, ShipmentStatus.HANDED_OVER):
        if shipment.actual_departure is None:
            shipment.actual_departure = min(at, shipment.planned_departure)
        if shipment.actual_arrival is None:
            shipment.actual_arrival = at


# --- handovers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverLineInput:
    """Counts of one item (for one TPS, or None when the shipment is not packed per TPS).

    ``received`` counts what arrived, damaged ones included; ``damaged`` is the part of it that
    cannot be used; ``missing`` what the documents list but did not arrive.
    """

    item: str  # item code
    tps_id: int | None
    received: int
    damaged: int = 0
    missing: int = 0


@dataclass
class HandoverResult:
    handover: Handover
    created: bool
    replacements: list[ReplacementRequest] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def end_of_h_minus_1() -> dt.datetime | None:
    """23:59 (local time, WITA) of the day before voting day, or None without a deployment."""
    from siaga.core.models import Deployment

    voting_day = Deployment.objects.values_list("voting_day", flat=True).first()
    if voting_day is None:
        return None
    return dt.datetime.combine(
        voting_day - dt.timedelta(days=1), dt.time(23, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def replacement_deadline(received_at: dt.datetime) -> dt.datetime:
    """The earlier of ``received_at`` + 12 h and the end of H-1; once H-1 is over, + 12 h."""
    soon = received_at + dt.timedelta(hours=REPLACEMENT_HOURS)
    h_minus_1 = end_of_h_minus_1()
    if h_minus_1 is None or h_minus_1 < received_at:
        return soon
    return min(soon, h_minus_1)


def may_submit_handover(user, shipment: Shipment) -> bool:
    """KPU liaisons and administrators anywhere in their scope; field monitors only for the
    places they are assigned (the destination in their scope and, on the KPPS leg, one of their
    assigned TPS when they have some); everyone else reads only."""
    if can(user, Action.EDIT_LOGISTICS, shipment.destination_region_id):
        return True
    if getattr(user, "role", None) != Role.FIELD_MONITOR:
        return False
    if not can(user, Action.SUBMIT_FIELD, shipment.destination_region_id):
        return False
    tps_ids = user_scope(user).tps_ids
    if tps_ids is not None and shipment.destination_tps_id is not None:
        return shipment.destination_tps_id in tps_ids
    return True


def _photo_checked(photo) -> None:
    """Refuse anything but a JPEG, PNG or WebP image of at most 10 MB (Pillow open + verify)."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(photo, "size", None)
    if size is None:
        photo.seek(0, 2)
        size = photo.tell()
    if size > PHOTO_MAX_BYTES:
        raise HandoverError(
            _("Foto terlalu besar (%(mb).1f MB; paling besar %(max)s MB).")
            % {"mb": size / 1024 / 1024, "max": PHOTO_MAX_BYTES // 1024 // 1024},
            field="photo",
        )
    if size == 0:
        raise HandoverError(_("Foto kosong."), field="photo")
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise HandoverError(
            _("Berkas foto bukan gambar yang sah (gunakan JPEG, PNG atau WebP)."), field="photo"
        ) from exc
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise HandoverError(
            _("Format foto %(format)s tidak diterima (gunakan JPEG, PNG atau WebP).")
            % {"format": kind},
            field="photo",
        )


def _lines_key(lines) -> list[tuple]:
    return sorted((li[0], li[1] or 0, li[2], li[3], li[4]) for li in lines)


def _same_payload(handover: Handover, *, code, received_at, handed_by, received_by, lines) -> bool:
    stored = _lines_key(
        (line.item.code, line.tps_id, line.received, line.damaged, line.missing)
        for line in handover.lines.select_related("item")
    )
    default_tps = handover.shipment.destination_tps_id
    asked = _lines_key(
        (li.item, li.tps_id or default_tps, li.received, li.damaged, li.missing) for li in lines
    )
    return (
        handover.shipment.code == code
        and handover.received_at == received_at
        and handover.handed_by == handed_by
        and handover.received_by == received_by
        and stored == asked
    )


def _replay(handover: Handover, user, **payload) -> HandoverResult:
    if not may_submit_handover(user, handover.shipment):
        raise ShipmentUnknown(
            _("Kode pengiriman %(code)s tidak dikenal.") % {"code": payload["code"]},
            field="shipment_code",
        )
    if not _same_payload(handover, **payload):
        raise HandoverError(
            _(
                "Kunci idempotensi ini sudah dipakai untuk serah terima lain dengan isi berbeda; "
                "kirim dengan kunci baru bila ini serah terima yang lain."
            ),
            field="idempotency_key",
        )
    return HandoverResult(
        handover=handover, created=False, replacements=list(handover.replacements.all())
    )


def _validated_lines(
    shipment: Shipment, lines: list[HandoverLineInput]
) -> list[tuple[ItemType, int | None, HandoverLineInput, int]]:
    """Check every line against the shipment; returns (item, tps id, input, dispatched)."""
    if not lines:
        raise HandoverError(_("Isi serah terima kosong: isi minimal satu barang."), field="lines")
    default_tps = shipment.destination_tps_id
    dispatched: dict[tuple[str, int | None], tuple[ItemType, int]] = {}
    for line in shipment.lines.select_related("item"):
        dispatched[(line.item.code, line.tps_id or default_tps)] = (line.item, line.quantity)
    seen: set[tuple[str, int | None]] = set()
    result = []
    for n, line in enumerate(lines):
        where = f"lines[{n}]"
        for name in ("received", "damaged", "missing"):
            value = getattr(line, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise HandoverError(
                    _("%(field)s: jumlah harus bilangan bulat.") % {"field": f"{where}.{name}"},
                    field=f"{where}.{name}",
                )
            if value < 0:
                raise HandoverError(
                    _("%(field)s: jumlah tidak boleh negatif (%(value)s).")
                    % {"field": f"{where}.{name}", "value": value},
                    field=f"{where}.{name}",
                )
        key = (line.item, line.tps_id or default_tps)
        if key not in dispatched:
            raise HandoverError(
                _("%(field)s: barang %(item)s%(tps)s tidak ada dalam pengiriman %(code)s.")
                % {
                    "field": f"{where}.item",
                    "item": line.item,
                    "tps": f" (TPS id {line.tps_id})" if line.tps_id else "",
                    "code": shipment.code,
                },
                field=f"{where}.item",
            )
        if key in seen:
            raise HandoverError(
                _("%(field)s: barang %(item)s tertulis dua kali.")
                % {"field": f"{where}.item", "item": line.item},
                field=f"{where}.item",
            )
        seen.add(key)
        item, quantity = dispatched[key]
        if line.received > quantity:
            raise HandoverError(
                _("%(field)s: %(item)s diterima %(received)s, melebihi yang dikirim (%(sent)s).")
                % {
                    "field": f"{where}.received",
                    "item": item.name,
                    "received": line.received,
                    "sent": quantity,
                },
                field=f"{where}.received",
            )
        if line.damaged > line.received:
            raise HandoverError(
                _("%(field)s: %(item)s rusak %(damaged)s, melebihi yang diterima (%(received)s).")
                % {
                    "field": f"{where}.damaged",
                    "item": item.name,
                    "damaged": line.damaged,
                    "received": line.received,
                },
                field=f"{where}.damaged",
            )
        if line.missing > quantity - line.received:
            raise HandoverError(
                _(
                    "%(field)s: %(item)s hilang/kurang %(missing)s, melebihi selisih dikirim dan "
                    "diterima (%(gap)s)."
                )
                % {
                    "field": f"{where}.missing",
                    "item": item.name,
                    "missing": line.missing,
                    "gap": quantity - line.received,
                },
                field=f"{where}.missing",
            )
        result.append((item, key[1], line, quantity))
    absent = [key for key in dispatched if key not in seen]
    if absent:
        names = ", ".join(
            f"{dispatched[k][0].code}" + (f" (TPS id {k[1]})" if k[1] else "") for k in absent
        )
        raise HandoverError(
            _("lines: barang dalam pengiriman belum diisi: %(items)s.") % {"items": names},
            field="lines",
        )
    return result


def _kpu_agency(region_code: str) -> tuple[Agency | None, bool]:
    """The KPU agency for a place: the most specific whose region covers it; else any (False)."""
    agencies = list(Agency.objects.filter(kind=AgencyKind.KPU).order_by("region_id", "pk"))
    covering = [
        a
        for a in agencies
        if region_code == a.region_id or region_code.startswith(a.region_id + ".")
    ]
    if covering:
        return max(covering, key=lambda a: len(a.region_id)), True
    return (agencies[0] if agencies else None), False


def handover_record(
    *,
    context: AuditContext,
    user,
    shipment_code: str,
    idempotency_key: str,
    received_at: dt.datetime,
    handed_by: str,
    received_by: str,
    lines: list[HandoverLineInput],
    lat: float | None = None,
    lon: float | None = None,
    photo=None,
) -> HandoverResult:
    """Record a serah terima: counts per item, who handed and received, GPS and a photo.

    Idempotent on ``idempotency_key``: the same key with the same content returns the handover
    already recorded (``created=False``); with other content it is refused. A refusal raises
    ``HandoverError`` (``ShipmentUnknown`` for an unknown or out-of-scope code, ``PermissionDenied``
    for a user who may see but not submit) and changes nothing. On success the shipment becomes
    handed over, and each shortage or damage opens a replacement request to the KPU.
    """
    code = normalise_shipment_code(shipment_code)
    key = str(idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise HandoverError(
            _("Kunci idempotensi wajib diisi (paling panjang 64 karakter)."),
            field="idempotency_key",
        )
    handed_by = " ".join(str(handed_by or "").split())
    received_by = " ".join(str(received_by or "").split())
    payload = dict(
        code=code,
        received_at=received_at,
        handed_by=handed_by,
        received_by=received_by,
        lines=lines,
    )
    existing = Handover.objects.select_related("shipment").filter(idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, user, **payload)

    from siaga.logistics.selectors import shipments_visible

    shipment = shipments_visible(user=user).filter(code=code).first() if code else None
    if shipment is None:
        raise ShipmentUnknown(
            _("Kode pengiriman %(code)s tidak dikenal.") % {"code": shipment_code or "-"},
            field="shipment_code",
        )
    if not may_submit_handover(user, shipment):
        raise PermissionDenied(
            _("Anda tidak berwenang mencatat serah terima untuk pengiriman %(code)s.")
            % {"code": shipment.code}
        )
    if received_at is None:
        raise HandoverError(_("Waktu serah terima wajib diisi."), field="received_at")
    if received_at > clock.now() + dt.timedelta(minutes=10):
        raise HandoverError(_("Waktu serah terima tidak boleh di masa depan."), field="received_at")
    for name, value in (("handed_by", handed_by), ("received_by", received_by)):
        if not value:
            raise HandoverError(_("%(field)s: nama wajib diisi.") % {"field": name}, field=name)
        if len(value) > 120:
            raise HandoverError(
                _("%(field)s: nama terlalu panjang (paling banyak 120 karakter).")
                % {"field": name},
                field=name,
            )
    if (lat is None) != (lon is None):
        raise HandoverError(_("Lintang dan bujur harus diisi bersama."), field="lat")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise HandoverError(_("Koordinat GPS di luar rentang."), field="lat")
    if photo is not None:
        _photo_checked(photo)

    try:
        with transaction.atomic():
            shipment = (
                Shipment.objects.select_for_update(of=("self",))
                .select_related("destination_tps")
                .get(pk=shipment.pk)
            )
            # Another request with this key may have committed while we waited for the lock.
            again = Handover.objects.select_related("shipment").filter(idempotency_key=key).first()
            if again is not None:
                raise _Replay(again)
            if shipment.status not in HANDOVER_FROM:
                raise HandoverError(
                    _("Pengiriman %(code)s sudah berstatus %(status)s; serah terima ditolak.")
                    % {"code": shipment.code, "status": ShipmentStatus(shipment.status).label},
                    field="shipment_code",
                )
            checked = _validated_lines(shipment, lines)
            return _write_handover(
                context=context,
                user=user,
                shipment=shipment,
                key=key,
                received_at=received_at,
                handed_by=handed_by,
                received_by=received_by,
                checked=checked,
                lat=lat,
                lon=lon,
                photo=photo,
            )
    except _Replay as replay:
        return _replay(replay.handover, user, **payload)
    except IntegrityError:
        # Two requests with the same key raced past the checks: the loser answers with the
        # winner's record, as a retry would.
        existing = Handover.objects.select_related("shipment").filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, user, **payload)


class _Replay(Exception):  # noqa: N818 - control flow out of the transaction, never shown
    def __init__(self, handover: Handover) -> None:
        self.handover = handover


def _write_handover(
    *,
    context,
    user,
    shipment: Shipment,
    key,
    received_at,
    handed_by,
    received_by,
    checked,
    lat,
    lon,
    photo,
) -> HandoverResult:
    handover = Handover(
        shipment=shipment,
        idempotency_key=key,
        received_at=received_at,
        handed_by=handed_by,
        received_by=received_by,
        lat=lat,
        lon=lon,
        recorded_by=user,
    )
    if photo is not None:
        name = getattr(photo, "name", None) or "serah-terima.jpg"
        handover.photo.save(name.rsplit("/", 1)[-1], photo, save=False)
    handover.save()
    HandoverLine.objects.bulk_create(
        HandoverLine(
            handover=handover,
            item=item,
            tps_id=tps_id,
            received=line.received,
            damaged=line.damaged,
            missing=line.missing,
        )
        for item, tps_id, line, _quantity in checked
    )
    before = snapshot(shipment)
    _stamp(shipment, ShipmentStatus.HANDED_OVER, received_at)
    if lat is not None:
        shipment.last_lat, shipment.last_lon, shipment.last_position_at = lat, lon, received_at
    shipment.save()

    warnings: list[str] = []
    requests: list[ReplacementRequest] = []
    wanted = []
    for item, tps_id, line, quantity in checked:
        short = max(line.missing, quantity - line.received)
        if short > 0:
            wanted.append((item, tps_id, short, ReplacementReason.KEKURANGAN))
        if line.damaged > 0:
            wanted.append((item, tps_id, line.damaged, ReplacementReason.KERUSAKAN))
    if wanted:
        tps_desa = dict(
            Tps.objects.filter(pk__in={t for _i, t, _q, _r in wanted if t}).values_list(
                "pk", "desa_id"
            )
        )
        agency, covers = _kpu_agency(shipment.destination_region_id)
        if agency is None:
            warnings.append(
                _(
                    "Tidak ada instansi KPU terdaftar: permintaan penggantian tidak dapat dibuat; "
                    "laporkan kekurangan/kerusakan langsung ke KPU."
                )
            )
        else:
            if not covers:
                warnings.append(
                    _("Tidak ada KPU untuk wilayah tujuan; permintaan diteruskan ke %(name)s.")
                    % {"name": agency.name}
                )
            deadline = replacement_deadline(received_at)
            for item, tps_id, quantity, reason in wanted:
                requests.append(
                    ReplacementRequest.objects.create(
                        shipment=shipment,
                        handover=handover,
                        item=item,
                        tps_id=tps_id,
                        region_id=tps_desa.get(tps_id, shipment.destination_region_id),
                        quantity=quantity,
                        reason=reason,
                        assigned_agency=agency,
                        deadline=deadline,
                    )
                )

    handover_after = snapshot(handover)
    handover_after["lines"] = [
        [item.code, tps_id, line.received, line.damaged, line.missing]
        for item, tps_id, line, _q in checked
    ]
    entries = [
        AuditEntry(
            action="logistics.handover.record",
            obj=handover,
            region_code=shipment.destination_region_id,
            after=handover_after,
        ),
        AuditEntry(
            action="logistics.shipment.status",
            obj=shipment,
            region_code=shipment.destination_region_id,
            before=before,
            after=snapshot(shipment),
        ),
    ]
    entries += [
        AuditEntry(
            action="logistics.replacement.open",
            obj=request,
            region_code=request.region_id,
            after=snapshot(request),
        )
        for request in requests
    ]
    audit_record_many(context=context, entries=entries)
    return HandoverResult(handover=handover, created=True, replacements=requests, warnings=warnings)
