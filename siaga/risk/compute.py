"""Recompute the index: gather every indicator's values, score, roll up, store, fire alerts.

One function, :func:`risk_recompute`, serves the background task, the command line and the
"hitung ulang" button. Values come from the mapping (``IndicatorValue``) and the live providers;
the arithmetic is ``siaga.engines.risk``. The latest scores replace the previous ones, the day's
history row of each TPS and area is replaced by the latest of that day, and the TPS's
``vulnerability`` (what logistics and the map read) follows the index: the category when the TPS
has been mapped or a live signal lifts it above aman, "belum dinilai" otherwise.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from siaga.core import clock
from siaga.core.audit import AuditContext, audit_record
from siaga.engines import risk as engine
from siaga.risk import alerts
from siaga.risk.choices import CATEGORY_ORDER, Category
from siaga.risk.models import (
    AreaRisk,
    Indicator,
    IndicatorValue,
    RiskHistory,
    RiskRun,
    TpsAssessment,
    TpsRisk,
)
from siaga.risk.providers import ProviderContext, providers_active
from siaga.wilayah.choices import Vulnerability
from siaga.wilayah.models import Region, Tps

AREA_LEVELS = ("desa", "kecamatan", "kabupaten")
BATCH = 2000


def thresholds() -> engine.Thresholds:
    return engine.Thresholds(
        rawan=settings.SIAGA_RISK_RAWAN, sangat_rawan=settings.SIAGA_RISK_SANGAT_RAWAN
    )


def _under(field_name: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    return Q(**{field_name: prefix}) | Q(**{f"{field_name}__startswith": prefix + "."})


@dataclass
class Gathered:
    """The value matrix of the TPS under a prefix, and what it was built from."""

    tps_ids: list[int]
    desa: list[str]
    voters: np.ndarray
    indicators: list[Indicator]
    values: np.ndarray
    assessed: np.ndarray  # bool: the TPS has mapped (static) values
    providers: list[str] = field(default_factory=list)


def gather(*, prefix: str = "", now: dt.datetime) -> Gathered:
    """Static values and every active provider's live values, as one (TPS x indicator) matrix."""
    indicators = list(Indicator.objects.filter(active=True))
    column = {indicator.code: j for j, indicator in enumerate(indicators)}
    rows = list(
        Tps.objects.filter(_under("desa__code", prefix))
        .order_by("pk")
        .values_list("pk", "desa_id", "dpt_male", "dpt_female")
    )
    tps_ids = [row[0] for row in rows]
    desa = [row[1] for row in rows]
    position = {pk: i for i, pk in enumerate(tps_ids)}
    values = np.zeros((len(rows), len(indicators)), dtype=np.float64)
    assessed = np.zeros(len(rows), dtype=bool)
    static = IndicatorValue.objects.filter(
        _under("tps__desa__code", prefix), indicator__active=True
    ).values_list("tps_id", "indicator_id", "value")
    for tps_id, code, value in static.iterator(chunk_size=BATCH):
        values[position[tps_id], column[code]] = value
    mapped = TpsAssessment.objects.filter(_under("tps__desa__code", prefix))
    for tps_id in mapped.values_list("tps_id", flat=True).iterator(chunk_size=BATCH):
        assessed[position[tps_id]] = True

    by_region: dict[str, list[int]] = defaultdict(list)
    for pk, code in zip(tps_ids, desa, strict=True):
        parts = code.split(".")
        for depth in range(3, len(parts) + 1):
            by_region[".".join(parts[:depth])].append(pk)

    def tps_under(code: str) -> list[int]:
        return by_region.get(code, [])

    context = ProviderContext(
        now=now,
        since=now - dt.timedelta(days=settings.SIAGA_RISK_WINDOW_DAYS),
        prefix=prefix,
        tps_under=tps_under,
    )
    names = []
    for provider in providers_active():
        names.append(provider.source)
        for code, per_tps in provider.collect(context).items():
            j = column.get(code)
            if j is None:  # an indicator switched off, or one the catalogue lacks
                continue
            for pk, value in per_tps.items():
                i = position.get(pk)
                if i is not None:
                    values[i, j] += value
    voters = np.array([row[2] + row[3] for row in rows], dtype=np.float64)
    return Gathered(tps_ids, desa, voters, indicators, values, assessed, names)


def _engine_indicators(indicators: list[Indicator]) -> list[engine.Indicator]:
    return [engine.Indicator(i.code, i.weight, i.saturation) for i in indicators]


def _explanation(contributions) -> list[list]:
    return [[c.code, round(float(c.value), 3), round(float(c.points), 2)] for c in contributions]


@transaction.atomic
def risk_recompute(
    *, context: AuditContext, prefix: str = "", now: dt.datetime | None = None
) -> RiskRun:
    """Recompute the index of every TPS under ``prefix`` (all when empty) and run the alert
    rules; one audit event for the run, one per alert."""
    started = time.perf_counter()
    now = now or clock.now()
    day = clock.local_date(now)
    data = gather(prefix=prefix, now=now)
    limits = thresholds()
    result = engine.compute_index(data.values, _engine_indicators(data.indicators), limits)
    categories = [CATEGORY_ORDER[c] for c in result.categories.tolist()]

    before = dict(TpsRisk.objects.filter(tps_id__in=data.tps_ids).values_list("tps_id", "category"))
    TpsRisk.objects.bulk_create(
        [
            TpsRisk(
                tps_id=pk,
                score=round(float(result.scores[i]), 2),
                category=categories[i],
                explanation=_explanation(result.explain(i)),
                assessed=bool(data.assessed[i]),
                computed_at=now,
            )
            for i, pk in enumerate(data.tps_ids)
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["tps"],
        update_fields=["score", "category", "explanation", "assessed", "computed_at"],
    )
    RiskHistory.objects.filter(day=day, tps_id__in=data.tps_ids).delete()
    RiskHistory.objects.bulk_create(
        [
            RiskHistory(day=day, tps_id=pk, score=round(float(result.scores[i]), 2),
                        category=categories[i])
            for i, pk in enumerate(data.tps_ids)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    changed = _vulnerability_follow(data, categories)
    area_before, areas = _areas_store(data, result, limits, prefix=prefix, day=day, now=now)

    order = {category: n for n, category in enumerate(CATEGORY_ORDER)}
    rises = engine.category_rises(
        [str(pk) for pk in data.tps_ids],
        np.array([order.get(before.get(pk), -1) for pk in data.tps_ids], dtype=np.int8),
        result.categories,
    )
    area_codes = list(areas)
    area_rises = engine.category_rises(
        area_codes,
        np.array([order.get(area_before.get(c), -1) for c in area_codes], dtype=np.int8),
        np.array([order[areas[c]] for c in area_codes], dtype=np.int8),
    )
    scores = dict(zip(data.tps_ids, result.scores, strict=True))
    fired = alerts.fire_all(
        tps_rises=rises, area_rises=area_rises, scores=scores, prefix=prefix, now=now
    )
    run = RiskRun.objects.create(
        started_at=now,
        seconds=round(time.perf_counter() - started, 3),
        tps=len(data.tps_ids),
        changed=changed,
        alerts=len(fired),
        providers=data.providers,
    )
    counts = {c.value: categories.count(c) for c in Category}
    audit_record(
        context=context,
        action="risk.recomputed",
        obj=run,
        region_code=prefix or None,
        after={"tps": run.tps, "categories": counts, "changed": changed, "alerts": len(fired)},
    )
    return run


def _vulnerability_follow(data: Gathered, categories: list[str]) -> int:
    """Set ``Tps.vulnerability`` from the index; returns how many TPS changed."""
    wanted: dict[int, str] = {}
    for i, pk in enumerate(data.tps_ids):
        category = categories[i]
        if not data.assessed[i] and category == Category.AMAN:
            category = Vulnerability.UNKNOWN
        wanted[pk] = str(category)
    current = dict(Tps.objects.filter(pk__in=data.tps_ids).values_list("pk", "vulnerability"))
    changes: dict[str, list[int]] = defaultdict(list)
    for pk, category in wanted.items():
        if current.get(pk) != category:
            changes[category].append(pk)
    for category, pks in changes.items():
        for start in range(0, len(pks), BATCH):
            Tps.objects.filter(pk__in=pks[start : start + BATCH]).update(vulnerability=category)
    return sum(len(pks) for pks in changes.values())


def _is_under(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


def _areas_store(data: Gathered, result, limits, *, prefix: str, day: dt.date, now: dt.datetime):
    """Roll the scores up to desa, kecamatan and regency; store them and the day's history.
    Returns (categories before, categories now) by area code."""
    known = set(
        Region.objects.filter(code__in=_area_codes(data.desa)).values_list("code", flat=True)
    )
    codes_now: dict[str, str] = {}
    records: list[AreaRisk] = []
    for level in AREA_LEVELS:
        rolled = engine.rollup(
            data.desa, result, level=level, weights=data.voters, thresholds=limits
        )
        for i, code in enumerate(rolled.codes):
            # An area above the prefix holds TPS this run did not read: left to a full run.
            if code not in known or (prefix and not _is_under(code, prefix)):
                continue
            category = CATEGORY_ORDER[int(rolled.categories[i])]
            codes_now[code] = category
            counts = rolled.counts[i]
            records.append(
                AreaRisk(
                    region_id=code,
                    score=round(float(rolled.score[i]), 2),
                    max_score=round(float(rolled.max_score[i]), 2),
                    category=category,
                    tps_aman=int(counts[0]),
                    tps_rawan=int(counts[1]),
                    tps_sangat_rawan=int(counts[2]),
                    explanation=_explanation(rolled.explain(i, list(result.codes), top=3)),
                    computed_at=now,
                )
            )
    before = dict(
        AreaRisk.objects.filter(region_id__in=list(codes_now)).values_list("region_id", "category")
    )
    AreaRisk.objects.bulk_create(
        records,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["region"],
        update_fields=[
            "score", "max_score", "category", "tps_aman", "tps_rawan", "tps_sangat_rawan",
            "explanation", "computed_at",
        ],
    )  # fmt: skip
    RiskHistory.objects.filter(day=day, region_id__in=list(codes_now)).delete()
    RiskHistory.objects.bulk_create(
        [RiskHistory(day=day, region_id=r.region_id, score=r.score, category=r.category)
         for r in records],
        batch_size=BATCH,
    )  # fmt: skip
    return before, codes_now


def _area_codes(desa_codes: list[str]) -> set[str]:
    codes: set[str] = set()
    for code in set(desa_codes):
        parts = code.split(".")
        codes.update(".".join(parts[:n]) for n in (2, 3, 4))
    return codes
