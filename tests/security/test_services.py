"""Services of deployment planning: patterns, personnel units, and plans made with the engine.

The world has 8 TPS in Kutai Timur (Sangatta Utara 64.08.04 and Busang 64.08.06, two desa of
two TPS each) and 2 in Paser. Default patterns: sangat rawan 2 officers per TPS, rawan 2 per 2
TPS (1 each), aman 2 per 8 TPS (0.25 each), 2 Linmas per TPS.
"""

from __future__ import annotations

import pytest

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.models import AuditEvent
from siaga.security import selectors, services
from siaga.security.choices import Reach, ShortfallReason, UnitKind
from siaga.security.models import DeploymentAssignment, DeploymentShortfall, PatternRule
from tests.factories import region
from tests.security.conftest import add_linmas, add_unit, set_risk


def _short(plan) -> dict[int, DeploymentShortfall]:
    return {s.tps_id: s for s in DeploymentShortfall.objects.filter(plan=plan)}


def _officers_at(plan, tps) -> float:
    return sum(
        DeploymentAssignment.objects.filter(plan=plan, tps=tps).values_list("officers", flat=True)
    )


# --- patterns -----------------------------------------------------------------------------------


def test_default_patterns_follow_the_issue_and_seeding_twice_creates_nothing(db, system):
    assert services.patterns_seed_defaults(context=system) == 3
    assert services.patterns_seed_defaults(context=system) == 0
    rules = {
        p.category: (p.officers, p.tps_per_team, p.linmas_per_tps)
        for p in PatternRule.objects.all()
    }
    assert rules == {"sangat_rawan": (2, 1, 2), "rawan": (2, 2, 2), "aman": (2, 8, 2)}
    assert "4–8" in PatternRule.objects.get(category="aman").note


def test_seeding_keeps_a_pattern_someone_changed(patterns, system):
    services.pattern_update(context=system, category="aman", tps_per_team=4)
    assert services.patterns_seed_defaults(context=system) == 0
    assert PatternRule.objects.get(category="aman").tps_per_team == 4


def test_pattern_update_audits_before_and_after(patterns, system):
    services.pattern_update(context=system, category="rawan", officers=3, note="uji")
    event = AuditEvent.objects.filter(action="security.pattern_update").get()
    assert event.before["officers"] == 2 and event.after["officers"] == 3
    assert event.after["note"] == "uji"


def test_pattern_update_refuses_a_team_of_no_tps_and_an_unknown_category(patterns, system):
    with pytest.raises(DomainError, match="tps_per_team"):
        services.pattern_update(context=system, category="aman", tps_per_team=0)
    with pytest.raises(DomainError, match="category"):
        services.pattern_update(context=system, category="genting", officers=1)
    assert PatternRule.objects.get(category="aman").tps_per_team == 8


# --- units --------------------------------------------------------------------------------------


def test_unit_create_records_the_unit_and_one_audit_event(world, system):
    unit = services.unit_create(
        context=system,
        kind=UnitKind.POLSEK,
        name="  Polsek Busang ",
        region_code="64.08.06",
        count=12,
        reach=Reach.KECAMATAN,
        agency="kesbangpol",
    )
    assert unit.name == "Polsek Busang" and unit.agency == world.agency and unit.active
    event = AuditEvent.objects.get(action="security.unit_create")
    assert event.object_id == str(unit.pk) and event.region_code == "64.08.06"
    assert event.after["count"] == 12


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": UnitKind.LINMAS, "reach": Reach.DESA}, "region"),  # Linmas belong to a desa
        ({"reach": Reach.DISTANCE}, "reach_km"),
        ({"reach": Reach.DISTANCE, "reach_km": 30.0}, "lat"),  # the kecamatan has no point
        ({"count": -1}, "count"),
        ({"region_code": "64.08", "reach": Reach.KECAMATAN}, "reach"),
        ({"region_code": "64.08.99"}, "region"),
        ({"name": " "}, "name"),
        ({"lat": 0.5}, "lat"),
        ({"agency": "tidak-ada"}, "agency"),
    ],
)
def test_unit_create_refuses_what_the_planner_could_not_use(world, system, changes, field):
    data = {
        "kind": UnitKind.POLSEK,
        "name": "Polsek Busang",
        "region_code": "64.08.06",
        "count": 10,
        "reach": Reach.KECAMATAN,
        **changes,
    }
    with pytest.raises(DomainError) as error:
        services.unit_create(context=system, **data)
    assert str(error.value).startswith(f"{field}:")


def test_a_distance_unit_takes_its_region_point_when_it_has_none(world, system):
    world.regency.lat, world.regency.lon = 0.50, 117.55
    world.regency.save()
    unit = services.unit_create(
        context=system,
        kind=UnitKind.KODIM,
        name="Kodim 0909",
        region_code="64.08",
        count=60,
        reach=Reach.DISTANCE,
        reach_km=150,
    )
    assert unit.lat is None and unit.position() == (0.50, 117.55)


def test_unit_update_changes_only_what_is_given_and_deactivate_is_idempotent(world, system):
    unit = add_unit(world.kec_a, "Polsek Sangatta Utara", 10)
    services.unit_update(context=system, unit=unit, count=14)
    unit.refresh_from_db()
    assert (unit.count, unit.name, unit.reach) == (14, "Polsek Sangatta Utara", "kecamatan")
    services.unit_deactivate(context=system, unit=unit)
    services.unit_deactivate(context=system, unit=unit)
    unit.refresh_from_db()
    assert not unit.active
    events = list(AuditEvent.objects.filter(action="security.unit_update").order_by("seq"))
    assert [(e.before["count"], e.after["count"]) for e in events] == [(10, 14), (14, 14)]
    assert [e.after["active"] for e in events] == [True, False]


def test_unit_update_refuses_an_unknown_field(world, system):
    unit = add_unit(world.kec_a, "Polsek Sangatta Utara", 10)
    with pytest.raises(DomainError, match="^created_at:"):
        services.unit_update(context=system, unit=unit, created_at=None)


def test_a_reader_may_not_record_personnel(world):
    leader = world.user(Role.LEADERSHIP)
    with pytest.raises(PermissionDenied):
        services.unit_create(
            context=AuditContext(actor=leader),
            kind=UnitKind.POLSEK,
            name="Polsek Busang",
            region_code="64.08.06",
            count=10,
            reach=Reach.KECAMATAN,
        )


# --- plans --------------------------------------------------------------------------------------


def test_a_plan_covers_every_tps_when_capacity_allows(world, staffed, system):
    plan = services.plan_create(context=system, region_code="64.08")
    totals = plan.totals
    # 8 aman TPS (none assessed): 8 x 2/8 = 2 officers and 8 x 2 = 16 Linmas needed.
    assert (totals["tps"], totals["covered"], totals["short"]) == (8, 8, 0)
    assert totals["officers_needed"] == 2.0 and totals["linmas_needed"] == 16
    assert totals["linmas_used"] == 16 and totals["officers_available"] == 8
    assert plan.status == "optimal" and not DeploymentShortfall.objects.filter(plan=plan)
    for tps in world.tps["64.08.04.1001"] + world.tps["64.08.06.2002"]:
        assert _officers_at(plan, tps) >= 0.25
        assert sum(a.linmas for a in DeploymentAssignment.objects.filter(plan=plan, tps=tps)) == 2
    # Paser's TPS and its Polsek are not part of a Kutai Timur plan.
    paser = DeploymentAssignment.objects.filter(plan=plan, tps__desa__code__startswith="64.01")
    assert not paser.exists()
    assert not DeploymentAssignment.objects.filter(plan=plan, unit=staffed["polsek_other"])


def test_when_capacity_is_short_the_lowest_risk_tps_are_left_short(world, patterns, system):
    add_linmas(world)
    polsek = add_unit(world.kec_a, "Polsek Sangatta Utara", 3)
    t1, t2 = world.tps["64.08.04.1001"]
    t3, t4 = world.tps["64.08.04.1002"]
    set_risk(t1, 85, "sangat_rawan")  # needs 2
    set_risk(t2, 55, "rawan")  # needs 1
    set_risk(t3, 30, "aman")  # needs 0.25
    set_risk(t4, 10, "aman")  # needs 0.25
    # 3.5 officers needed, 3 available: the two aman TPS (0.25 each) go without.
    plan = services.plan_create(context=system, region_code="64.08.04")
    short = _short(plan)
    assert set(short) == {t3.pk, t4.pk}
    assert [s.tps_id for s in DeploymentShortfall.objects.filter(plan=plan)] == [t4.pk, t3.pk]
    assert short[t4.pk].officers_missing == 0.25 and short[t4.pk].linmas_missing == 0
    assert short[t4.pk].reason == ShortfallReason.UNITS_IN_REACH_EXHAUSTED
    assert short[t4.pk].units == ["Polsek Sangatta Utara"]
    assert (_officers_at(plan, t1), _officers_at(plan, t2)) == (2.0, 1.0)
    assert plan.totals["officers_missing"] == 0.5 and plan.totals["covered"] == 2
    assert plan.totals["by_category"]["aman"] == {"tps": 2, "covered": 0}
    assert DeploymentAssignment.objects.get(plan=plan, tps=t1, unit=polsek).category == (
        "sangat_rawan"
    )


def test_withdrawing_a_unit_leaves_its_tps_short_and_the_comparison_says_so(world, staffed, system):
    base = services.plan_create(context=system, region_code="64.08", name="Dasar")
    whatif = services.plan_create(
        context=system,
        region_code="64.08",
        withdrawn=[staffed["polsek_b"].pk],
        based_on=base,
    )
    busang = {t.pk for code in ("64.08.06.2001", "64.08.06.2002") for t in world.tps[code]}
    short = _short(whatif)
    assert set(short) == busang
    assert {s.reason for s in short.values()} == {ShortfallReason.NO_UNIT_IN_REACH}
    assert {s.officers_missing for s in short.values()} == {0.25}
    assert whatif.parameters["withdrawn"] == [staffed["polsek_b"].pk]
    assert whatif.parameters["withdrawn_names"] == ["Polsek Busang"]
    assert whatif.name.startswith("Simulasi") and whatif.based_on == base
    assert whatif.totals["officers_available"] == 4 and whatif.totals["covered"] == 4
    view = selectors.plan_view(whatif)
    assert {s.tps_id for s in view.lost} == busang and view.gained == []
    assert selectors.plan_view(base).lost == []


def test_a_regency_unit_can_replace_a_withdrawn_polsek(world, staffed, system):
    polres = add_unit(world.regency, "Polres Kutai Timur", 2, UnitKind.POLRES, Reach.ANY)
    plan = services.plan_create(
        context=system, region_code="64.08", withdrawn=[staffed["polsek_b"].pk]
    )
    assert plan.totals["covered"] == 8
    busang_tps = world.tps["64.08.06.2001"][0]
    assert DeploymentAssignment.objects.filter(plan=plan, tps=busang_tps, unit=polres).exists()


def test_category_comes_from_the_index_then_the_tps_then_aman(world, staffed, system):
    indexed, marked = world.tps["64.08.04.1001"]
    plain = world.tps["64.08.04.1002"][0]
    indexed.vulnerability = "aman"
    indexed.save()
    set_risk(indexed, 77.5, "sangat_rawan")
    marked.vulnerability = "rawan"
    marked.save()
    plan = services.plan_create(context=system, region_code="64.08.04")
    found = {
        a.tps_id: (a.category, a.risk)
        for a in DeploymentAssignment.objects.filter(plan=plan).exclude(officers=0)
    }
    assert found[indexed.pk] == ("sangat_rawan", 77.5)
    assert found[marked.pk] == ("rawan", 0.0)
    assert found[plain.pk] == ("aman", 0.0)


def test_plan_create_writes_one_audit_event(world, staffed, system):
    before = AuditEvent.objects.count()
    plan = services.plan_create(context=system, region_code="64.08")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action="security.plan_create")
    assert event.object_id == str(plan.pk) and event.region_code == "64.08"
    assert event.after["totals"]["covered"] == 8


def test_plan_create_explains_bad_input_in_indonesian(world, staffed, system):
    region("64.08.09", "Kecamatan Kosong")
    with pytest.raises(DomainError, match="Tidak ada TPS di wilayah Kecamatan Kosong"):
        services.plan_create(context=system, region_code="64.08.09")
    with pytest.raises(DomainError, match="^region: wilayah 64.08.99 tidak dikenal"):
        services.plan_create(context=system, region_code="64.08.99")
    with pytest.raises(DomainError, match="^region: rencana disusun"):
        services.plan_create(context=system, region_code="64.08.04.1001")
    with pytest.raises(DomainError, match="^withdrawn: satuan 999999"):
        services.plan_create(context=system, region_code="64.08", withdrawn=[999999])
    with pytest.raises(DomainError, match="^withdrawn:"):  # Paser's Polsek is not in the plan
        services.plan_create(
            context=system, region_code="64.08", withdrawn=[staffed["polsek_other"].pk]
        )
    with pytest.raises(DomainError, match="^time_limit_s:"):
        services.plan_create(context=system, region_code="64.08", time_limit_s=0)
    with pytest.raises(DomainError, match="^based_on:"):
        services.plan_create(context=system, region_code="64.08", based_on=999999)
    PatternRule.objects.filter(category="aman").delete()
    with pytest.raises(DomainError, match="Belum ada pola pengamanan untuk kategori Aman"):
        services.plan_create(context=system, region_code="64.08")
    assert not AuditEvent.objects.filter(action="security.plan_create").exists()


def test_only_planners_in_scope_may_make_a_plan(world, staffed):
    liaison = world.user(Role.LIAISON)  # of Kesbangpol: reads, does not plan
    with pytest.raises(PermissionDenied):
        services.plan_create(context=AuditContext(actor=liaison), region_code="64.08")
    analyst = world.user(Role.ANALYST, scope=[world.kec_a])
    with pytest.raises(PermissionDenied):
        services.plan_create(context=AuditContext(actor=analyst), region_code="64.08")
    plan = services.plan_create(context=AuditContext(actor=analyst), region_code="64.08.04")
    assert plan.created_by == analyst and plan.totals["tps"] == 4
