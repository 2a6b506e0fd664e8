"""The Kutai Timur demo's TPS checklists: the default templates and, once their time has come,
a plausible set of submissions.

At the demo's clock (10:00 WITA on H-3) no checklist has opened yet, so only the templates are
seeded. Given a later ``now`` (an exercise played on H-1 or voting day), every checklist whose
window has opened gets submissions from most TPS, on time, with a few late and a few missing
once the due time has passed; before the due time only those already sent by ``now`` exist.

Deterministic (every draw comes from a generator seeded with the TPS and the phase) and
idempotent (submissions are keyed ``demo-ck-<tps>-<phase>``; a second run writes nothing). One
``demo.checklists`` audit event sums up a run that created anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from siaga.accounts.choices import Role
from siaga.accounts.models import User
from siaga.checklists.catalogue import checklist_templates_seed
from siaga.checklists.choices import Channel, ItemKind
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission
from siaga.checklists.selectors import PhaseWindow, phase_windows
from siaga.core.audit import AuditContext, audit_record
from siaga.core.models import Deployment
from siaga.wilayah.models import Tps

SEED = "siaga-checklists-kutim-2024"
KEY_PREFIX = "demo-ck-"
DEMO_PHOTO = "checklists/demo/contoh-foto.png"
SUBMITTER_USERNAMES = ("analis", "admin")
MISSING_SHARE = 0.05
LATE_SHARE = 0.08
# Items whose honest answer is usually "no" (a disruption, an objection, a shortage).
USUALLY_NO = frozenset({"logistik_kurang", "pemilih_ditolak", "gangguan", "keberatan_saksi"})


@dataclass
class ChecklistDemoSummary:
    now: dt.datetime
    templates_created: int = 0
    submissions_created: int = 0
    by_phase: Counter = field(default_factory=Counter)
    late: int = 0


def _submitter(user: User | None) -> User | None:
    if user is not None:
        return user
    for username in SUBMITTER_USERNAMES:
        found = User.objects.filter(username=username, is_active=True).first()
        if found is not None:
            return found
    return (
        User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.ANALYST])
        .order_by("pk")
        .first()
    )


def _outcome(rng: random.Random, window: PhaseWindow) -> dt.datetime | None:
    """When this TPS's checklist reaches the server; None when it never does."""
    draw = rng.random()
    if draw < MISSING_SHARE:
        return None
    if draw < MISSING_SHARE + LATE_SHARE:
        return window.due + dt.timedelta(minutes=rng.randint(10, 240))
    span = (window.due - window.opens).total_seconds()
    # Most arrive in the second half of the window, as KPPS fill them in after the event.
    return window.opens + dt.timedelta(seconds=span * (0.3 + 0.7 * rng.random()))


def _answers(rng: random.Random, window: PhaseWindow, dpt: int, at: dt.datetime) -> dict:
    answers: dict = {}
    turnout = rng.uniform(0.55, 0.78)
    for item in window.template.items:
        key, kind = item["key"], item.get("kind")
        if kind == ItemKind.YES_NO:
            usually_no = key in USUALLY_NO
            answers[key] = (rng.random() < 0.06) if usually_no else (rng.random() > 0.03)
        elif kind == ItemKind.NUMBER:
            answers[key] = _number(rng, key, dpt, turnout)
        elif kind == ItemKind.TIME:
            answers[key] = _time(rng, key, at)
        elif kind == ItemKind.TEXT and item.get("required"):
            answers[key] = "Tidak ada catatan."
    return answers


def _number(rng: random.Random, key: str, dpt: int, turnout: float) -> int:
    if key.startswith("surat_suara_") and key != "surat_suara_sisa":
        return math.ceil(dpt * 1.025)
    if key == "surat_suara_sisa":
        return math.ceil(dpt * 1.025) - round(dpt * turnout)
    if key == "kpps_hadir":
        return 7 if rng.random() > 0.05 else 6
    if key in ("saksi_hadir", "saksi_menyaksikan"):
        return rng.choice((1, 2, 2, 2))
    if key == "linmas_hadir":
        return 2
    if key == "pemilih_dpt":
        return round(dpt * turnout * 0.8)
    if key in ("pemilih_dptb", "pemilih_dpk"):
        return rng.randint(0, 4)
    if key.startswith("suara_sah"):
        return round(dpt * turnout) - rng.randint(0, 8)
    if key.startswith("suara_tidak_sah"):
        return rng.randint(0, 8)
    return rng.randint(0, 5)


def _time(rng: random.Random, key: str, at: dt.datetime) -> str:
    fixed = {"jam_buka": (7, 0), "jam_tutup": (13, 0)}
    if key in fixed:
        hour, minute = fixed[key]
        minute += rng.choice((0, 0, 0, 5, 10, 20))
        return f"{hour:02d}:{minute:02d}"
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE)) - dt.timedelta(minutes=rng.randint(5, 40))
    return f"{local:%H:%M}"


def _demo_photo_name() -> str:
    """One small generated image every demo photo row points to (the demo has no real C.Hasil)."""
    if not default_storage.exists(DEMO_PHOTO):
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (320, 200), "#f8fafc")
        draw = ImageDraw.Draw(image)
        draw.rectangle((10, 10, 310, 190), outline="#0b3b5c", width=3)
        for y in range(40, 180, 18):
            draw.line((30, y, 290, y), fill="#94a3b8", width=1)
        draw.text((30, 18), "C.HASIL - CONTOH DEMO", fill="#0b3b5c")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return default_storage.save(DEMO_PHOTO, ContentFile(buffer.getvalue()))
    return DEMO_PHOTO


def checklists_demo_load(
    *, context: AuditContext, regency_code: str, now: dt.datetime, user: User | None = None
) -> ChecklistDemoSummary:
    """Seed the templates and the submissions due by ``now`` for the TPS of ``regency_code``."""
    summary = ChecklistDemoSummary(now=now)
    summary.templates_created = len(checklist_templates_seed(context=context))
    voting_day = Deployment.objects.values_list("voting_day", flat=True).order_by("pk").first()
    if voting_day is None:
        return summary
    windows = [w for w in phase_windows(day=voting_day).values() if w.opens <= now]
    submitter = _submitter(user)
    if not windows or submitter is None:
        return summary
    tps_rows = list(
        Tps.objects.filter(desa__code__startswith=regency_code + ".")
        .order_by("pk")
        .values_list("pk", "desa_id", "dpt_male", "dpt_female")
    )
    existing = set(
        ChecklistSubmission.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    submissions: list[ChecklistSubmission] = []
    photo_keys: list[list[str]] = []
    for pk, _desa, male, female in tps_rows:
        for window in windows:
            key = f"{KEY_PREFIX}{pk}-{window.phase}"
            if key in existing:
                continue
            rng = random.Random(f"{SEED}:{pk}:{window.phase}")  # noqa: S311 - demo data
            at = _outcome(rng, window)
            if at is None or at > now:
                continue
            answers = _answers(rng, window, male + female, at)
            submissions.append(
                ChecklistSubmission(
                    tps_id=pk,
                    template=window.template,
                    answers=answers,
                    submitted_by=submitter,
                    submitted_at=at,
                    answered_at=at - dt.timedelta(minutes=rng.randint(1, 30)),
                    channel=Channel.FIELD,
                    idempotency_key=key,
                    late=at > window.due,
                )
            )
            photo_keys.append(
                [
                    i["key"]
                    for i in window.template.items
                    if i.get("kind") == ItemKind.PHOTO and i.get("required")
                ]
            )
    if not submissions:
        return summary
    with transaction.atomic():
        created = ChecklistSubmission.objects.bulk_create(submissions, batch_size=1000)
        photos = []
        if any(photo_keys):
            name = _demo_photo_name()
            with default_storage.open(name, "rb") as handle:
                content = handle.read()
            size, digest = len(content), hashlib.sha256(content).hexdigest()
            for submission, keys in zip(created, photo_keys, strict=True):
                photos += [
                    ChecklistPhoto(
                        submission=submission,
                        item_key=k,
                        file=name,
                        content_type="image/png",
                        sha256=digest,
                        size=size,
                    )
                    for k in keys
                ]
            ChecklistPhoto.objects.bulk_create(photos, batch_size=1000)
        summary.submissions_created = len(created)
        summary.by_phase = Counter(s.template.phase for s in created)
        summary.late = sum(1 for s in created if s.late)
        deployment = Deployment.objects.order_by("pk").first()
        audit_record(
            context=context,
            action="demo.checklists",
            obj=deployment,
            region_code=regency_code,
            after={
                "now": now,
                "submissions_created": summary.submissions_created,
                "by_phase": dict(summary.by_phase),
                "late": summary.late,
                "photos": len(photos),
            },
        )
    return summary
