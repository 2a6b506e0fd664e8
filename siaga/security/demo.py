"""The Kutai Timur demo's personnel and its voting-day deployment plan.

Built from the regions and TPS already in the database (the demo loads them first, and the
risk index gives the TPS their categories), so it fits whatever the demo generated: one Polres
at Sangatta (the regency's point) that can reach every TPS, the Kodim within 150 km, a Polsek
and a Koramil per kecamatan (sized by the kecamatan's TPS) serving their own kecamatan, and the
Linmas of every desa, two per TPS, with a few desa short so that the plan has shortfalls to
explain. Then one plan for voting day, "Rencana pengamanan hari pemungutan suara".

Deterministic (every number comes from a hash of the region code) and idempotent (a unit is
recognised by its kind, region and name; the plan by its name and region), with one
``demo.security`` audit event when a run created anything. Fast enough for the tests that
load the demo: the plan is solved as an exact min-cost flow, which needs no time limit.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from siaga.accounts.choices import AgencyKind
from siaga.accounts.models import Agency
from siaga.core.audit import AuditContext, audit_record
from siaga.core.errors import DomainError
from siaga.engines import planning
from siaga.security.choices import Reach, UnitKind
from siaga.security.models import DeploymentPlan, PersonnelUnit
from siaga.security.services import patterns_seed_defaults, plan_create
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps

SEED = "siaga-security-kutim-2024"
PLAN_NAME = "Rencana pengamanan hari pemungutan suara"
POLRES_OFFICERS = 120
KODIM_OFFICERS = 60
KODIM_REACH_KM = 150.0
POLSEK_RANGE = (8, 25)
KORAMIL_RANGE = (5, 12)
LINMAS_PER_TPS = 2
LINMAS_SHORT_SHARE = 0.06  # about one desa in seventeen has fewer Linmas than it needs


def _draw(*parts: str) -> float:
    """A number in [0, 1) fixed by the seed and ``parts``."""
    digest = hashlib.sha256("|".join((SEED, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _sized(low: int, high: int, tps: int, most_tps: int, *key: str) -> int:
    """Between ``low`` and ``high``, larger for a kecamatan with more TPS, with some jitter."""
    share = tps / most_tps if most_tps else 0
    jitter = _draw(*key) * 0.3 - 0.15
    return max(low, min(high, round(low + (high - low) * min(1.0, share + jitter))))


def _short_name(name: str) -> str:
    for prefix in ("Kabupaten ", "Kab. ", "Kota "):
        name = name.removeprefix(prefix)
    return name


def _wanted_units(regency: Region) -> list[PersonnelUnit]:
    polri = Agency.objects.filter(kind=AgencyKind.POLRI).order_by("pk").first()
    tni = Agency.objects.filter(kind=AgencyKind.TNI).order_by("pk").first()
    kecamatan = list(
        Region.objects.filter(parent=regency, level=Level.DISTRICT)
        .defer("boundary")
        .order_by("code")
    )
    desa = list(
        Region.objects.filter(parent__parent=regency, level=Level.VILLAGE)
        .defer("boundary")
        .order_by("code")
    )
    tps_by_desa = dict(
        Tps.objects.filter(desa__parent__parent=regency)
        .values("desa_id")
        .annotate(n=Count("pk"))
        .values_list("desa_id", "n")
    )
    tps_by_kec: dict[str, int] = {}
    for code, n in tps_by_desa.items():
        tps_by_kec[code[:8]] = tps_by_kec.get(code[:8], 0) + n
    most = max(tps_by_kec.values(), default=0)
    town = _short_name(regency.name)
    units = [
        PersonnelUnit(
            agency=polri, kind=UnitKind.POLRES, name=f"Polres {town}", region=regency,
            count=POLRES_OFFICERS, reach=Reach.ANY,
        ),
        PersonnelUnit(
            agency=tni, kind=UnitKind.KODIM, name=f"Kodim 0909/{town}", region=regency,
            count=KODIM_OFFICERS,
            reach=Reach.DISTANCE if regency.lat is not None else Reach.ANY,
            reach_km=KODIM_REACH_KM if regency.lat is not None else None,
        ),
    ]  # fmt: skip
    for kec in kecamatan:
        tps = tps_by_kec.get(kec.code, 0)
        if not tps:
            continue
        units.append(
            PersonnelUnit(
                agency=polri, kind=UnitKind.POLSEK, name=f"Polsek {kec.name}", region=kec,
                count=_sized(*POLSEK_RANGE, tps, most, "polsek", kec.code),
                reach=Reach.KECAMATAN,
            )
        )  # fmt: skip
        units.append(
            PersonnelUnit(
                agency=tni, kind=UnitKind.KORAMIL, name=f"Koramil {kec.name}", region=kec,
                count=_sized(*KORAMIL_RANGE, tps, most, "koramil", kec.code),
                reach=Reach.KECAMATAN,
            )
        )  # fmt: skip
    for d in desa:
        tps = tps_by_desa.get(d.code, 0)
        if not tps:
            continue
        count = LINMAS_PER_TPS * tps
        if _draw("linmas-short", d.code) < LINMAS_SHORT_SHARE:
            count -= 1 + int(_draw("linmas-missing", d.code) * min(tps, 3))
        units.append(
            PersonnelUnit(
                kind=UnitKind.LINMAS, name=f"Linmas {d.name}", region=d, count=count,
                reach=Reach.DESA,
            )
        )  # fmt: skip
    return units


def security_demo_load(*, context: AuditContext, regency_code: str) -> dict:
    """Seed the personnel of ``regency_code`` and its voting-day plan; returns what it holds
    and what this run created (``units_created``, ``plan_created``, ``plan_id``, ...)."""
    regency = Region.objects.defer("boundary").filter(code=regency_code).first()
    if regency is None:
        raise DomainError(_("Wilayah %(code)s tidak ada.") % {"code": regency_code})
    with transaction.atomic():
        patterns_created = patterns_seed_defaults(context=context)
        wanted = _wanted_units(regency)
        existing = {
            (u.kind, u.region_id, u.name)
            for u in PersonnelUnit.objects.filter(region__code__startswith=regency.code)
        }
        new = [u for u in wanted if (u.kind, u.region_id, u.name) not in existing]
        PersonnelUnit.objects.bulk_create(new, batch_size=500)
        if new or patterns_created:
            audit_record(
                context=context,
                action="demo.security",
                obj=regency,
                region_code=regency.code,
                after={
                    "units_created": len(new),
                    "people_created": sum(u.count for u in new),
                    "patterns_created": patterns_created,
                },
            )
    plan = DeploymentPlan.objects.filter(region=regency, name=PLAN_NAME).first()
    plan_created = plan is None
    if plan is None:
        plan = plan_create(
            context=context,
            region_code=regency.code,
            name=PLAN_NAME,
            solver=planning.MIN_COST_FLOW,
            time_limit_s=5,
        )
    units = PersonnelUnit.objects.filter(region__code__startswith=regency.code, active=True)
    return {
        "units": units.count(),
        "units_created": len(new),
        "officers": sum(units.exclude(kind=UnitKind.LINMAS).values_list("count", flat=True)),
        "linmas": sum(units.filter(kind=UnitKind.LINMAS).values_list("count", flat=True)),
        "patterns_created": patterns_created,
        "plan_id": plan.pk,
        "plan_created": plan_created,
        "plan_status": plan.status,
        "tps": plan.totals.get("tps", 0),
        "covered": plan.totals.get("covered", 0),
        "short": plan.totals.get("short", 0),
    }
