"""Reads of TPS checklists, always through the user's scope.

``checklist_status`` gives one row per visible TPS and phase (those with an active template):
submitted on time, late, missing (past due without any submission) or not yet due, at the
deployment's clock. ``checklist_overview`` counts those per phase. Both take a handful of queries
whatever the number of TPS (a regency has ~1,500): the TPS as plain values, one aggregate over
the submissions, the active templates and the deployment row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Prefetch, Q

from siaga.checklists.choices import PHASE_ORDER, CheckState, Phase
from siaga.checklists.items import answer_display
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission, ChecklistTemplate
from siaga.core import clock
from siaga.core.deployment import deployment_voting_day
from siaga.wilayah.models import Region, Tps
from siaga.wilayah.selectors import NotFound, tps_filter, tps_visible

__all__ = [
    "NotFound",
    "checklist_overview",
    "checklist_status",
    "photo_get",
    "phase_windows",
    "tps_checklist_history",
]

PROBLEM_STATES = (CheckState.MISSING, CheckState.LATE)


@dataclass(frozen=True)
class PhaseWindow:
    """The template in force for a phase and, with a voting day, when it opens and is due."""

    phase: str
    label: str
    template: ChecklistTemplate
    opens: dt.datetime | None
    due: dt.datetime | None

    def state_without_submission(self, now: dt.datetime) -> str:
        if self.due is not None and now > self.due:
            return CheckState.MISSING
        return CheckState.NOT_YET_DUE


@dataclass(frozen=True)
class TpsRef:
    id: int
    number: int
    desa_code: str
    desa_name: str
    kecamatan_code: str
    kecamatan_name: str

    @property
    def label(self) -> str:
        return f"TPS {self.number:03d}"


@dataclass(frozen=True)
class StatusRow:
    """One TPS × one phase."""

    tps: TpsRef
    phase: str
    phase_label: str
    state: str
    due: dt.datetime | None
    first_submitted_at: dt.datetime | None = None
    last_submitted_at: dt.datetime | None = None
    submissions: int = 0
    latest_submission_id: int | None = None

    @property
    def state_label(self) -> str:
        return CheckState(self.state).label


@dataclass
class PhaseCount:
    phase: str
    label: str
    template_id: int
    version: int
    title: str
    opens: dt.datetime | None
    due: dt.datetime | None
    expected: int = 0
    submitted: int = 0  # late ones included
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0

    @property
    def on_time(self) -> int:
        return self.submitted - self.late


def voting_day() -> dt.date | None:
    return deployment_voting_day()


def phase_windows(*, day: dt.date | None = None) -> dict[str, PhaseWindow]:
    """The active template of each phase, in phase order, with its window on ``day``."""
    day = day if day is not None else voting_day()
    templates = sorted(
        ChecklistTemplate.objects.filter(active=True), key=lambda t: PHASE_ORDER[t.phase]
    )
    return {
        t.phase: PhaseWindow(
            phase=t.phase,
            label=str(Phase(t.phase).label),
            template=t,
            opens=t.opens(day) if day else None,
            due=t.due(day) if day else None,
        )
        for t in templates
    }


def _region_code(region) -> str | None:
    if region is None or region == "":
        return None
    return region.code if isinstance(region, Region) else str(region)


def _tps_refs(*, user, region=None) -> list[TpsRef]:
    qs = tps_filter(tps_visible(user=user), region=_region_code(region))
    rows = qs.order_by("desa_id", "number").values_list(
        "pk", "number", "desa_id", "desa__name", "desa__parent_id", "desa__parent__name"
    )
    return [TpsRef(*row[:4], row[4] or "", row[5] or "") for row in rows]


def checklist_status(
    *,
    user,
    region=None,
    phase: str | None = None,
    states: tuple[str, ...] | None = None,
    now: dt.datetime | None = None,
) -> list[StatusRow]:
    """One row per visible TPS (under ``region``) and phase with an active template.

    ``phase`` and ``states`` narrow the rows. A TPS's state comes from its submissions for the
    phase, whatever template version they answered: late when none reached the server by the
    due time, else submitted; without any, missing once the due time has passed.
    """
    now = now or clock.now()
    windows = phase_windows()
    if phase:
        windows = {k: v for k, v in windows.items() if k == phase}
    if not windows:
        return []
    refs = _tps_refs(user=user, region=region)
    if not refs:
        return []
    visible = tps_filter(tps_visible(user=user), region=_region_code(region)).values("pk")
    aggregates = (
        ChecklistSubmission.objects.filter(tps__in=visible, template__phase__in=list(windows))
        .values("tps_id", "template__phase")
        .annotate(
            first=Min("submitted_at"),
            last=Max("submitted_at"),
            n=Count("pk"),
            on_time=Count("pk", filter=Q(late=False)),
            latest=Max("pk"),
        )
        .order_by()
    )
    found = {(a["tps_id"], a["template__phase"]): a for a in aggregates}
    rows: list[StatusRow] = []
    for ref in refs:
        for window in windows.values():
            agg = found.get((ref.id, window.phase))
            if agg is None:
                state = window.state_without_submission(now)
                if states and state not in states:
                    continue
                rows.append(StatusRow(ref, window.phase, window.label, state, window.due))
                continue
            state = CheckState.SUBMITTED if agg["on_time"] else CheckState.LATE
            if states and state not in states:
                continue
            rows.append(
                StatusRow(
                    ref,
                    window.phase,
                    window.label,
                    state,
                    window.due,
                    first_submitted_at=agg["first"],
                    last_submitted_at=agg["last"],
                    submissions=agg["n"],
                    latest_submission_id=agg["latest"],
                )
            )
    return rows


def problem_counts(*, prefix: str = "", now: dt.datetime | None = None) -> dict[int, int]:
    """Per TPS under ``prefix``: how many phases already due have their checklist missing or
    only late, the same states as ``checklist_status`` but counted in the database (the risk
    index asks this of every TPS of a country: a row per TPS and phase would not do)."""
    now = now or clock.now()
    due = [w.phase for w in phase_windows().values() if w.due is not None and now > w.due]
    if not due:
        return {}
    tps = Tps.objects.all()
    if prefix:
        tps = tps.filter(Q(desa__code=prefix) | Q(desa__code__startswith=prefix + "."))
    counts: dict[int, int] = {}
    for phase in due:
        submitted = ChecklistSubmission.objects.filter(template__phase=phase).order_by()
        missing = tps.exclude(pk__in=submitted.values("tps_id")).values_list("pk", flat=True)
        late = (
            submitted.filter(tps__in=tps.values("pk"))
            .values("tps_id")
            .annotate(on_time=Count("pk", filter=Q(late=False)))
            .filter(on_time=0)
            .values_list("tps_id", flat=True)
        )
        for pk in [*missing.iterator(chunk_size=5000), *late]:
            counts[pk] = counts.get(pk, 0) + 1
    return counts


def checklist_overview(
    *, user, region=None, now: dt.datetime | None = None, rows: list[StatusRow] | None = None
) -> list[PhaseCount]:
    """Per phase (with an active template): TPS expected, submitted (late included), late,
    missing and not yet due, over the TPS the user sees under ``region``.

    ``rows`` are those of ``checklist_status`` for the same user and region, when the caller
    already has them (the counts then cost one query more).
    """
    now = now or clock.now()
    windows = phase_windows()
    counts = {
        w.phase: PhaseCount(
            phase=w.phase,
            label=w.label,
            template_id=w.template.pk,
            version=w.template.version,
            title=w.template.title,
            opens=w.opens,
            due=w.due,
        )
        for w in windows.values()
    }
    if rows is None:
        rows = checklist_status(user=user, region=region, now=now)
    for row in rows:
        count = counts.get(row.phase)
        if count is None:
            continue
        count.expected += 1
        if row.state == CheckState.MISSING:
            count.missing += 1
        elif row.state == CheckState.NOT_YET_DUE:
            count.not_yet_due += 1
        else:
            count.submitted += 1
            if row.state == CheckState.LATE:
                count.late += 1
    return list(counts.values())


# --- one TPS -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    key: str
    label: str
    kind: str
    value: object
    display: str
    photos: tuple[ChecklistPhoto, ...] = ()


@dataclass
class PhaseHistory:
    phase: str
    label: str
    state: str | None  # None for a phase without an active template
    due: dt.datetime | None
    template: ChecklistTemplate | None
    submissions: list[ChecklistSubmission] = field(default_factory=list)

    @property
    def current(self) -> ChecklistSubmission | None:
        return self.submissions[0] if self.submissions else None

    @property
    def state_label(self) -> str:
        return str(CheckState(self.state).label) if self.state else ""


def _tps(user, tps) -> Tps:
    pk = tps.pk if isinstance(tps, Tps) else tps
    try:
        return tps_visible(user=user).defer("desa__boundary", "desa__parent__boundary").get(pk=pk)
    except (Tps.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def submission_answers(submission: ChecklistSubmission) -> list[AnswerRow]:
    """The answers of a submission in the order of its template's items, photos attached."""
    photos: dict[str, list[ChecklistPhoto]] = defaultdict(list)
    for photo in submission.photos.all():
        photos[photo.item_key].append(photo)
    rows = []
    for item in submission.template.items:
        key = item["key"]
        value = submission.answers.get(key)
        rows.append(
            AnswerRow(
                key=key,
                label=item.get("label", key),
                kind=item.get("kind", ""),
                value=value,
                display=answer_display(item, value) if item.get("kind") != "photo" else "",
                photos=tuple(photos.get(key, ())),
            )
        )
    return rows


def tps_checklist_history(*, user, tps, now: dt.datetime | None = None) -> tuple[Tps, list]:
    """A visible TPS (``NotFound`` otherwise) and, per phase, its submissions latest first.

    Phases are those with an active template, plus any phase the TPS answered under a version
    no longer in force.
    """
    now = now or clock.now()
    tps = _tps(user, tps)
    windows = phase_windows()
    submissions = list(
        ChecklistSubmission.objects.filter(tps=tps)
        .select_related("template", "submitted_by")
        .prefetch_related(Prefetch("photos", ChecklistPhoto.objects.order_by("pk")))
        .order_by("-submitted_at", "-pk")
    )
    by_phase: dict[str, list[ChecklistSubmission]] = defaultdict(list)
    for submission in submissions:
        submission.tps = tps
        submission.answer_rows = submission_answers(submission)
        by_phase[submission.template.phase].append(submission)
    history = []
    for phase in sorted(set(windows) | set(by_phase), key=PHASE_ORDER.__getitem__):
        window = windows.get(phase)
        subs = by_phase.get(phase, [])
        if window is None:
            state = None
        elif subs:
            state = CheckState.SUBMITTED if any(not s.late for s in subs) else CheckState.LATE
        else:
            state = window.state_without_submission(now)
        history.append(
            PhaseHistory(
                phase=phase,
                label=str(Phase(phase).label),
                state=state,
                due=window.due if window else None,
                template=window.template if window else None,
                submissions=subs,
            )
        )
    return tps, history


def photo_get(*, user, pk: int) -> ChecklistPhoto:
    """A photo whose TPS the user may see; ``NotFound`` otherwise."""
    photo = ChecklistPhoto.objects.select_related("submission").filter(pk=pk).first()
    if photo is None:
        raise NotFound
    if not tps_visible(user=user).filter(pk=photo.submission.tps_id).exists():
        raise NotFound
    return photo
