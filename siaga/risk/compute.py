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
from django.db import connection, transaction
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
    assessed: np.ndarray  # bool: the TPS has been mapped (TpsAssessment)
    vulnerability: list[str]  # Tps.vulnerability as it stands
    providers: list[str] = field(default_factory=list)


def gather(*, prefix: str = "", now: dt.datetime) -> Gathered:
    """Static values and every active provider's live values, as one (TPS x indicator) matrix."""
    indicators = list(Indicator.objects.filter(active=True))
    column = {indicator.code: j for j, indicator in enumerate(indicators)}
    rows = list(
        Tps.objects.filter(_under("desa__code", prefix))
        .order_by("pk")
        .values_list("pk", "desa_id", "dpt_male", "dpt_female", "vulnerability")
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
    vulnerability = [row[4] for row in rows]
    return Gathered(tps_ids, desa, voters, indicators, values, assessed, vulnerability, names)


def _engine_indicators(indicators: list[Indicator]) -> list[engine.Indicator]:
    return [engine.Indicator(i.code, i.weight, i.saturation) for i in indicators]


def _explanation(contributions) -> list[list]:
    return [[c.code, round(float(c.value), 3), round(float(c.points), 2)] for c in contributions]


@transaction.atomic
def risk_recompute(
    *, context: AuditContext, prefix: str = "", now: dt.datetime | None = None
) -> RiskRun:
    """Recompute the index of every TPS under ``prefix`` (all when empty) and run the alert
    rules; one audit event for the run, one per alert. Only the scores, history rows and areas
    that changed are written."""
    started = time.perf_counter()
    now = now or clock.now()
    day = clock.local_date(now)
    data = gather(prefix=prefix, now=now)
    limits = thresholds()
    result = engine.compute_index(data.values, _engine_indicators(data.indicators), limits)
    categories = [CATEGORY_ORDER[c] for c in result.categories.tolist()]
    scores = [round(float(x), 2) for x in result.scores.tolist()]

    stored = {
        row[0]: row[1:]
        for row in TpsRisk.objects.filter(_under("tps__desa__code", prefix)).values_list(
            "tps_id", "score", "category", "assessed", "explanation"
        )
    }
    rows = []
    for i, pk in enumerate(data.tps_ids):
        current = (
            scores[i],
            categories[i],
            bool(data.assessed[i]),
            _explanation(result.explain(i)),
        )
        if stored.get(pk) != current:
            rows.append((pk, *current))
    _upsert(TpsRisk, ["tps", "score", "category", "assessed", "explanation", "computed_at"],
            ["tps"], [(*row, now) for row in rows])  # fmt: skip
    today = {
        tps_id: (score, category)
        for tps_id, score, category in RiskHistory.objects.filter(
            _under("tps__desa__code", prefix), day=day
        ).values_list("tps_id", "score", "category")
    }
    _upsert(
        RiskHistory, ["tps", "day", "score", "category"], ["tps", "day"],
        [(pk, day, scores[i], categories[i]) for i, pk in enumerate(data.tps_ids)
         if today.get(pk) != (scores[i], categories[i])],
        where="tps_id IS NOT NULL",
    )  # fmt: skip
    changed = _vulnerability_follow(data, categories)
    area_before, areas = _areas_store(data, result, limits, prefix=prefix, day=day, now=now)

    order = {category: n for n, category in enumerate(CATEGORY_ORDER)}
    rises = engine.category_rises(
        [str(pk) for pk in data.tps_ids],
        np.array([order.get(_category(stored.get(pk)), -1) for pk in data.tps_ids], np.int8),
        result.categories,
    )
    area_codes = list(areas)
    area_rises = engine.category_rises(
        area_codes,
        np.array([order.get(area_before.get(c), -1) for c in area_codes], dtype=np.int8),
        np.array([order[areas[c]] for c in area_codes], dtype=np.int8),
    )
    fired = alerts.fire_all(
        tps_rises=rises,
        area_rises=area_rises,
        scores=dict(zip(data.tps_ids, scores, strict=True)),
        prefix=prefix,
        now=now,
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


def _category(stored_row) -> str | None:
    return stored_row[1] if stored_row else None


UPSERT_ROWS = 500  # rows per INSERT statement: one round trip each, well under SQLite's limits


def _upsert(model, fields: list[str], conflict: list[str], rows: list[tuple], where: str = ""):
    """INSERT ... VALUES (...), (...) ON CONFLICT (conflict) [WHERE ...] DO UPDATE the other
    columns, UPSERT_ROWS rows a statement: no model instances, no SQL assembled per row and few
    round trips, which is what makes a national recomputation fit its time
    (benchmarks/risk_service.py). SQLite 3.24+ and PostgreSQL both accept it; values go through
    each field's own database preparation."""
    if not rows:
        return
    quote = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = [field.column for field in model_fields]
    keys = [model._meta.get_field(name).column for name in conflict]
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in keys)
    one_row = f"({', '.join(['%s'] * len(columns))})"

    def statement(count: int) -> str:
        # Names come from the model's metadata, values go as parameters.
        return (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
            f"VALUES {', '.join([one_row] * count)} "
            f"ON CONFLICT ({', '.join(map(quote, keys))}){' WHERE ' + where if where else ''} "
            f"DO UPDATE SET {updates}"
        )

    prepare = [
        (j, field) for j, field in enumerate(model_fields)
        if field.get_internal_type() in ("JSONField", "DateTimeField", "DateField")
    ]  # fmt: skip
    constants: dict[tuple[int, object], object] = {}
    full = statement(UPSERT_ROWS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            params: list = []
            for row in chunk:
                values = list(row)
                for j, field in prepare:
                    if field.get_internal_type() == "JSONField":
                        values[j] = field.get_db_prep_save(values[j], connection)
                    else:  # one moment or day per run: prepared once
                        key = (j, values[j])
                        if key not in constants:
                            constants[key] = field.get_db_prep_save(values[j], connection)
                        values[j] = constants[key]
                params.extend(values)
            cursor.execute(full if len(chunk) == UPSERT_ROWS else statement(len(chunk)), params)


def _vulnerability_follow(data: Gathered, categories: list[str]) -> int:
    """Set ``Tps.vulnerability`` from the index; returns how many TPS changed."""
    changes: dict[str, list[int]] = defaultdict(list)
    for i, pk in enumerate(data.tps_ids):
        category = str(categories[i])
        if not data.assessed[i] and category == Category.AMAN:
            category = Vulnerability.UNKNOWN
        if data.vulnerability[i] != category:
            changes[category].append(pk)
    for category, pks in changes.items():
        for start in range(0, len(pks), BATCH):
            Tps.objects.filter(pk__in=pks[start : start + BATCH]).update(vulnerability=category)
    return sum(len(pks) for pks in changes.values())


def _is_under(code: str, prefix: str) -> bool:
    return code == prefix or code.startswith(prefix + ".")


def _areas_store(data: Gathered, result, limits, *, prefix: str, day: dt.date, now: dt.datetime):
    """Roll the scores up to desa, kecamatan and regency; store those that changed and the
    day's history. Returns (categories before, categories now) by area code."""
    codes = _area_codes(data.desa)
    if prefix:  # an area above the prefix holds TPS this run did not read: left to a full run
        codes = {code for code in codes if _is_under(code, prefix)}
    known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    current: dict[str, tuple] = {}
    for level in AREA_LEVELS:
        rolled = engine.rollup(
            data.desa, result, level=level, weights=data.voters, thresholds=limits
        )
        for i, code in enumerate(rolled.codes):
            if code not in known:
                continue
            counts = rolled.counts[i]
            current[code] = (
                round(float(rolled.score[i]), 2),
                round(float(rolled.max_score[i]), 2),
                CATEGORY_ORDER[int(rolled.categories[i])],
                int(counts[0]),
                int(counts[1]),
                int(counts[2]),
                _explanation(rolled.explain(i, list(result.codes), top=3)),
            )
    stored = {
        row[0]: row[1:]
        for row in AreaRisk.objects.filter(region_id__in=list(current)).values_list(
            "region_id", "score", "max_score", "category", "tps_aman", "tps_rawan",
            "tps_sangat_rawan", "explanation",
        )
    }  # fmt: skip
    _upsert(
        AreaRisk,
        ["region", "score", "max_score", "category", "tps_aman", "tps_rawan",
         "tps_sangat_rawan", "explanation", "computed_at"],
        ["region"],
        [(code, *row, now) for code, row in current.items() if stored.get(code) != row],
    )  # fmt: skip
    today = {
        region: (score, category)
        for region, score, category in RiskHistory.objects.filter(
            region_id__in=list(current), day=day
        ).values_list("region_id", "score", "category")
    }
    _upsert(
        RiskHistory, ["region", "day", "score", "category"], ["region", "day"],
        [(code, day, row[0], row[2]) for code, row in current.items()
         if today.get(code) != (row[0], row[2])],
        where="region_id IS NOT NULL",
    )  # fmt: skip
    before = {code: row[2] for code, row in stored.items()}
    return before, {code: row[2] for code, row in current.items()}


def _area_codes(desa_codes: list[str]) -> set[str]:
    codes: set[str] = set()
    for code in set(desa_codes):
        parts = code.split(".")
        codes.update(".".join(parts[:n]) for n in (2, 3, 4))
    return codes
