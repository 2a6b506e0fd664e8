"""Writes of TPS checklists: a submission of answers (with photos) for one TPS and one phase,
and the versioning of templates.

``checklist_submit`` checks who may submit for which TPS, that the template is the version in
force, and every answer against its item; it is idempotent on the client's key, so a field app
that lost the answer may send again and nothing is recorded twice. A TPS may submit a phase again
(a correction): every submission is kept and the latest counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from siaga.checklists.choices import Channel, ItemKind
from siaga.checklists.items import ChecklistError, answers_clean
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission, ChecklistTemplate
from siaga.core import clock
from siaga.core.audit import AuditContext, AuditEntry, audit_record, audit_record_many, snapshot
from siaga.core.deployment import deployment_voting_day
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.media import CleanMedia, media_clean
from siaga.core.permissions import Action, can, user_scope
from siaga.wilayah.models import Tps

__all__ = [
    "ChecklistError",
    "ChecklistNotFound",
    "checklist_submit",
    "submission_is_late",
    "template_save_versioned",
]

KEY_MAX = 64
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
CONTENT_FIELDS = ("title", "items", "day_offset", "opens_at", "due_at")


class ChecklistNotFound(ChecklistError):
    """The TPS does not exist or lies outside the user's scope (shown as 404)."""


def voting_day() -> dt.date | None:
    return deployment_voting_day()


def submission_is_late(
    template: ChecklistTemplate, submitted_at: dt.datetime, answered_at: dt.datetime | None = None
) -> bool:
    """Late when it was filled in after the template's due time (no deployment: never).

    A phone without signal fills the checklist on time and sends it hours later: the time it
    was filled in (``answered_at``) counts, as long as it is not after it reached the server.
    """
    day = voting_day()
    moment = (
        answered_at if answered_at is not None and answered_at <= submitted_at else submitted_at
    )
    return day is not None and moment > template.due(day)


def tps_for_submit(user, tps_id) -> Tps:
    """The TPS ``user`` may submit for; ``ChecklistNotFound`` outside the scope (and for field
    monitors with assigned TPS, outside those), ``PermissionDenied`` for readers."""
    tps = None
    if isinstance(tps_id, int) and not isinstance(tps_id, bool):
        tps = Tps.objects.select_related("desa").defer("desa__boundary").filter(pk=tps_id).first()
    scope = user_scope(user)
    visible = (
        tps is not None
        and scope.covers(tps.desa_id)
        and (scope.tps_ids is None or tps.pk in scope.tps_ids)
    )
    if not visible:
        raise ChecklistNotFound(
            _("TPS %(id)s tidak dikenal atau bukan wilayah tugas Anda.") % {"id": tps_id},
            field="tps",
        )
    if not can(user, Action.SUBMIT_FIELD, tps.desa_id):
        raise PermissionDenied(_("Anda tidak berwenang mengirim daftar periksa untuk TPS ini."))
    return tps


@dataclass(frozen=True)
class _Photo:
    key: str
    media: CleanMedia


def _photos_clean(items: dict[str, dict], photos: dict) -> list[_Photo]:
    cleaned = []
    for key, value in sorted(photos.items()):
        data, filename = value
        item = items.get(key)
        label = item["label"] if item else key
        try:
            media = media_clean(
                data, name=f"\u201c{label}\u201d ({key})", allow_video=False, strip_location=False
            )
        except DomainError as exc:
            raise ChecklistError(str(exc), field=f"photo__{key}") from exc
        cleaned.append(_Photo(key=key, media=media))
    return cleaned


def _replay(existing: ChecklistSubmission, *, user, tps_id, template_id, answers) -> tuple:
    if existing.submitted_by_id != getattr(user, "pk", None):
        raise ChecklistError(
            _("Kunci idempotensi ini sudah dipakai pengguna lain; kirim dengan kunci baru."),
            field="idempotency_key",
        )
    same = existing.tps_id == tps_id and existing.template_id == template_id
    if same:
        template = existing.template
        photo_keys = {i["key"] for i in template.items if i.get("kind") == ItemKind.PHOTO}
        try:
            same = answers_clean(template.items, answers, photo_keys=photo_keys) == existing.answers
        except ChecklistError:
            same = False
    if not same:
        raise ChecklistError(
            _(
                "Kunci idempotensi ini sudah dipakai untuk kiriman lain dengan isi berbeda; "
                "kirim dengan kunci baru bila ini kiriman yang lain."
            ),
            field="idempotency_key",
        )
    return existing, False


class _Replay(Exception):  # noqa: N818 - control flow out of the transaction, never shown
    def __init__(self, submission: ChecklistSubmission) -> None:
        self.submission = submission


def checklist_submit(
    *,
    context: AuditContext,
    user,
    tps_id: int,
    template_id: int,
    answers: dict,
    idempotency_key: str,
    answered_at: dt.datetime | None = None,
    photos: dict[str, tuple[bytes, str]] | None = None,
    channel: str = Channel.API,
) -> tuple[ChecklistSubmission, bool]:
    """Record the answers of one TPS to one checklist; returns ``(submission, created)``.

    Refusals raise ``ChecklistError`` with the field at fault (``ChecklistNotFound`` for a TPS
    unknown or outside the scope, ``PermissionDenied`` for a user who may see but not submit)
    and store nothing. The same key again from the same user returns the stored submission
    with ``created=False``.
    """
    photos = photos or {}
    key = str(idempotency_key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise ChecklistError(
            _("Kunci idempotensi wajib diisi (paling panjang 64 karakter)."),
            field="idempotency_key",
        )
    if channel not in Channel.values:
        raise ChecklistError(_("Kanal %(channel)s tidak dikenal.") % {"channel": channel})
    replay = dict(user=user, tps_id=tps_id, template_id=template_id, answers=answers)
    existing = (
        ChecklistSubmission.objects.select_related("template").filter(idempotency_key=key).first()
    )
    if existing is not None:
        return _replay(existing, **replay)

    tps = tps_for_submit(user, tps_id)
    template = ChecklistTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise ChecklistError(
            _("Templat daftar periksa %(id)s tidak dikenal.") % {"id": template_id},
            field="template",
        )
    if not template.active:
        newer = (
            ChecklistTemplate.objects.filter(phase=template.phase, active=True)
            .values_list("version", flat=True)
            .first()
        )
        if newer is not None:
            message = _(
                "%(title)s versi %(version)s sudah tidak berlaku: versi %(newer)s yang berlaku "
                "sekarang. Muat ulang formulir dan isi kembali."
            ) % {"title": template.title, "version": template.version, "newer": newer}
        else:
            message = _("%(title)s versi %(version)s sudah tidak berlaku.") % {
                "title": template.title,
                "version": template.version,
            }
        raise ChecklistError(message, field="template")
    now = clock.now()
    if answered_at is not None:
        if answered_at.tzinfo is None:
            raise ChecklistError(_("answered_at: sertakan zona waktu."), field="answered_at")
        if answered_at > now + FUTURE_TOLERANCE:
            raise ChecklistError(
                _("answered_at: waktu pengisian tidak boleh di masa depan."), field="answered_at"
            )
    cleaned = answers_clean(template.items, answers, photo_keys=set(photos))
    clean_photos = _photos_clean(template.item_map(), photos)

    try:
        with transaction.atomic():
            # Another request with this key may have committed since we looked.
            again = (
                ChecklistSubmission.objects.select_related("template")
                .filter(idempotency_key=key)
                .first()
            )
            if again is not None:
                raise _Replay(again)
            return _write(
                context=context,
                user=user,
                tps=tps,
                template=template,
                answers=cleaned,
                key=key,
                now=now,
                answered_at=answered_at,
                channel=channel,
                photos=clean_photos,
            ), True
    except _Replay as replay_:
        return _replay(replay_.submission, **replay)
    except IntegrityError:
        # Two requests with the same key raced past the checks: the loser answers with the
        # winner's record, as a retry would.
        existing = (
            ChecklistSubmission.objects.select_related("template")
            .filter(idempotency_key=key)
            .first()
        )
        if existing is None:
            raise
        return _replay(existing, **replay)


def _write(
    *, context, user, tps, template, answers, key, now, answered_at, channel, photos
) -> ChecklistSubmission:
    submission = ChecklistSubmission.objects.create(
        tps=tps,
        template=template,
        answers=answers,
        submitted_by=user,
        submitted_at=now,
        answered_at=answered_at,
        channel=channel,
        idempotency_key=key,
        late=submission_is_late(template, now, answered_at),
    )
    stored: list[ChecklistPhoto] = []
    try:
        for photo in photos:
            row = ChecklistPhoto(
                submission=submission,
                item_key=photo.key,
                content_type=photo.media.content_type,
                sha256=photo.media.sha256,
                size=photo.media.size,
            )
            row.file.save(
                f"{photo.key}.{photo.media.extension}", ContentFile(photo.media.content), save=False
            )
            stored.append(row)
        ChecklistPhoto.objects.bulk_create(stored)
        after = snapshot(submission)
        after["photos"] = [
            {"item_key": p.item_key, "sha256": p.sha256, "size": p.size} for p in stored
        ]
        audit_record(
            context=context,
            action="checklists.submission.create",
            obj=submission,
            region_code=tps.desa_id,
            after=after,
        )
    except BaseException:
        # The rows go with the transaction; the files would stay behind, so remove them.
        for row in stored:
            if row.file.name:
                row.file.storage.delete(row.file.name)
        raise
    return submission


# --- templates ---------------------------------------------------------------------------------


def template_content_changed(stored: ChecklistTemplate, edited: ChecklistTemplate) -> bool:
    return any(getattr(stored, name) != getattr(edited, name) for name in CONTENT_FIELDS)


def template_save_versioned(
    *, context: AuditContext, template: ChecklistTemplate, audit: bool = True
) -> tuple[ChecklistTemplate, list[tuple[ChecklistTemplate, dict, dict]]]:
    """Save an edited template without ever changing what was answered.

    ``template`` carries the edits in memory. When the stored row already has submissions and
    its content changed, the edits become a NEW row (version + 1) and the stored row is left as
    it was, only deactivated; otherwise the row is saved in place. When the result is active,
    every other active version of the phase is deactivated. Returns the row saved and the other
    rows changed, as ``(row, before, after)``; with ``audit`` those are recorded as well.
    """
    others: list[tuple[ChecklistTemplate, dict, dict]] = []
    with transaction.atomic():
        stored = None
        if template.pk is not None:
            stored = ChecklistTemplate.objects.select_for_update().filter(pk=template.pk).first()
        if (
            stored is not None
            and template_content_changed(stored, template)
            and stored.submissions.exists()
        ):
            latest = (
                ChecklistTemplate.objects.filter(phase=stored.phase)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            template.pk = None
            template.id = None
            template._state.adding = True
            template.phase = stored.phase
            template.version = (latest or 0) + 1
            template.created_at = clock.now()
            if stored.active:
                before = snapshot(stored)
                stored.active = False
                stored.save(update_fields=["active"])
                others.append((stored, before, snapshot(stored)))
        elif stored is None:
            latest = (
                ChecklistTemplate.objects.filter(phase=template.phase)
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
            )
            template.version = (latest or 0) + 1
        if template.active:
            for other in ChecklistTemplate.objects.select_for_update().filter(
                phase=template.phase, active=True
            ):
                if other.pk == template.pk:
                    continue
                before = snapshot(other)
                other.active = False
                other.save(update_fields=["active"])
                others.append((other, before, snapshot(other)))
        template.save()
        if audit:
            audit_record_many(
                context=context,
                entries=[
                    AuditEntry(action="checklists.template.deactivate", obj=o, before=b, after=a)
                    for o, b, a in others
                ],
            )
    return template, others
