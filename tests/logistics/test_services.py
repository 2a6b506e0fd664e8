"""Catalogue, requirement rules (editable, recomputed on read) and shipment writes."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.models import AuditEvent
from siaga.logistics import selectors, services
from siaga.logistics.catalogue import CATALOGUE, catalogue_seed
from siaga.logistics.choices import ShipmentStatus, Stage
from siaga.logistics.models import ItemType, RequirementRule
from tests.logistics.world import CONTEXT, LogisticsWorld, wita


@pytest.fixture
def lw(world):
    return LogisticsWorld(world)


def test_the_catalogue_has_twelve_items_with_rules_and_two_ballots(lw):
    assert len(CATALOGUE) == 12
    assert ItemType.objects.count() == 12
    assert RequirementRule.objects.count() == 12
    ballots = set(ItemType.objects.filter(is_ballot=True).values_list("code", flat=True))
    assert ballots == {"surat_suara_gubernur", "surat_suara_bupati"}
    assert all(i.unit for i in ItemType.objects.all())


def test_seeding_again_changes_nothing_and_records_nothing(lw):
    events = AuditEvent.objects.count()
    counts = catalogue_seed(context=CONTEXT)
    assert counts["created"] == counts["updated"] == 0
    assert AuditEvent.objects.count() == events


def test_seeding_keeps_a_rule_the_administrator_edited(lw):
    services.rule_update(
        context=CONTEXT, user=lw.admin, item="tinta", kind="fixed", params={"quantity": 2}
    )
    catalogue_seed(context=CONTEXT)
    assert RequirementRule.objects.get(item__code="tinta").params == {"quantity": 2}


def test_a_tps_with_dpt_250_requires_257_ballots_per_contest(lw):
    lw.tps_a1.dpt_male, lw.tps_a1.dpt_female = 125, 125
    lw.tps_a1.save()
    needs = selectors.requirements_for_tps(tps=lw.tps_a1)
    assert needs["surat_suara_gubernur"] == 257
    assert needs["surat_suara_bupati"] == 257
    assert needs["kotak_suara"] == 2
    assert needs["tinta"] == 1
    assert needs["bilik_suara"] == 3


def test_changing_the_dpt_recomputes_requirements_at_once(lw):
    assert selectors.requirements_for_tps(tps=lw.tps_a1)["surat_suara_bupati"] == 390  # 380
    lw.tps_a1.dpt_male = 300  # DPT 480: 492 ballots, 4 booths
    lw.tps_a1.save()
    needs = selectors.requirements_for_tps(tps=lw.tps_a1)
    assert needs["surat_suara_bupati"] == 492
    assert needs["bilik_suara"] == 4


def test_an_administrator_edits_a_rule_and_requirements_follow(lw):
    rule = services.rule_update(
        context=CONTEXT,
        user=lw.admin,
        item="surat_suara_bupati",
        kind="dpt_reserve",
        params={"reserve_percent": 5},
    )
    assert rule.params == {"reserve_percent": 5}
    assert selectors.requirements_for_tps(tps=lw.tps_a1)["surat_suara_bupati"] == 399
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "logistics.rule.update"
    assert event.before["params"] == {"reserve_percent": 2.5}


def test_a_kpu_liaison_may_edit_rules(lw):
    services.rule_update(
        context=CONTEXT, user=lw.kpu_liaison, item="tinta", kind="fixed", params={"quantity": 2}
    )


@pytest.mark.parametrize("who", ["analyst", "leadership", "liaison", "monitor_tps"])
def test_others_may_not_edit_rules(lw, who):
    with pytest.raises(PermissionDenied):
        services.rule_update(
            context=CONTEXT, user=getattr(lw, who), item="tinta", kind="fixed", params={}
        )


def test_an_invalid_rule_is_refused_with_the_reasons_and_nothing_changes(lw):
    events = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="tidak sah.*quantity"):
        services.rule_update(
            context=CONTEXT, user=lw.admin, item="tinta", kind="fixed", params={"quantity": -1}
        )
    with pytest.raises(DomainError, match="tidak dikenal"):
        services.rule_update(
            context=CONTEXT, user=lw.admin, item="tinta", kind="per_voter", params={}
        )
    assert RequirementRule.objects.get(item__code="tinta").params == {"quantity": 1}
    assert AuditEvent.objects.count() == events


def test_short_codes_avoid_ambiguous_characters_and_the_prefix_is_optional():
    for n in range(50):
        code = services.shipment_code_for(str(n))
        assert len(code) == 8
        assert not set(code) & set("01OI")
    assert services.normalise_shipment_code(" kt-abcd2345 ") == "ABCD2345"
    assert services.shipment_code_for("x") == services.shipment_code_for("x")


@pytest.mark.django_db
def test_fresh_codes_are_unique(lw):
    codes = {services.shipment_code_new() for _n in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and not set(c) & set("01OI") for c in codes)


def test_kpu_creates_a_shipment_with_lines_and_one_audit_event(lw):
    events = AuditEvent.objects.count()
    shipment = services.shipment_create(
        context=CONTEXT,
        user=lw.kpu_liaison,
        stage=Stage.PPS_TO_KPPS,
        origin=lw.w.desa_a1,
        destination=lw.w.desa_a1,
        destination_tps=lw.tps_a1,
        mode="foot",
        planned_departure=wita(2024, 11, 25, 8),
        planned_arrival=wita(2024, 11, 25, 10),
        lines=[services.ShipmentLineInput("surat_suara_bupati", 390, lw.tps_a1.pk)],
    )
    assert len(shipment.code) == 8 and shipment.status == ShipmentStatus.PLANNED
    assert shipment.lines.get().quantity == 390
    assert AuditEvent.objects.count() == events + 1


def test_a_shipment_destination_must_match_its_stage(lw):
    with pytest.raises(DomainError, match="Tujuan tahap"):
        services.shipment_create(
            context=CONTEXT,
            user=lw.admin,
            stage=Stage.KPU_TO_PPK,
            origin=lw.w.regency,
            destination=lw.w.desa_a1,
            mode="road",
            planned_departure=wita(2024, 11, 25, 8),
            planned_arrival=wita(2024, 11, 25, 10),
        )
    with pytest.raises(DomainError, match="sebelum"):
        services.shipment_create(
            context=CONTEXT,
            user=lw.admin,
            stage=Stage.KPU_TO_PPK,
            origin=lw.w.regency,
            destination=lw.w.kec_a,
            mode="road",
            planned_departure=wita(2024, 11, 25, 8),
            planned_arrival=wita(2024, 11, 25, 6),
        )


def test_only_kpu_and_admins_in_scope_create_or_move_shipments(lw, world):
    from siaga.accounts.choices import Role

    for user in (lw.analyst, lw.liaison, lw.leadership, lw.monitor_tps):
        with pytest.raises(PermissionDenied):
            services.shipment_create(
                context=CONTEXT,
                user=user,
                stage=Stage.KPU_TO_PPK,
                origin=world.regency,
                destination=world.kec_a,
                mode="road",
                planned_departure=wita(2024, 11, 25, 8),
                planned_arrival=wita(2024, 11, 25, 10),
            )
    admin_b = world.user(Role.ADMIN, scope=[world.kec_b], username="admin-b")
    shipment = lw.shipment("AAAA2222", status=ShipmentStatus.PLANNED)
    with pytest.raises(PermissionDenied):
        services.shipment_status_set(
            context=CONTEXT, user=admin_b, shipment=shipment, status="loading"
        )


def test_status_transitions_stamp_times_and_positions_with_one_event_each(lw):
    shipment = lw.shipment("AAAA3333", status=ShipmentStatus.PLANNED)
    events = AuditEvent.objects.count()
    t1, t2 = wita(2024, 11, 24, 9), wita(2024, 11, 24, 13)
    services.shipment_status_set(
        context=CONTEXT, user=lw.kpu_liaison, shipment=shipment, status="loading"
    )
    shipment = services.shipment_status_set(
        context=CONTEXT,
        user=lw.kpu_liaison,
        shipment=shipment,
        status="in_transit",
        at=t1,
        lat=0.6,
        lon=117.4,
    )
    assert shipment.actual_departure == t1 and shipment.last_lat == 0.6
    shipment = services.shipment_status_set(
        context=CONTEXT, user=lw.kpu_liaison, shipment=shipment, status="arrived", at=t2
    )
    assert shipment.actual_arrival == t2
    assert AuditEvent.objects.count() == events + 3
    with pytest.raises(DomainError, match="tidak dapat diubah"):
        services.shipment_status_set(
            context=CONTEXT, user=lw.kpu_liaison, shipment=shipment, status="planned"
        )
    # The same status again without a position records nothing.
    services.shipment_status_set(
        context=CONTEXT, user=lw.kpu_liaison, shipment=shipment, status="arrived"
    )
    assert AuditEvent.objects.count() == events + 3
    returned = services.shipment_status_set(
        context=CONTEXT, user=lw.kpu_liaison, shipment=shipment, status="returned"
    )
    assert returned.status == ShipmentStatus.RETURNED


def test_shipment_update_edits_the_plan_and_lines_while_planned(lw):
    shipment = lw.shipment("AAAA4444", status=ShipmentStatus.PLANNED, items={"tinta": 1})
    updated = services.shipment_update(
        context=CONTEXT,
        user=lw.admin,
        shipment=shipment,
        carrier="CV Sangatta",
        planned_arrival=shipment.planned_arrival + dt.timedelta(hours=1),
        lines=[services.ShipmentLineInput("tinta", 2)],
    )
    assert updated.carrier == "CV Sangatta" and updated.lines.get().quantity == 2
    with pytest.raises(DomainError):
        services.shipment_update(context=CONTEXT, user=lw.admin, shipment=shipment, code="X")


def test_an_editor_cannot_tell_an_out_of_scope_region_from_an_unknown_one(lw):
    from siaga.accounts.choices import Role
    from tests.factories import UserFactory

    kecamatan_kpu = UserFactory(
        username="kpu-kec", role=Role.LIAISON, agency=lw.kpu, scope=[lw.w.kec_a]
    )
    messages = []
    for origin, destination in (
        (lw.w.kec_a.code, "64.08.99"),  # does not exist
        (lw.w.kec_a.code, lw.w.kec_other.code),  # exists, in another regency
        (lw.w.kec_other.code, lw.w.kec_a.code),  # an origin outside the scope
    ):
        with pytest.raises(DomainError) as refused:
            services.shipment_create(
                context=CONTEXT,
                user=kecamatan_kpu,
                stage=Stage.PPK_TO_PPS,
                origin=origin,
                destination=destination,
                mode="road",
                planned_departure=wita(2024, 11, 25, 8),
                planned_arrival=wita(2024, 11, 25, 10),
            )
        messages.append(str(refused.value).split()[0:1] + str(refused.value).split()[2:])
    assert messages[0] == messages[1] == messages[2] == ["Wilayah", "tidak", "dikenal."]
