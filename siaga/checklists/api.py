"""API of TPS checklists (/api/v1/checklists/...).

The templates in force (what a field client renders), the submission of answers (multipart,
idempotent: a retry with the same key answers 200 with the submission already recorded), the
status per phase with the TPS whose checklist is missing or late, and the history of one TPS.
Everything reads through ``siaga.checklists.selectors``, which keep the user's scope: a TPS
outside it answers 404.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from ninja import Field, Form, Router, Schema, Status

from siaga.checklists import selectors, services
from siaga.checklists.choices import CheckState, Phase
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission, ChecklistTemplate
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.media import max_bytes
from siaga.wilayah import selectors as wilayah_selectors

router = Router(tags=["checklists"])
PHOTO_PREFIX = "photo__"


# --- Schemas ------------------------------------------------------------------------------------


class ItemOut(Schema):
    key: str = Field(description="Key of the item: answers are sent as {key: value}.")
    label: str = Field(description="The question, in Indonesian.")
    kind: str = Field(description="yes_no, number, text, time (HH:MM) or photo.")
    required: bool = Field(description="Whether it must be answered.")
    help: str = Field(description="A hint for the field officer, may be empty.")


class TemplateOut(Schema):
    id: int = Field(description="Template id (this exact version) to send with a submission.")
    phase: Phase = Field(description="h_minus_1, opening, voting, counting or after.")
    phase_label: str = Field(description="The phase in the user's language.")
    version: int = Field(description="Version; a newer one replaces this when edited.")
    title: str = Field(description="Title of the checklist.")
    day_offset: int = Field(description="Days from voting day (-1 for H-1).")
    opens_at: dt.time = Field(description="Local time (WITA) the checklist opens.")
    due_at: dt.time = Field(description="Local time (WITA) it is due.")
    opens: dt.datetime | None = Field(description="When it opens, given the voting day.")
    due: dt.datetime | None = Field(description="When it is due, given the voting day.")
    items: list[ItemOut] = Field(description="The items, in order.")


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault, e.g. answers.kpps_lengkap.")


class SubmissionForm(Schema):
    idempotency_key: str = Field(
        description="A key the client makes once per submission (e.g. a UUID) and sends again "
        "unchanged on every retry; at most 64 characters."
    )
    tps: int = Field(description="TPS id.")
    template: int = Field(description="Template id (the version the form was rendered from).")
    answers: str = Field(
        description='JSON object of answers by item key, e.g. {"kpps_lengkap": "ya", '
        '"saksi_hadir": 2, "jam_buka": "07:00"}. Photo items are sent as files '
        "named photo__<key>, not here."
    )
    answered_at: dt.datetime | None = Field(
        None, description="When the form was filled in on the device (ISO 8601 with offset)."
    )
    channel: Literal["field", "api"] = Field(
        "api", description="field: the offline field app; api: any other client (default)."
    )


class TpsRefOut(Schema):
    id: int
    label: str
    desa_code: str
    desa_name: str
    kecamatan_name: str


class PhotoOut(Schema):
    id: int
    item_key: str
    content_type: str
    size: int
    sha256: str
    url: str | None = Field(description="Page serving the photo to users who may see the TPS.")


class SubmissionOut(Schema):
    id: int = Field(description="Submission id.")
    created: bool = Field(description="False when this answers a retry of a recorded submission.")
    tps: TpsRefOut
    template_id: int
    phase: Phase
    version: int
    answers: dict = Field(description="Answers as stored (normalised).")
    submitted_at: dt.datetime = Field(description="When the server received it.")
    answered_at: dt.datetime | None = Field(description="When it was filled in on the device.")
    channel: str
    late: bool = Field(description="Received after the checklist's due time.")
    submitted_by: str
    photos: list[PhotoOut]


class PhaseCountOut(Schema):
    phase: Phase
    label: str
    template_id: int
    version: int
    opens: dt.datetime | None
    due: dt.datetime | None
    expected: int = Field(description="TPS that must submit this checklist.")
    submitted: int = Field(description="TPS that submitted it (late ones included).")
    late: int = Field(description="TPS whose first submission came after the due time.")
    missing: int = Field(description="TPS without any submission past the due time.")
    not_yet_due: int = Field(description="TPS without a submission, not yet due.")


class ProblemOut(Schema):
    tps: TpsRefOut
    phase: Phase
    state: CheckState = Field(description="missing or late.")
    due: dt.datetime | None
    first_submitted_at: dt.datetime | None


class StatusOut(Schema):
    now: dt.datetime = Field(description="The deployment's clock.")
    voting_day: dt.date | None
    region: str | None = Field(description="Region code asked for, if any.")
    phases: list[PhaseCountOut]
    problems: list[ProblemOut] = Field(description="TPS × phase missing or late.")


class PhaseHistoryOut(Schema):
    phase: Phase
    label: str
    state: CheckState | None
    due: dt.datetime | None
    template_id: int | None
    submissions: list[SubmissionOut] = Field(description="Latest first; the first one counts.")


class TpsHistoryOut(Schema):
    tps: TpsRefOut
    phases: list[PhaseHistoryOut]


# --- helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest):
    return request.auth


def _photo_url(pk: int) -> str | None:
    try:
        return reverse("checklists:photo", args=[pk])
    except NoReverseMatch:  # pragma: no cover - the pages are not mounted
        return None


def _tps_ref(tps) -> dict:
    desa = tps.desa
    kecamatan = desa.parent
    return {
        "id": tps.pk,
        "label": tps.label,
        "desa_code": desa.code,
        "desa_name": desa.name,
        "kecamatan_name": kecamatan.name if kecamatan else "",
    }


def _ref_dict(ref: selectors.TpsRef) -> dict:
    return {
        "id": ref.id,
        "label": ref.label,
        "desa_code": ref.desa_code,
        "desa_name": ref.desa_name,
        "kecamatan_name": ref.kecamatan_name,
    }


def _photo_dict(photo: ChecklistPhoto) -> dict:
    return {
        "id": photo.pk,
        "item_key": photo.item_key,
        "content_type": photo.content_type,
        "size": photo.size,
        "sha256": photo.sha256,
        "url": _photo_url(photo.pk),
    }


def _submission_dict(submission: ChecklistSubmission, *, created: bool = True) -> dict:
    return {
        "id": submission.pk,
        "created": created,
        "tps": _tps_ref(submission.tps),
        "template_id": submission.template_id,
        "phase": submission.template.phase,
        "version": submission.template.version,
        "answers": submission.answers,
        "submitted_at": submission.submitted_at,
        "answered_at": submission.answered_at,
        "channel": submission.channel,
        "late": submission.late,
        "submitted_by": str(submission.submitted_by),
        "photos": [_photo_dict(p) for p in submission.photos.all()],
    }


def _template_dict(template: ChecklistTemplate, window: selectors.PhaseWindow | None) -> dict:
    return {
        "id": template.pk,
        "phase": template.phase,
        "phase_label": str(Phase(template.phase).label),
        "version": template.version,
        "title": template.title,
        "day_offset": template.day_offset,
        "opens_at": template.opens_at,
        "due_at": template.due_at,
        "opens": window.opens if window else None,
        "due": window.due if window else None,
        "items": [
            {
                "key": item["key"],
                "label": item.get("label", item["key"]),
                "kind": item.get("kind", ""),
                "required": bool(item.get("required")),
                "help": item.get("help", "") or "",
            }
            for item in template.items
        ],
    }


def _error(status: int, exc: Exception, field: str | None = None):
    return Status(status, {"detail": str(exc), "field": getattr(exc, "field", field)})


# --- endpoints ----------------------------------------------------------------------------------


@router.get(
    "/templates",
    response=list[TemplateOut],
    summary="Checklist templates in force, with their items",
    description=(
        "One template per phase (the active version), in phase order, with the items a client "
        "renders and the window (opens, due) on the deployment's voting day."
    ),
)
def template_list(request: HttpRequest):
    windows = selectors.phase_windows()
    return [_template_dict(w.template, w) for w in windows.values()]


@router.post(
    "/submissions",
    response={200: SubmissionOut, 201: SubmissionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Submit a TPS checklist, idempotently",
    description=(
        "Multipart form: the fields below, `answers` as a JSON object, and one file per photo "
        "item named `photo__<item key>` (JPEG, PNG or WebP). 201 when recorded; 200 when the "
        "same idempotency key was recorded before by the same user (a retry after a lost "
        "answer); 400 with `detail` and `field` when refused (nothing is stored), e.g. a "
        "missing required item, a bad answer, an unknown key or a template no longer in force; "
        "403 when the user may see but not submit for the TPS; 404 for a TPS unknown or outside "
        "the user's scope. Token clients send no CSRF token."
    ),
)
def submission_create(request: HttpRequest, payload: Form[SubmissionForm]):
    user = _user(request)
    try:
        answers = json.loads(payload.answers)
    except ValueError:
        return Status(
            400,
            {
                "detail": _('answers: harus berupa objek JSON, misalnya {"kpps_lengkap": "ya"}.'),
                "field": "answers",
            },
        )
    photos: dict[str, tuple[bytes, str]] = {}
    limit = max_bytes()
    for name, upload in request.FILES.items():
        if not name.startswith(PHOTO_PREFIX):
            return Status(
                400,
                {
                    "detail": _("Berkas %(name)s tidak dikenal; beri nama photo__<kunci butir>.")
                    % {"name": name},
                    "field": name,
                },
            )
        # One more byte than allowed is enough for media_clean to refuse a file too large.
        photos[name[len(PHOTO_PREFIX) :]] = (upload.read(limit + 1), upload.name or "")
    answered_at = payload.answered_at
    if answered_at is not None and answered_at.tzinfo is None:
        return Status(
            400,
            {
                "detail": _(
                    "answered_at: sertakan zona waktu, misalnya 2024-11-27T07:05:00+08:00."
                ),
                "field": "answered_at",
            },
        )
    try:
        submission, created = services.checklist_submit(
            context=AuditContext.from_request(request, channel="api"),
            user=user,
            tps_id=payload.tps,
            template_id=payload.template,
            answers=answers,
            idempotency_key=payload.idempotency_key,
            answered_at=answered_at,
            photos=photos,
            channel=payload.channel,
        )
    except services.ChecklistNotFound as exc:
        return _error(404, exc)
    except PermissionDenied as exc:
        return _error(403, exc)
    except DomainError as exc:
        return _error(400, exc)
    submission = (
        ChecklistSubmission.objects.select_related("template", "submitted_by", "tps__desa__parent")
        .defer("tps__desa__boundary", "tps__desa__parent__boundary")
        .prefetch_related("photos")
        .get(pk=submission.pk)
    )
    return Status(201 if created else 200, _submission_dict(submission, created=created))


@router.get(
    "/status",
    response=StatusOut,
    summary="Checklists per phase, and the TPS missing or late",
    description=(
        "Over the TPS the user sees (under `region` when given; 404 for a region outside the "
        "scope): per phase with an active template, the TPS expected, submitted (late "
        "included), late, missing (past due, nothing received) and not yet due; then every "
        "TPS × phase missing or late. `phase` narrows the list."
    ),
)
def status(request: HttpRequest, region: str | None = None, phase: Phase | None = None):
    user = _user(request)
    if region:
        try:
            wilayah_selectors.region_get(user=user, code=region)
        except wilayah_selectors.NotFound as exc:
            raise Http404 from exc
    try:
        rows = selectors.checklist_status(user=user, region=region)
    except selectors.NotFound as exc:
        raise Http404 from exc
    overview = selectors.checklist_overview(user=user, region=region, rows=rows)
    problems = [
        {
            "tps": _ref_dict(r.tps),
            "phase": r.phase,
            "state": r.state,
            "due": r.due,
            "first_submitted_at": r.first_submitted_at,
        }
        for r in rows
        if r.state in selectors.PROBLEM_STATES and (not phase or r.phase == phase)
    ]
    return {
        "now": services.clock.now(),
        "voting_day": selectors.voting_day(),
        "region": region or None,
        "phases": [vars(c) for c in overview],
        "problems": problems,
    }


@router.get(
    "/tps/{tps_id}",
    response=TpsHistoryOut,
    summary="Checklist history of one TPS",
    description=(
        "Per phase, the state and every submission (latest first, the one that counts), with "
        "answers and photos. 404 for a TPS outside the user's scope."
    ),
)
def tps_history(request: HttpRequest, tps_id: int):
    try:
        tps, history = selectors.tps_checklist_history(user=_user(request), tps=tps_id)
    except selectors.NotFound as exc:
        raise Http404 from exc
    return {
        "tps": _tps_ref(tps),
        "phases": [
            {
                "phase": h.phase,
                "label": h.label,
                "state": h.state,
                "due": h.due,
                "template_id": h.template.pk if h.template else None,
                "submissions": [_submission_dict(s) for s in h.submissions],
            }
            for h in history
        ],
    }
