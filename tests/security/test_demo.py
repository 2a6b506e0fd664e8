"""The demo's personnel and voting-day plan: built from the regions in the database,
deterministic and idempotent; on the real Kutai Timur demo, a plan for all 701 TPS."""

from __future__ import annotations

import pytest

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.security.demo import PLAN_NAME, security_demo_load
from siaga.security.models import DeploymentPlan, DeploymentShortfall, PatternRule, PersonnelUnit

CONTEXT = AuditContext.cli()


def test_on_the_small_world_every_kecamatan_gets_a_polsek_and_koramil_and_each_desa_linmas(world):
    summary = security_demo_load(context=CONTEXT, regency_code="64.08")
    units = {(u.kind, u.region_id): u for u in PersonnelUnit.objects.all()}
    assert {k for k, _code in units} == {"polres", "kodim", "polsek", "koramil", "linmas"}
    assert units[("polres", "64.08")].name == "Polres Kutai Timur"
    assert units[("polres", "64.08")].count == 120 and units[("polres", "64.08")].reach == "any"
    # The world's regency has no map point: the Kodim cannot measure 150 km and reaches all.
    assert units[("kodim", "64.08")].reach == "any"
    for kec in ("64.08.04", "64.08.06"):
        assert 8 <= units[("polsek", kec)].count <= 25
        assert 5 <= units[("koramil", kec)].count <= 12
        assert units[("polsek", kec)].reach == "kecamatan"
    linmas = [u for (kind, _code), u in units.items() if kind == "linmas"]
    assert len(linmas) == 4 and all(3 <= u.count <= 4 for u in linmas)  # 2 x 2 TPS, or short
    assert not PersonnelUnit.objects.filter(region__code__startswith="64.01").exists()
    assert PatternRule.objects.count() == 3
    plan = DeploymentPlan.objects.get(pk=summary["plan_id"])
    assert plan.name == PLAN_NAME and plan.status == "optimal"
    assert summary["tps"] == 8 and summary["plan_created"] and summary["units"] == 10
    assert AuditEvent.objects.filter(action="demo.security").count() == 1


def test_loading_twice_creates_nothing_new(world):
    first = security_demo_load(context=CONTEXT, regency_code="64.08")
    events = AuditEvent.objects.count()
    again = security_demo_load(context=CONTEXT, regency_code="64.08")
    assert again["plan_id"] == first["plan_id"] and not again["plan_created"]
    assert again["units_created"] == 0 and again["patterns_created"] == 0
    assert AuditEvent.objects.count() == events
    assert PersonnelUnit.objects.count() == first["units"]


@pytest.fixture
def demo(db, settings):
    from siaga.demo.services import demo_load

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load(context=CONTEXT, national_regions=False, media=False)


def test_on_the_kutai_timur_demo_the_voting_day_plan_covers_the_701_tps_but_a_few(demo):
    summary = security_demo_load(context=CONTEXT, regency_code="64.08")
    assert summary["tps"] == 701 and summary["plan_status"] == "optimal"
    kinds = set(PersonnelUnit.objects.exclude(kind="linmas").values_list("kind", flat=True))
    assert kinds == {"polres", "kodim", "polsek", "koramil"}
    assert PersonnelUnit.objects.filter(kind="polsek").count() == 18
    # Officers are enough; the few desa short of Linmas leave a few TPS short, each explained.
    plan = DeploymentPlan.objects.get(pk=summary["plan_id"])
    assert plan.totals["officers_missing"] == 0
    assert 0 < summary["short"] < 60 and summary["covered"] == 701 - summary["short"]
    reasons = set(DeploymentShortfall.objects.filter(plan=plan).values_list("reason", flat=True))
    assert reasons == {"units_in_reach_exhausted"}
