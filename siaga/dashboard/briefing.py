"""The leadership briefing: five numbers that matter today, what needs a decision, the latest
report. Read through every module's selectors, each only when its module is installed (a
module not built gives no number, rather than a zero that would mislead)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from siaga.core import clock


@dataclass
class Number:
    key: str
    label: str
    value: int
    url: str
    note: str = ""
    alarm: bool = False  # shown in red: something is wrong today


@dataclass
class Decision:
    """One thing that waits for the leadership: a late or blocked task, an alert nobody has
    acknowledged, TPS a deployment plan leaves short."""

    kind: str
    title: str
    detail: str
    url: str


@dataclass
class Briefing:
    numbers: list[Number] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    report: object | None = None


DECISIONS_SHOWN = 8


def briefing(user, *, region_code: str) -> Briefing:
    """What the Pjs Bupati and the agency heads read first, in ``user``'s scope."""
    out = Briefing()
    now = clock.now()
    if apps.is_installed("siaga.risk"):
        from siaga.risk import selectors as risk

        panel = risk.panel(user)
        vulnerable = panel["counts"]["rawan"] + panel["counts"]["sangat_rawan"]
        out.numbers.append(
            Number("risk", _("TPS rawan dan sangat rawan"), vulnerable, reverse("risk:overview"),
                   _("%(n)s sangat rawan") % {"n": panel["counts"]["sangat_rawan"]},
                   alarm=panel["counts"]["sangat_rawan"] > 0)
        )  # fmt: skip
        for alert in risk.alerts_visible(user).filter(acknowledged_at__isnull=True)[:3]:
            out.decisions.append(
                Decision("alert", alert.title, alert.reason, reverse("risk:alerts") + "?terbuka=1")
            )
    if apps.is_installed("siaga.logistics"):
        from siaga.logistics.selectors import shipments_at_risk

        rows = shipments_at_risk(user=user, region=region_code, now=now)
        late = sum(1 for row in rows if row.prediction.late)
        out.numbers.append(
            Number("logistics", _("Pengiriman logistik berisiko terlambat"), len(rows),
                   reverse("logistics:overview"), _("%(n)s sudah terlambat") % {"n": late},
                   alarm=late > 0)
        )  # fmt: skip
    if apps.is_installed("siaga.incidents"):
        from siaga.incidents.choices import OPEN_STATES
        from siaga.incidents.selectors import incidents_visible

        serious = incidents_visible(user=user).filter(
            state__in=OPEN_STATES, severity__in=("tinggi", "kritis")
        )
        n = serious.count()
        out.numbers.append(
            Number("incidents", _("Insiden serius belum selesai"), n,
                   reverse("incidents:list"), alarm=n > 0)
        )  # fmt: skip
    if apps.is_installed("siaga.media"):
        from siaga.media.selectors import summary

        media = summary(user)
        out.numbers.append(
            Number("media", _("Hoaks terkonfirmasi"), media["hoaxes"], reverse("media:queue"),
                   _("%(n)s peringatan media terbuka") % {"n": media["alerts_open"]},
                   alarm=media["alerts_open"] > 0)
        )  # fmt: skip
    if apps.is_installed("siaga.coordination"):
        from siaga.coordination import selectors as coordination

        counts = coordination.task_counts(user, now=now)
        out.numbers.append(
            Number("tasks", _("Tindak lanjut lewat tenggat"), counts["overdue"],
                   reverse("coordination:tasks"),
                   _("%(n)s terhambat, %(open)s terbuka") % {"n": counts["blocked"],
                                                               "open": counts["open"]},
                   alarm=counts["overdue"] > 0)
        )  # fmt: skip
        late = coordination.tasks_overdue(user, now=now).select_related("agency")
        blocked = coordination.tasks_open(user).filter(status="terhambat").select_related("agency")
        for task in [*late[:3], *blocked[:3]]:
            out.decisions.append(
                Decision("task", task.title, f"{task.agency.name} · {task.get_status_display()}",
                         reverse("coordination:task", args=[task.pk]))
            )  # fmt: skip
    if apps.is_installed("siaga.security"):
        from siaga.security.selectors import plans_visible

        plan = plans_visible(user=user).order_by("-created_at").first()
        short = (plan.totals or {}).get("short", 0) if plan else 0
        if short:
            out.decisions.append(
                Decision("plan", _("%(n)s TPS kurang personel") % {"n": short}, plan.name,
                         reverse("security:plan", args=[plan.pk]))
            )  # fmt: skip
    if apps.is_installed("siaga.reports"):
        from siaga.reports import selectors as reports

        out.report = reports.latest(user)
    out.decisions = out.decisions[:DECISIONS_SHOWN]
    return out
