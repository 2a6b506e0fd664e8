"""The demo's logistics on the morning of H-3: a realistic plan, shipments on the way, one late
longboat to a remote kecamatan, one shortage with its replacement request; deterministic and
idempotent."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from siaga.accounts.models import User
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from siaga.demo import kutai_timur as facts
from siaga.demo.services import demo_load
from siaga.logistics.models import (
    Handover,
    HandoverLine,
    ReplacementRequest,
    Shipment,
    ShipmentLine,
)
from siaga.logistics.selectors import shipments_at_risk
from siaga.wilayah.models import Region, Tps

WITA = ZoneInfo("Asia/Makassar")
H_MINUS_1_END = dt.datetime(2024, 11, 26, 23, 59, tzinfo=WITA)
NOW = dt.datetime(2024, 11, 24, 10, 0, tzinfo=WITA)
FARTHEST_FIRST = [
    "Batu Ampar",
    "Muara Bengkal",
    "Muara Ancalong",
    "Sandaran",
    "Busang",
    "Long Mesangat",
    "Sangkulirang",
]


@pytest.fixture(autouse=True)
def _needs_code_list():
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load():
    return demo_load(context=AuditContext.cli(), national_regions=False, media=False)


def _first_legs() -> list[Shipment]:
    return list(
        Shipment.objects.filter(stage="kpu_ppk")
        .select_related("destination_region")
        .order_by("planned_departure", "code")
    )


def test_the_h_minus_3_picture(db):
    summary = _load().logistics
    legs = _first_legs()

    # A leg from the KPU warehouse to every one of the 18 PPK, farthest first, Sangatta Utara
    # last, between 23 and 26 November.
    assert len(legs) == 18
    assert {leg.destination_region_id for leg in legs} == set(facts.KECAMATAN)
    names = [leg.destination_region.name for leg in legs]
    assert names[: len(FARTHEST_FIRST)] == FARTHEST_FIRST
    assert names[-1] == "Sangatta Utara"
    days = {leg.planned_departure.astimezone(WITA).day for leg in legs}
    assert days == {23, 24, 25, 26}
    assert all(leg.origin_region_id == "64.08" for leg in legs)
    modes = {leg.destination_region.name: leg.mode for leg in legs}
    assert modes["Busang"] == modes["Long Mesangat"] == "longboat"
    assert modes["Muara Ancalong"] == modes["Muara Bengkal"] == "river_boat"
    assert modes["Sandaran"] == "speedboat" and modes["Sangatta Utara"] == "road"
    for leg in legs:
        hours = (leg.planned_arrival - leg.planned_departure).total_seconds() / 3600
        assert (2 <= hours <= 10) if leg.mode == "road" else (8 <= hours <= 30), leg.code
        assert leg.carrier and leg.escort

    # Every TPS is served by the three legs, and every leg arrives by H-1 in the plan.
    assert Shipment.objects.filter(stage="ppk_pps").count() == 141
    assert Shipment.objects.filter(stage="pps_kpps").count() == 701
    assert not Shipment.objects.filter(planned_arrival__gt=H_MINUS_1_END).exists()

    # The far kecamatan left on 23 November and were handed over; completed legs carry their
    # actual times, the history the delay prediction learns from.
    status = {leg.destination_region.name: leg.status for leg in legs}
    for name in ("Batu Ampar", "Muara Bengkal", "Sandaran", "Long Mesangat"):
        assert status[name] == "handed_over", name
    done = Shipment.objects.filter(status__in=["arrived", "handed_over"])
    assert done.count() >= 10
    assert not done.filter(actual_departure__isnull=True).exists()
    assert not done.filter(actual_arrival__isnull=True).exists()
    assert not Shipment.objects.filter(actual_arrival__gt=NOW).exists()
    # The nearer kecamatan wait for 25 and 26 November.
    for name in ("Sangatta Utara", "Sangatta Selatan", "Teluk Pandan", "Bengalon"):
        assert status[name] == "planned", name

    # Some are on the way, each with a last known position between its two ends.
    moving = Shipment.objects.filter(status="in_transit").select_related("destination_region")
    assert moving.count() >= 3
    for shipment in moving:
        assert shipment.actual_departure and shipment.last_position_at
        assert shipment.actual_departure <= shipment.last_position_at <= NOW
        end = shipment.destination_region
        start = (
            facts.WAREHOUSE_POINT
            if shipment.stage == "kpu_ppk"
            else (facts.KECAMATAN[shipment.origin_region_id].lat,
                  facts.KECAMATAN[shipment.origin_region_id].lon)
        )  # fmt: skip
        end_point = (
            (facts.KECAMATAN[end.code].lat, facts.KECAMATAN[end.code].lon)
            if shipment.stage == "kpu_ppk"
            else (end.lat, end.lon)
        )
        for i, value in enumerate((shipment.last_lat, shipment.last_lon)):
            low, high = sorted((start[i], end_point[i]))
            assert low - 1e-6 <= value <= high + 1e-6, shipment.code

    # The longboat to Busang is held up and late: the at-risk list has it, first (its
    # kecamatan has sangat rawan TPS), along with other shipments to remote kecamatan.
    kpu = User.objects.get(username="kpu.logistik")
    rows = shipments_at_risk(user=kpu, region="64.08", now=NOW)
    codes = [row.shipment.code for row in rows]
    busang = next(leg for leg in legs if leg.destination_region.name == "Busang")
    assert busang.status == "in_transit" and busang.planned_arrival < NOW
    assert busang.code in codes
    row = rows[codes.index(busang.code)]
    assert row.prediction.late and row.vulnerability == "sangat_rawan"
    assert row.prediction.predicted_arrival > NOW
    assert codes[0] == busang.code
    remote = [r for r in rows if r.shipment.destination_region_id[:8] in facts.REMOTE_KECAMATAN]
    assert remote
    # Not only late: the replacement ballots' last run upriver to Melan is predicted to miss
    # H-1 at its TPS although its plan makes it, from how longboats have run so far.
    predicted_miss = [r for r in remote if r.prediction.at_risk]
    assert [r.shipment.destination_region_id for r in predicted_miss] == [facts.SHORTAGE.desa]
    miss = predicted_miss[0]
    assert miss.shipment.planned_arrival < H_MINUS_1_END < miss.prediction.predicted_at_destination
    assert miss.vulnerability == "sangat_rawan"
    assert summary.at_risk == codes and busang.code in summary.at_risk_remote

    # Exactly one shortage: 150 surat suara bupati missing at the PPK of Long Mesangat, for
    # TPS 001 Melan, with one open replacement request to the KPU due before H-1.
    short = HandoverLine.objects.filter(missing__gt=0)
    assert short.count() == 1
    line = short.get()
    assert line.missing == 150 and line.item.code == "surat_suara_bupati"
    assert (line.tps.desa_id, line.tps.number) == ("64.08.18.2005", 1)
    sent = ShipmentLine.objects.get(
        shipment=line.handover.shipment, item=line.item, tps=line.tps
    ).quantity
    assert line.received == sent - 150
    assert line.handover.shipment.destination_region.name == "Long Mesangat"
    request = ReplacementRequest.objects.get()
    assert request.status == "open" and request.reason == "kekurangan"
    assert request.quantity == 150 and request.tps_id == line.tps_id
    assert request.assigned_agency.kind == "kpu"
    assert NOW < request.deadline < H_MINUS_1_END
    assert "150" in summary.shortage
    # Every other handover counted exactly what was sent.
    assert not HandoverLine.objects.filter(damaged__gt=0).exists()
    assert Handover.objects.count() == Shipment.objects.filter(status="handed_over").count()

    # Vulnerability: a handful of sangat rawan, some rawan, the rest aman or not yet rated.
    ratings = summary.tps_by_vulnerability
    assert 3 <= ratings["sangat_rawan"] <= 10
    assert 20 <= ratings["rawan"] <= 100
    assert ratings["aman"] > 500 and ratings.get("", 0) > 0
    assert Tps.objects.get(desa_id="64.08.18.2005", number=1).vulnerability == "sangat_rawan"

    assert audit_verify().ok


def test_every_tps_gets_what_the_rules_require_on_every_leg(db):
    _load()
    tps = {t.pk: t.dpt_total for t in Tps.objects.all()}
    assert len(tps) == 701
    for stage in ("kpu_ppk", "ppk_pps", "pps_kpps"):
        ballots = dict(
            ShipmentLine.objects.filter(
                shipment__stage=stage, item__code="surat_suara_bupati"
            ).values_list("tps_id", "quantity")
        )
        assert set(ballots) == set(tps), stage
        for tps_id, dpt in tps.items():
            assert ballots[tps_id] == -(-dpt * 1025 // 1000), (stage, tps_id)
        # Twelve items for every TPS on every leg.
        assert ShipmentLine.objects.filter(shipment__stage=stage).count() == 701 * 12


def _state() -> dict:
    return {
        "shipments": list(Shipment.objects.order_by("code").values()),
        "lines": list(ShipmentLine.objects.order_by("pk").values()),
        "handovers": list(Handover.objects.order_by("pk").values()),
        "handover_lines": list(HandoverLine.objects.order_by("pk").values()),
        "replacements": list(ReplacementRequest.objects.order_by("pk").values()),
        "vulnerability": list(Tps.objects.order_by("pk").values_list("pk", "vulnerability")),
    }


def test_a_second_load_changes_nothing(db):
    first = _load().logistics
    assert first.created > 25_000
    before, events = _state(), AuditEvent.objects.count()
    assert AuditEvent.objects.filter(action="demo.logistics").count() == 1
    again = _load().logistics
    assert again.changed == 0
    assert _state() == before
    assert [e.action for e in AuditEvent.objects.filter(seq__gt=events)] == ["demo.load"]
    assert again.by_status == first.by_status and again.at_risk == first.at_risk
    assert audit_verify().ok


def test_the_demo_command_prints_the_logistics(db, capsys):
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("siaga.demo.management.commands.demo.call_command"):
        call_command("demo", "--regency-only")
    out = capsys.readouterr().out
    assert "860 shipments" in out and "shortage: Surat suara bupati kurang 150" in out
    assert "KTM1-06" in out and "kpu.logistik" in out
    assert Region.objects.filter(code="64.08").exists()
