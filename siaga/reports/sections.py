"""The sections of the daily situation report, one function per module.

Each function reads ONLY through the module's selectors, as the situation room does, so that the
report's numbers are the room's numbers; it returns plain JSON-able data (numbers and the rows
of the annexes), or ``None`` when its module is not installed: a section a module does not
provide yet is left out, not faked.

The reader is ``ReportPrincipal``: Siaga itself (``siaga.core.permissions.SYSTEM``) narrowed to
the report's regency, so that a report of Kutai Timur counts what an administrator of Kutai
Timur sees in the room, and nothing of a neighbouring regency held in the same database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from siaga.core.permissions import Action, Scope, SystemPrincipal
from siaga.wilayah.choices import Vulnerability

SERIOUS_SEVERITIES = ("tinggi", "kritis")
DAY_HOURS = 24
LIST_LIMIT = 200  # rows per annex list: a report is read, not a database dump


class ReportPrincipal(SystemPrincipal):
    """Siaga itself, reading every module through its selectors, within one region.

    It is the system principal with the scope of an administrator of that region (both caches
    of ``siaga.core.permissions`` are filled in advance): it may do everything there and sees
    nothing elsewhere. It is nobody: it has no user row and writes nothing.
    """

    is_superuser = False

    def __init__(self, region_code: str) -> None:
        self.region_code = region_code
        self._siaga_scope = Scope(codes=frozenset({region_code}))
        self._siaga_actions = frozenset(Action)


@dataclass(frozen=True)
class SectionContext:
    """What every section reads: the principal, the regency, the moment and the day."""

    principal: ReportPrincipal
    region: object  # siaga.wilayah.models.Region (the regency)
    now: dt.datetime  # the deployment's clock when the report is generated
    day: dt.date

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def since(self) -> dt.datetime:
        """The start of the report's window: the last 24 hours, as the room counts them."""
        return self.now - dt.timedelta(hours=DAY_HOURS)


def installed(label: str) -> bool:
    """Is the module ``siaga.<label>`` installed in this deployment?"""
    return apps.is_installed(f"siaga.{label}")


def _local(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- summary (always there: the core and the regions are the spine) ----------------------------


def summary(ctx: SectionContext) -> dict:
    """The clock, the election, its phase and days to voting day, and the room's headline
    numbers (TPS, voters, kecamatan: ``siaga.dashboard.views.region_panel``)."""
    from siaga.core.calendar import calendar_state
    from siaga.core.deployment import deployment_voting_day
    from siaga.core.models import Deployment
    from siaga.wilayah import selectors as wilayah

    children = wilayah.region_children_summary(user=ctx.principal, region=ctx.region)
    voting_day = deployment_voting_day()
    election = Deployment.objects.values_list("election_name", flat=True).order_by("pk").first()
    data = {
        "region_code": ctx.code,
        "region_name": ctx.region.name,
        "election_name": election or "",
        "clock": _local(ctx.now),
        "day": ctx.day.isoformat(),
        "voting_day": voting_day.isoformat() if voting_day else "",
        "phase": "",
        "phase_label": "",
        "h_label": "",
        "days_to_voting": None,
        "tps": sum(c.totals.tps for c in children),
        "dpt": sum(c.totals.dpt for c in children),
        "kecamatan": len(children),
    }
    if voting_day is not None:
        state = calendar_state(today=ctx.day, voting_day=voting_day)
        data.update(
            phase=state.phase.code,
            phase_label=str(state.phase.label),
            h_label=state.h_label,
            days_to_voting=state.days_to_voting,
        )
    return data


# --- logistics -----------------------------------------------------------------------------------


def logistics(ctx: SectionContext) -> dict | None:
    """Shipments by status, the at-risk ones (``shipments_at_risk``) and the reconciliation of
    what reached the TPS (``reconciliation_for``), as the logistics overview shows them."""
    if not installed("logistics"):
        return None
    from django.db.models import Count

    from siaga.logistics import selectors
    from siaga.logistics.choices import ShipmentStatus

    shipments = selectors.shipments_under(selectors.shipments_visible(user=ctx.principal), ctx.code)
    by_status = dict(
        shipments.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    at_risk = selectors.shipments_at_risk(user=ctx.principal, region=ctx.code, now=ctx.now)
    recon = selectors.reconciliation_for(user=ctx.principal, region=ctx.region)
    total = recon.total
    rows = []
    for row in at_risk[:LIST_LIMIT]:
        s, p = row.shipment, row.prediction
        destination = s.destination_tps.label if s.destination_tps_id else ""
        rows.append(
            {
                "code": s.code,
                "stage": s.get_stage_display(),
                "destination": " · ".join(
                    part for part in (destination, s.destination_region.name) if part
                ),
                "mode": s.get_mode_display(),
                "status": s.get_status_display(),
                "predicted_arrival": _local(
                    getattr(p, "predicted_at_destination", None) or p.predicted_arrival
                ),
                "late": bool(p.late),
                "voters": row.voters or 0,
                "vulnerability": _label(Vulnerability, row.vulnerability)
                if row.vulnerability
                else "",
            }
        )
    return {
        "shipments": sum(by_status.values()),
        "by_status": [
            {"status": s.value, "label": str(s.label), "n": by_status.get(s.value, 0)}
            for s in ShipmentStatus
            if by_status.get(s.value)
        ],
        "at_risk": len(at_risk),
        "at_risk_late": sum(1 for r in at_risk if r.prediction.late),
        "voters_at_risk": sum(r.voters or 0 for r in at_risk),
        "tps_total": total.tps,
        "tps_fully_supplied": total.tps_fully_supplied,
        "tps_ballot_short": total.tps_ballot_short,
        "percent_supplied": round(float(total.percent_supplied or 0), 1),
        "at_risk_rows": rows,
    }


# --- TPS supervision (the room's checklist panel) ------------------------------------------------


def checklists(ctx: SectionContext) -> dict | None:
    """Per checklist phase: TPS expected, submitted, late and missing (the room's panel)."""
    if not installed("checklists"):
        return None
    from siaga.checklists.selectors import checklist_overview

    phases = checklist_overview(user=ctx.principal, region=ctx.region, now=ctx.now)
    return {
        "phases": [
            {
                "phase": c.phase,
                "label": str(c.label),
                "due": _local(c.due),
                "expected": c.expected,
                "submitted": c.submitted,
                "late": c.late,
                "missing": c.missing,
                "not_yet_due": c.not_yet_due,
            }
            for c in phases
        ]
    }


# --- incidents -----------------------------------------------------------------------------------


def incidents(ctx: SectionContext) -> dict | None:
    """Reports by state and by category, and the serious ones (tinggi, kritis) of the last
    24 hours, listed."""
    if not installed("incidents"):
        return None
    from django.db.models import Count, Q

    from siaga.incidents import selectors
    from siaga.incidents.choices import OPEN_STATES, Severity, State
    from siaga.incidents.models import Incident

    # ``incidents_visible`` filters on the reporter, which a principal without a user row does
    # not have; ``incidents_filter`` over every report narrows to the regency, which is what an
    # administrator of the regency sees there.
    base = selectors.incidents_filter(Incident.objects.all(), region=ctx.code)
    totals = base.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        last_day=Count("pk", filter=Q(received_at__gte=ctx.since)),
        serious_open=Count("pk", filter=Q(state__in=OPEN_STATES, severity__in=SERIOUS_SEVERITIES)),
    )
    by_state = selectors.counts_by(base, "state")
    by_category = (
        base.order_by()
        .values("category__code", "category__name")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES)))
        .order_by("-n", "category__code")
    )
    serious = selectors.incidents_filter(
        base.select_related("category", "region", "tps", "assigned_agency"), since=ctx.since
    ).filter(severity__in=SERIOUS_SEVERITIES)
    return {
        **totals,
        "by_state": [
            {"state": s.value, "label": str(s.label), "n": by_state[s.value]}
            for s in State
            if by_state.get(s.value)
        ],
        "by_category": [
            {
                "code": r["category__code"],
                "name": r["category__name"],
                "n": r["n"],
                "open": r["open"],
            }
            for r in by_category
        ],
        "serious": serious.count(),
        "serious_rows": [
            {
                "ticket": i.ticket,
                "received_at": _local(i.received_at),
                "category": i.category.name,
                "severity": _label(Severity, i.severity),
                "state": _label(State, i.state),
                "place": " · ".join(
                    part for part in (i.tps.label if i.tps_id else "", i.region.name) if part
                ),
                "agency": i.assigned_agency.name if i.assigned_agency_id else "",
                "summary": i.description[:240],
            }
            for i in serious.order_by("-received_at", "-pk")[:LIST_LIMIT]
        ],
    }


# --- media ----------------------------------------------------------------------------------------


def media(ctx: SectionContext) -> dict | None:
    """The room's media numbers (``summary``), the hoaxes confirmed in the last 24 hours and the
    narratives seen in them, with the actions analysts took."""
    if not installed("media"):
        return None
    from django.db.models import Count, Q

    from siaga.media import selectors
    from siaga.media.choices import ActionKind, EventKind, ReviewStatus

    numbers = selectors.summary(ctx.principal)
    posts = selectors.posts_visible(ctx.principal)
    hoaxes = posts.filter(verdict=ReviewStatus.HOAX, reviewed_at__gte=ctx.since)
    actions = (
        posts.filter(events__kind=EventKind.ACTION, events__at__gte=ctx.since)
        .order_by()
        .values("events__action")
        .annotate(n=Count("events"))
    )
    narratives = (
        selectors.narratives_visible(ctx.principal)
        .filter(last_seen__gte=ctx.since)
        .annotate(
            actions=Count(
                "posts__events",
                filter=Q(posts__events__kind=EventKind.ACTION, posts__events__at__gte=ctx.since),
            )
        )
        .order_by("-last_seen", "-pk")
    )
    return {
        **{k: numbers[k] for k in ("posts", "flagged", "matched", "to_review", "hoaxes")},
        "alerts_open": numbers["alerts_open"],
        "hoaxes_today": hoaxes.count(),
        "actions_today": [
            {
                "action": r["events__action"],
                "label": _label(ActionKind, r["events__action"]),
                "n": r["n"],
            }
            for r in actions
        ],  # fmt: skip
        "hoax_rows": [
            {
                "reviewed_at": _local(p.reviewed_at),
                "platform": p.get_platform_display(),
                "author": p.author,
                "text": p.text[:240],
                "url": p.url,
            }
            for p in hoaxes.order_by("-reviewed_at", "-pk")[:LIST_LIMIT]
        ],
        "narratives_today": narratives.count(),
        "narrative_rows": [
            {
                "title": n.title,
                "posts": n.post_count,
                "first_seen": _local(n.first_seen),
                "last_seen": _local(n.last_seen),
                "debunked": n.debunk_id is not None,
                "actions": n.actions,
            }
            for n in narratives[:LIST_LIMIT]
        ],
    }


# --- risk -----------------------------------------------------------------------------------------


def risk(ctx: SectionContext) -> dict | None:
    """The room's risk panel (``panel``), the TPS that changed category since yesterday and the
    alerts raised in the last 24 hours."""
    if not installed("risk"):
        return None
    from siaga.risk import selectors

    panel = selectors.panel(ctx.principal)
    changes = selectors.changes_since_yesterday(ctx.principal, limit=LIST_LIMIT)
    alerts = (
        selectors.alerts_visible(ctx.principal)
        .filter(fired_at__gte=ctx.since)
        .select_related("region")
        .order_by("-fired_at", "-pk")
    )
    last_run = panel["last_run"]
    return {
        "counts": dict(panel["counts"]),
        "scored": panel["scored"],
        "aman_unmapped": panel["aman_unmapped"],
        "changed": panel["changed"],
        "alerts_open": panel["alerts_open"],
        "last_run": _local(last_run.started_at) if last_run else "",
        "alerts_today": alerts.count(),
        "change_rows": [
            {
                "tps": m["risk"].tps.label,
                "desa": m["risk"].tps.desa.name,
                "before": str(m["before_label"]),
                "after": str(m["after_label"]),
                "up": m["up"],
                "delta": m["delta"],
            }
            for m in changes
        ],
        "alert_rows": [
            {
                "fired_at": _local(a.fired_at),
                "kind": a.get_kind_display(),
                "title": a.title,
                "region": a.region.name,
                "reason": a.reason,
                "acknowledged": a.acknowledged_at is not None,
            }
            for a in alerts[:LIST_LIMIT]
        ],
    }


# --- security deployment --------------------------------------------------------------------------


def security(ctx: SectionContext) -> dict | None:
    """The latest deployment plan of the regency (what-ifs aside): its status and the TPS
    covered and short."""
    if not installed("security"):
        return None
    from siaga.security import selectors
    from siaga.security.choices import PlanStatus

    plans = selectors.plans_visible(user=ctx.principal).order_by("-created_at", "-pk")
    plan = plans.filter(based_on__isnull=True).first() or plans.first()
    if plan is None:
        return {"plan": None}
    totals = plan.totals or {}
    return {
        "plan": {
            "id": plan.pk,
            "name": plan.name,
            "created_at": _local(plan.created_at),
            "status": plan.status,
            "status_label": _label(PlanStatus, plan.status),
            "tps": totals.get("tps", 0),
            "covered": totals.get("covered", 0),
            "short": totals.get("short", 0),
        }
    }


# --- the watch after the vote ---------------------------------------------------------------------


def postelection(ctx: SectionContext) -> dict | None:
    """The room's post-vote panel (``dashboard_panel``): readiness, gatherings, re-votes and the
    next watch points."""
    if not installed("postelection"):
        return None
    from siaga.postelection import selectors

    panel = selectors.dashboard_panel(ctx.principal, now=ctx.now)

    def entry(e) -> dict:
        return {
            "title": e.title,
            "starts_at": _local(e.starts_at),
            "place": e.place,
            "region": e.region_name,
            "status": e.status_label,
            "expected_size": e.expected_size,
        }

    return {
        "post_vote": panel.post_vote,
        "readiness_done": panel.readiness_done,
        "readiness_total": panel.readiness_total,
        "readiness_percent": panel.readiness_percent,
        "gatherings": len(panel.gatherings),
        "gathering_people": panel.gathering_people,
        "revotes": len(panel.revotes),
        "watch_rows": [entry(e) for e in panel.watch_points],
        "gathering_rows": [entry(e) for e in panel.gatherings],
    }


# --- tasks (siaga.coordination) -------------------------------------------------------------------


def tasks(ctx: SectionContext) -> dict | None:
    """Open, overdue and blocked follow-up tasks, with the overdue ones listed."""
    if not installed("coordination"):
        return None
    try:
        from siaga.coordination.selectors import task_counts, tasks_overdue
    except ImportError:  # the module is installed but does not provide its tasks yet
        return None
    counts = task_counts(ctx.principal, now=ctx.now)
    overdue = tasks_overdue(ctx.principal, now=ctx.now).select_related("agency")
    return {
        **{k: counts.get(k, 0) for k in ("open", "overdue", "blocked", "done_today")},
        "overdue_rows": [
            {
                "title": t.title,
                "agency": t.agency.name,
                "due_at": _local(t.due_at),
                "status": t.get_status_display(),
                "priority": t.get_priority_display(),
            }
            for t in overdue.order_by("due_at", "pk")[:LIST_LIMIT]
        ],
    }


# --- the audit chain ------------------------------------------------------------------------------


def audit(ctx: SectionContext) -> dict:
    """The head of the audit hash chain: every agency holding the report holds the evidence."""
    from siaga.core.audit import GENESIS_HASH
    from siaga.core.models import AuditEvent

    head = AuditEvent.objects.order_by("-seq").values("seq", "hash", "created_at").first()
    if head is None:
        return {"seq": 0, "hash": GENESIS_HASH, "at": ""}
    return {"seq": head["seq"], "hash": head["hash"], "at": _local(head["created_at"])}


SECTIONS: dict[str, Callable[[SectionContext], dict | None]] = {
    "summary": summary,
    "logistics": logistics,
    "checklists": checklists,
    "incidents": incidents,
    "media": media,
    "risk": risk,
    "security": security,
    "postelection": postelection,
    "tasks": tasks,
    "audit": audit,
}


def section_titles() -> dict[str, str]:
    """The heading of each section, in the active language."""
    return {
        "summary": _("Ringkasan hari ini"),
        "logistics": _("Logistik pemilihan"),
        "checklists": _("Pengawasan TPS (daftar periksa)"),
        "incidents": _("Laporan kejadian"),
        "media": _("Media sosial: hoaks dan narasi"),
        "risk": _("Kerawanan TPS dan peringatan dini"),
        "security": _("Pengamanan"),
        "postelection": _("Kewaspadaan pasca-pemungutan"),
        "tasks": _("Tindak lanjut"),
        "audit": _("Kepala rantai audit"),
    }


def collect(ctx: SectionContext) -> dict:
    """Every section this deployment provides, by key; modules not installed are left out."""
    figures = {}
    for key, section in SECTIONS.items():
        data = section(ctx)
        if data is not None:
            figures[key] = data
    return figures
