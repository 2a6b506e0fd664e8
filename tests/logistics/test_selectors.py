"""Scoped reads: visibility, reconciliation (most advanced leg counts), delay risk, map layer."""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.logistics import selectors
from siaga.logistics.choices import ShipmentStatus, Stage
from siaga.logistics.models import Handover, HandoverLine
from tests.logistics.world import LogisticsWorld, wita


@pytest.fixture
def lw(world):
    return LogisticsWorld(world)


def handed(lw, shipment, counts: dict, at=None):
    """A handover straight in the database: counts {(item, tps or None): (recv, dmg, miss)}."""
    handover = Handover.objects.create(
        shipment=shipment,
        idempotency_key=f"k-{shipment.code}",
        received_at=at or wita(2024, 11, 25, 8),
        handed_by="a",
        received_by="b",
        recorded_by=lw.admin,
    )
    for (item, tps), (received, damaged, missing) in counts.items():
        HandoverLine.objects.create(
            handover=handover,
            item=lw.items[item],
            tps=tps,
            received=received,
            damaged=damaged,
            missing=missing,
        )
    shipment.status = ShipmentStatus.HANDED_OVER
    shipment.save()


def test_visibility_follows_the_destination_and_the_assigned_tps(lw, world):
    lw.shipment("PPK-A", stage=Stage.KPU_TO_PPK, destination=world.kec_a)
    lw.shipment("PPS-A1", stage=Stage.PPK_TO_PPS, destination=world.desa_a1)
    lw.shipment("TPS-A1-1", tps=lw.tps_a1)
    lw.shipment("TPS-A1-2", tps=lw.tps_a1b)
    lw.shipment("TPS-B1-1", tps=lw.tps_b1)
    lw.shipment("PASER", tps=world.tps[world.desa_other.code][0])

    def codes(user):
        return set(selectors.shipments_visible(user=user).values_list("code", flat=True))

    assert codes(lw.analyst) == {"PPK-A", "PPS-A1", "TPS-A1-1", "TPS-A1-2", "TPS-B1-1"}
    assert codes(lw.monitor_tps) == {"PPS-A1", "TPS-A1-1"}
    assert codes(lw.monitor_desa) == {"TPS-B1-1"}
    assert selectors.shipment_get(user=lw.monitor_tps, code="tps-a1-1").code == "TPS-A1-1"
    with pytest.raises(selectors.NotFound):
        selectors.shipment_get(user=lw.monitor_tps, code="TPS-A1-2")
    with pytest.raises(selectors.NotFound):
        selectors.shipment_get(user=lw.admin, code="PASER")


def test_reconciliation_counts_dispatch_from_departed_ppk_legs_and_the_most_advanced_receipt(
    lw, world
):
    tps1, tps2 = lw.tps_a1, lw.tps_a1b
    ppk = lw.shipment(
        "PPK-A",
        stage=Stage.KPU_TO_PPK,
        destination=world.kec_a,
        per_tps=[(tps1, "surat_suara_bupati", 390), (tps2, "surat_suara_bupati", 390)],
    )
    lw.shipment(  # planned, not departed: not dispatched
        "PPK-A-2",
        stage=Stage.KPU_TO_PPK,
        destination=world.kec_a,
        status=ShipmentStatus.PLANNED,
        per_tps=[(tps1, "tinta", 1)],
    )
    handed(
        lw,
        ppk,
        {("surat_suara_bupati", tps1): (390, 0, 0), ("surat_suara_bupati", tps2): (390, 0, 0)},
    )
    kpps = lw.shipment("KPPS-1", tps=tps1, items={"surat_suara_bupati": 390})
    handed(lw, kpps, {("surat_suara_bupati", None): (380, 5, 10)})

    result = selectors.reconciliation_for(user=lw.analyst, region=world.kec_a)
    line1 = result.by_tps[tps1.pk]["surat_suara_bupati"]
    assert (line1.required, line1.dispatched, line1.received, line1.damaged, line1.missing) == (
        390,
        390,
        380,
        5,
        10,
    )
    assert result.by_tps[tps1.pk]["tinta"].dispatched == 0
    line2 = result.by_tps[tps2.pk]["surat_suara_bupati"]
    assert (line2.received, line2.usable, line2.shortage) == (390, 390, 0)
    # No governor ballots reached either TPS yet: both are flagged red.
    assert {tps1.pk, tps2.pk} <= result.ballot_short
    assert result.by_desa[world.desa_a1.code].shortage["surat_suara_bupati"] == 15
    assert set(result.by_desa) == {world.desa_a1.code, world.desa_a2.code}
    assert result.total.tps == 4

    # A field monitor sees only their TPS.
    mine = selectors.reconciliation_for(user=lw.monitor_tps, region=world.desa_a1)
    assert set(mine.by_tps) == {tps1.pk}


def test_changing_dpt_changes_the_reconciliation_at_once(lw, world):
    before = selectors.reconciliation_for(user=lw.admin, region=world.desa_a1)
    assert before.by_tps[lw.tps_a1.pk]["surat_suara_gubernur"].required == 390
    lw.tps_a1.dpt_male, lw.tps_a1.dpt_female = 125, 125
    lw.tps_a1.save()
    after = selectors.reconciliation_for(user=lw.admin, region=world.desa_a1)
    assert after.by_tps[lw.tps_a1.pk]["surat_suara_gubernur"].required == 257


def test_at_risk_ranks_very_vulnerable_places_first_then_voters(lw, world):
    now = wita(2024, 11, 26, 12)
    lw.tps_b1.vulnerability = "sangat_rawan"
    lw.tps_b1.save()
    # Planned to arrive after H-1 end: at risk.
    lw.shipment("LATE-A", tps=lw.tps_a1, departure=wita(2024, 11, 26, 20), hours=6)
    lw.shipment("LATE-B", tps=lw.tps_b1, departure=wita(2024, 11, 26, 20), hours=6, mode="longboat")
    lw.shipment("SAFE", tps=lw.tps_a1b, departure=wita(2024, 11, 26, 13), hours=2)
    lw.shipment(
        "DONE",
        tps=world.tps[world.desa_b2.code][0],
        status=ShipmentStatus.HANDED_OVER,
        actual_departure=wita(2024, 11, 25, 8),
        actual_arrival=wita(2024, 11, 25, 12),
    )
    rows = selectors.shipments_at_risk(user=lw.analyst, now=now)
    assert [r.shipment.code for r in rows] == ["LATE-B", "LATE-A"]
    assert rows[0].vulnerability == "sangat_rawan" and rows[0].voters == 380
    assert rows[0].prediction.at_risk and rows[0].prediction.slack_seconds < 0
    assert [r.shipment.code for r in selectors.shipments_at_risk(user=lw.monitor_tps, now=now)] == [
        "LATE-A"
    ]
    assert (
        selectors.shipments_at_risk(user=lw.analyst, region=world.kec_b.code, now=now)[
            0
        ].shipment.code
        == "LATE-B"
    )


def test_history_of_a_route_stretches_the_prediction(lw, world):
    now = wita(2024, 11, 25, 8)
    for n in range(3):  # the river to Long Bentuq takes three times the plan
        lw.shipment(
            f"HIST{n}",
            stage=Stage.KPU_TO_PPK,
            destination=world.kec_b,
            mode="river_boat",
            status=ShipmentStatus.HANDED_OVER,
            departure=wita(2024, 11, 20 + n, 8),
            hours=10,
            actual_departure=wita(2024, 11, 20 + n, 8),
            actual_arrival=wita(2024, 11, 21 + n, 14),
        )
    lw.shipment(
        "OPEN",
        stage=Stage.KPU_TO_PPK,
        destination=world.kec_b,
        mode="river_boat",
        status=ShipmentStatus.PLANNED,
        departure=wita(2024, 11, 25, 8),
        hours=10,
    )
    predictions = selectors.predictions_by_shipment(user=lw.admin, now=now)
    (prediction,) = predictions.values()
    assert prediction.basis == "route" and prediction.factor == pytest.approx(3.0)
    assert prediction.predicted_arrival == now + dt.timedelta(hours=30)


def test_without_a_voting_day_nothing_is_at_risk(lw):
    from siaga.core.models import Deployment

    Deployment.objects.all().delete()
    lw.shipment("LATE", departure=wita(2024, 11, 26, 20), hours=6)
    assert selectors.shipments_at_risk(user=lw.admin, now=wita(2024, 11, 26, 12)) == []


def test_replacements_follow_the_shipments_the_user_sees(lw, world):
    from siaga.logistics.models import ReplacementRequest

    for code, tps in (("A", lw.tps_a1), ("B", lw.tps_a1b)):
        shipment = lw.shipment(code, tps=tps)
        ReplacementRequest.objects.create(
            shipment=shipment,
            item=lw.items["tinta"],
            tps=tps,
            region=tps.desa,
            quantity=1,
            reason="kekurangan",
            assigned_agency=lw.kpu,
            deadline=wita(2024, 11, 26, 23, 59),
        )
    assert selectors.replacements_visible(user=lw.analyst).count() == 2
    assert [r.shipment.code for r in selectors.replacements_visible(user=lw.monitor_tps)] == ["A"]


def test_the_map_layer_gives_percent_supplied_per_child_and_moving_shipments(lw, world):
    kpps = lw.shipment("FULL", tps=lw.tps_a1, status=ShipmentStatus.IN_TRANSIT)
    kpps.last_lat, kpps.last_lon = 0.55, 117.55
    kpps.save()
    lw.shipment("LATE", tps=lw.tps_b1, departure=wita(2024, 11, 26, 20), hours=6)
    layer = selectors.logistics_layer(user=lw.analyst, region=world.regency, now=wita(2024, 11, 26))
    assert [r["code"] for r in layer["regions"]] == [world.kec_a.code, world.kec_b.code]
    assert all(r["percent_supplied"] == 0.0 and r["tps"] == 4 for r in layer["regions"])
    moving = {s["code"]: s for s in layer["shipments"]}
    assert moving["FULL"]["lat"] == 0.55 and not moving["FULL"]["at_risk"]
    assert moving["LATE"]["at_risk"] and moving["LATE"]["destination_tps"] == "TPS 001"
    by_desa = selectors.logistics_layer(user=lw.analyst, region=world.kec_a)
    assert [r["code"] for r in by_desa["regions"]] == [world.desa_a1.code, world.desa_a2.code]
