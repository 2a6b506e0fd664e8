"""Reads of the risk module, always within the user's scope: scores, explanations, the map
layer, what changed since yesterday, alerts, and the catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from siaga.core import clock
from siaga.core.permissions import Action, can, user_scope
from siaga.risk.choices import Category
from siaga.risk.models import (
    AreaRisk,
    Indicator,
    IndicatorValue,
    RegionalIndex,
    RiskAlert,
    RiskHistory,
    RiskRun,
    TpsRisk,
)
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps


class NotFound(Exception):
    pass


def may_edit(user, region_code: str | None = None) -> bool:
    return can(user, Action.EDIT_RISK, region_code)


def may_edit_catalogue(user) -> bool:
    """The weights and the IKP count for the whole deployment: only an editor whose scope
    covers its regency changes them, and recomputes everything."""
    from siaga.core.deployment import deployment_regency

    return may_edit(user, deployment_regency())


def _prefix_q(field: str, code: str | None) -> Q:
    if not code:
        return Q()
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def indicator_names() -> dict[str, str]:
    return {code: _(name) for code, name in Indicator.objects.values_list("code", "name")}


def explain(explanation: list, names: dict[str, str]) -> list[dict]:
    """The stored ``[code, value, points]`` rows with the indicators' names."""
    return [
        {"code": code, "name": names.get(code, code), "value": value, "points": points}
        for code, value, points in explanation
    ]


def tps_risk_visible(user) -> QuerySet[TpsRisk]:
    if not can(user, Action.VIEW):
        return TpsRisk.objects.none()
    return TpsRisk.objects.filter(user_scope(user).tps_q("tps__"))


def tps_risk_filter(user, *, region: str | None = None, category: str | None = None):
    qs = tps_risk_visible(user).filter(_prefix_q("tps__desa__code", region))
    if category:
        qs = qs.filter(category=category)
    return qs.select_related("tps__desa__parent").order_by("-score", "tps_id")


def _yesterday(now: dt.datetime | None = None) -> dt.date:
    return clock.local_date(now or clock.now()) - dt.timedelta(days=1)


@dataclass
class TpsDetail:
    tps: Tps
    risk: TpsRisk | None
    reasons: list[dict]
    values: list[IndicatorValue]
    history: list[RiskHistory]
    static_indicators: list[Indicator]


def tps_detail(user, tps_id: int, *, days: int = 30) -> TpsDetail:
    """A TPS's score with what drove it, its mapped values and its history."""
    if not can(user, Action.VIEW):
        raise NotFound
    tps = (
        Tps.objects.filter(user_scope(user).tps_q(), pk=tps_id)
        .select_related("desa__parent")
        .first()
    )
    if tps is None:
        raise NotFound
    risk = TpsRisk.objects.filter(tps=tps).first()
    names = indicator_names()
    since = clock.today() - dt.timedelta(days=days)
    return TpsDetail(
        tps=tps,
        risk=risk,
        reasons=explain(risk.explanation, names) if risk else [],
        values=list(
            IndicatorValue.objects.filter(tps=tps).select_related("indicator", "updated_by")
        ),
        history=list(RiskHistory.objects.filter(tps=tps, day__gte=since)),
        static_indicators=list(Indicator.objects.filter(source="static")),
    )


def areas(user, *, level: str = Level.DISTRICT, parent: str | None = None) -> list[dict]:
    """Areas of ``level`` in the user's scope with their score, yesterday's, and reasons."""
    if not can(user, Action.VIEW):
        return []
    scope = user_scope(user)
    qs = (
        AreaRisk.objects.filter(scope.q("region__code"), region__level=level)
        .filter(_prefix_q("region__code", parent))
        .select_related("region")
        .order_by("-score", "region_id")
    )
    rows = list(qs)
    before = dict(
        RiskHistory.objects.filter(
            day=_yesterday(), region_id__in=[r.region_id for r in rows]
        ).values_list("region_id", "score")
    )
    names = indicator_names()
    return [
        {
            "area": row,
            "code": row.region_id,
            "name": row.region.name,
            "yesterday": before.get(row.region_id),
            "delta": None
            if row.region_id not in before
            else round(row.score - before[row.region_id], 1),
            "reasons": explain(row.explanation, names),
        }
        for row in rows
    ]


def layer(user, *, region: str | None = None) -> list[dict]:
    """The heat layer: every scored TPS in scope with its position, score, category, the change
    since yesterday and its two main reasons."""
    qs = tps_risk_filter(user, region=region).filter(tps__lat__isnull=False, tps__lon__isnull=False)
    rows = list(
        qs.values_list(
            "tps_id", "tps__number", "tps__desa__name", "tps__lat", "tps__lon", "score",
            "category", "explanation", "assessed",
        )
    )  # fmt: skip
    before = dict(
        RiskHistory.objects.filter(
            day=_yesterday(), tps_id__in=[row[0] for row in rows]
        ).values_list("tps_id", "score")
    )
    names = indicator_names()
    return [
        {
            "tps": pk,
            "label": f"TPS {number:03d} {desa}",
            "lat": lat,
            "lon": lon,
            "score": score,
            "category": category,
            "assessed": assessed,
            "delta": None if pk not in before else round(score - before[pk], 1),
            "reasons": [names.get(code, code) for code, _v, _p in explanation[:2]],
        }
        for pk, number, desa, lat, lon, score, category, explanation, assessed in rows
    ]


def changes_since_yesterday(user, *, limit: int = 20) -> list[dict]:
    """TPS whose category changed since yesterday's last computation, largest moves first."""
    yesterday = _yesterday()
    visible = tps_risk_visible(user)
    before = {
        tps_id: (score, category)
        for tps_id, score, category in RiskHistory.objects.filter(
            day=yesterday, tps_id__in=visible.values("tps_id")
        ).values_list("tps_id", "score", "category")
    }
    if not before:
        return []
    order = {c: n for n, c in enumerate((Category.AMAN, Category.RAWAN, Category.SANGAT_RAWAN))}
    moved = []
    for risk in visible.filter(tps_id__in=list(before)).select_related("tps__desa"):
        score, category = before[risk.tps_id]
        if category != risk.category:
            moved.append(
                {
                    "risk": risk,
                    "before": category,
                    "before_label": Category(category).label,
                    "after_label": Category(risk.category).label,
                    "up": order[risk.category] > order[category],
                    "delta": round(risk.score - score, 1),
                }
            )
    moved.sort(key=lambda m: (-abs(m["delta"]), m["risk"].tps_id))
    return moved[:limit]


def ikp_visible(user) -> list[RegionalIndex]:
    if not can(user, Action.VIEW):
        return []
    scope = user_scope(user)
    return list(
        RegionalIndex.objects.filter(
            Q(region__code__in=_ancestors_of_scope(scope)) | scope.q("region__code")
        ).select_related("region")
    )


def _ancestors_of_scope(scope) -> list[str]:
    codes: set[str] = set()
    for code in scope.codes:
        parts = code.split(".")
        codes.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return sorted(codes)


def alerts_visible(user) -> QuerySet[RiskAlert]:
    if not can(user, Action.VIEW):
        return RiskAlert.objects.none()
    return RiskAlert.objects.filter(user_scope(user).q("region__code"))


def alert_get(user, pk: int) -> RiskAlert:
    alert = alerts_visible(user).filter(pk=pk).first()
    if alert is None:
        raise NotFound
    return alert


def region_get(user, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None or not user_scope(user).may_open_region(code):
        raise NotFound
    return region


def panel(user) -> dict:
    """The index's numbers (the situation room's panel, the risk page) in two queries, whatever
    the number of TPS: the TPS in scope by category with how
    many of them are unmapped and how many changed category since yesterday's last computation
    (one grouped query), and the last computation with the open alerts in scope (one query:
    alerts are only raised by a computation, so with none there are none to count).
    """
    yesterday = clock.local_date(clock.now()) - dt.timedelta(days=1)
    moved = RiskHistory.objects.filter(tps_id=OuterRef("tps_id"), day=yesterday).exclude(
        category=OuterRef("category")
    )
    rows = (
        tps_risk_visible(user)
        .order_by()
        .values("category")
        .annotate(
            n=Count("pk"),
            unmapped=Count("pk", filter=Q(assessed=False)),
            changed=Count("pk", filter=Exists(moved)),
        )
    )
    counts = dict.fromkeys(Category.values, 0)
    unmapped = changed = 0
    for row in rows:
        counts[row["category"]] = row["n"]
        unmapped += row["unmapped"] if row["category"] == Category.AMAN else 0
        changed += row["changed"]
    open_alerts = (
        alerts_visible(user)
        .filter(acknowledged_at__isnull=True)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    last_run = RiskRun.objects.annotate(alerts_open=Subquery(open_alerts)).first()
    return {
        "counts": counts,
        "scored": sum(counts.values()),
        "aman_unmapped": unmapped,
        "changed": changed,
        "alerts_open": (last_run.alerts_open or 0) if last_run else 0,
        "last_run": last_run,
    }
