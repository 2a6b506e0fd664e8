"""The field handover (serah terima): refusals change nothing, retries record once, and
discrepancies open replacement requests to the KPU with a deadline."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from siaga.core.audit import audit_verify
from siaga.core.errors import DomainError, PermissionDenied
from siaga.core.models import AuditEvent
from siaga.logistics import services
from siaga.logistics.choices import ReplacementReason, ShipmentStatus, Stage
from siaga.logistics.models import Handover, HandoverLine, ReplacementRequest, Shipment
from siaga.logistics.services import HandoverError, HandoverLineInput, ShipmentUnknown
from tests.logistics.world import CONTEXT, LogisticsWorld, wita

RECEIVED_AT = wita(2024, 11, 25, 8, 0)


@pytest.fixture
def lw(world):
    return LogisticsWorld(world)


@pytest.fixture
def shipment(lw):
    return lw.shipment(
        "KPPS0001",
        tps=lw.tps_a1,
        items={"surat_suara_bupati": 390, "kotak_suara": 2},
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


def full_lines(**over) -> list[HandoverLineInput]:
    ballots = {"received": 390, "damaged": 0, "missing": 0, **over}
    return [
        HandoverLineInput("surat_suara_bupati", None, **ballots),
        HandoverLineInput("kotak_suara", None, received=2),
    ]


def record(user, *, code="KPPS0001", key="key-1", lines=None, **extra):
    return services.handover_record(
        context=CONTEXT,
        user=user,
        shipment_code=code,
        idempotency_key=key,
        received_at=extra.pop("received_at", RECEIVED_AT),
        handed_by="Pak Anwar (PPS)",
        received_by="Bu Sari (KPPS)",
        lines=lines if lines is not None else full_lines(),
        **extra,
    )


def state() -> tuple:
    return (
        Handover.objects.count(),
        HandoverLine.objects.count(),
        ReplacementRequest.objects.count(),
        AuditEvent.objects.count(),
        tuple(Shipment.objects.order_by("pk").values_list("status", flat=True)),
    )


def image_file(fmt: str = "JPEG", name: str = "ba.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_complete_handover_is_recorded_and_hands_the_shipment_over(lw, shipment):
    events = AuditEvent.objects.count()
    result = record(lw.monitor_tps, lat=0.51, lon=117.52)
    assert result.created and not result.replacements
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.HANDED_OVER
    assert shipment.actual_arrival == RECEIVED_AT and shipment.last_lat == 0.51
    lines = {(li.item.code, li.tps_id): li.received for li in result.handover.lines.all()}
    assert lines == {
        ("surat_suara_bupati", lw.tps_a1.pk): 390,
        ("kotak_suara", lw.tps_a1.pk): 2,
    }
    actions = list(
        AuditEvent.objects.filter(seq__gt=events).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["logistics.handover.record", "logistics.shipment.status"]
    assert audit_verify().ok


def test_the_printed_prefix_and_lower_case_are_accepted(lw, shipment):
    assert record(lw.monitor_tps, code="kt-kpps0001").created


def test_a_retry_with_the_same_key_and_body_returns_the_same_handover(lw, shipment):
    first = record(lw.monitor_tps)
    before = state()
    again = record(lw.monitor_tps)
    assert not again.created and again.handover.pk == first.handover.pk
    assert state() == before


def test_the_same_key_with_a_different_body_is_refused(lw, shipment):
    record(lw.monitor_tps)
    before = state()
    with pytest.raises(HandoverError, match="Kunci idempotensi") as caught:
        record(lw.monitor_tps, lines=full_lines(received=380, missing=10))
    assert caught.value.field == "idempotency_key"
    assert state() == before


def test_a_second_handover_of_a_handed_over_shipment_is_refused(lw, shipment):
    record(lw.monitor_tps)
    with pytest.raises(HandoverError, match="sudah berstatus"):
        record(lw.monitor_tps, key="key-2")


def test_a_race_on_the_key_resolves_to_the_existing_handover(lw, shipment, monkeypatch):
    """The unique key is the last line of defence: the loser answers like a retry."""
    first = record(lw.monitor_tps)
    Shipment.objects.filter(pk=shipment.pk).update(status=ShipmentStatus.IN_TRANSIT)
    real = Handover.objects.select_related

    calls = {"n": 0}

    def blind(*args, **kwargs):  # the first two lookups miss, as in a race
        calls["n"] += 1
        qs = real(*args, **kwargs)
        return qs.none() if calls["n"] <= 2 else qs

    monkeypatch.setattr(Handover.objects, "select_related", blind)
    again = record(lw.monitor_tps)
    assert not again.created and again.handover.pk == first.handover.pk
    assert Handover.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "kwargs", "message", "field"),
    [
        ("unknown code", {"code": "ZZZZ9999"}, "tidak dikenal", "shipment_code"),
        (
            "negative count",
            {"lines": full_lines(received=-1)},
            "tidak boleh negatif",
            "lines[0].received",
        ),
        (
            "more received than dispatched",
            {"lines": full_lines(received=391)},
            "melebihi yang dikirim",
            "lines[0].received",
        ),
        (
            "item not on the shipment",
            {"lines": [*full_lines(), HandoverLineInput("tinta", None, 1)]},
            "tidak ada dalam pengiriman",
            "lines[2].item",
        ),
        (
            "missing line",
            {"lines": full_lines()[:1]},
            "belum diisi",
            "lines",
        ),
        (
            "damaged above received",
            {"lines": full_lines(received=10, damaged=11, missing=0)},
            "rusak",
            "lines[0].damaged",
        ),
        (
            "photo not an image",
            {"photo": SimpleUploadedFile("ba.jpg", b"%PDF-1.4 not an image")},
            "bukan gambar",
            "photo",
        ),
        (
            "photo in a format not accepted",
            {"photo": image_file("GIF", "ba.gif")},
            "tidak diterima",
            "photo",
        ),
        ("empty names", {"received_at": RECEIVED_AT, "lines": []}, "kosong", "lines"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_refusals_name_the_field_and_change_nothing(lw, shipment, case, kwargs, message, field):
    before = state()
    with pytest.raises(HandoverError, match=message) as caught:
        record(lw.monitor_tps, **kwargs)
    assert caught.value.field == field
    assert state() == before


def test_a_photo_too_large_is_refused(lw, shipment, monkeypatch):
    monkeypatch.setattr(services, "PHOTO_MAX_BYTES", 20)
    before = state()
    with pytest.raises(HandoverError, match="terlalu besar"):
        record(lw.monitor_tps, photo=image_file("PNG", "ba.png"))
    assert state() == before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_is_stored_with_the_handover(lw, shipment, fmt):
    result = record(lw.monitor_tps, photo=image_file(fmt, f"ba.{fmt.lower()}"))
    assert result.handover.photo.name.startswith("handovers/")
    with result.handover.photo.open("rb") as handle:
        assert Image.open(handle).format == fmt


def test_an_unknown_code_is_refused_as_unknown_for_users_outside_the_scope(lw, world):
    from siaga.accounts.choices import Role

    lw.shipment("PASER001", tps=world.tps[world.desa_other.code][0], items={"tinta": 1})
    with pytest.raises(ShipmentUnknown):
        record(lw.kpu_liaison, code="PASER001", lines=[HandoverLineInput("tinta", None, 1)])
    # A field monitor assigned to TPS 1 does not see the shipment to TPS 2 of the same desa.
    lw.shipment("KPPS0002", tps=lw.tps_a1b, items={"tinta": 1})
    with pytest.raises(ShipmentUnknown):
        record(lw.monitor_tps, code="KPPS0002", lines=[HandoverLineInput("tinta", None, 1)])
    other_monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_b2], username="m-b2")
    with pytest.raises(ShipmentUnknown):
        record(other_monitor, code="KPPS0002", lines=[HandoverLineInput("tinta", None, 1)])


@pytest.mark.parametrize("who", ["analyst", "leadership", "liaison"])
def test_readers_may_not_record_handovers(lw, shipment, who):
    before = state()
    with pytest.raises(PermissionDenied):
        record(getattr(lw, who))
    assert state() == before


def test_kpu_liaisons_and_admins_record_anywhere_in_scope(lw, shipment):
    assert record(lw.kpu_liaison).created
    other = lw.shipment("KPPS0003", tps=lw.tps_b1, items={"tinta": 1})
    assert record(lw.admin, code=other.code, key="k3", lines=[HandoverLineInput("tinta", None, 1)])


def test_a_desa_monitor_receives_the_pps_leg_but_not_the_ppk_leg(lw, world):
    pps = lw.shipment(
        "PPS00001",
        stage=Stage.PPK_TO_PPS,
        destination=world.desa_b1,
        per_tps=[(lw.tps_b1, "tinta", 1)],
    )
    ppk = lw.shipment(
        "PPK00001", stage=Stage.KPU_TO_PPK, destination=world.kec_b, items={"tinta": 4}
    )
    assert record(
        lw.monitor_desa, code=pps.code, lines=[HandoverLineInput("tinta", lw.tps_b1.pk, 1)]
    ).created
    with pytest.raises(ShipmentUnknown):
        record(
            lw.monitor_desa, code=ppk.code, key="k2", lines=[HandoverLineInput("tinta", None, 4)]
        )


def test_shortage_and_damage_open_replacement_requests_to_kpu_with_a_deadline(lw, shipment):
    events = AuditEvent.objects.count()
    result = record(lw.monitor_tps, lines=full_lines(received=380, damaged=3, missing=10))
    requests = {(r.reason, r.item.code): r for r in result.replacements}
    assert set(requests) == {
        (ReplacementReason.KEKURANGAN, "surat_suara_bupati"),
        (ReplacementReason.KERUSAKAN, "surat_suara_bupati"),
    }
    short = requests[(ReplacementReason.KEKURANGAN, "surat_suara_bupati")]
    assert short.quantity == 10 and short.tps_id == lw.tps_a1.pk
    assert short.region_id == lw.tps_a1.desa_id and short.assigned_agency == lw.kpu
    assert requests[(ReplacementReason.KERUSAKAN, "surat_suara_bupati")].quantity == 3
    assert short.deadline == RECEIVED_AT + dt.timedelta(hours=12)  # 25 Nov 20:00 < H-1 end
    actions = list(AuditEvent.objects.filter(seq__gt=events).values_list("action", flat=True))
    assert actions.count("logistics.replacement.open") == 2


def test_received_below_dispatched_without_missing_is_a_shortage_too(lw, shipment):
    result = record(lw.monitor_tps, lines=full_lines(received=385))
    (request,) = result.replacements
    assert request.reason == ReplacementReason.KEKURANGAN and request.quantity == 5


def test_the_deadline_is_at_the_latest_the_end_of_h_minus_1(lw, shipment):
    late_evening = wita(2024, 11, 26, 20, 0)
    result = record(
        lw.monitor_tps, received_at=late_evening, lines=full_lines(received=380, missing=10)
    )
    assert result.replacements[0].deadline == wita(2024, 11, 26, 23, 59)


def test_the_most_specific_kpu_office_is_assigned(lw, shipment, world):
    from siaga.accounts.choices import AgencyKind
    from tests.factories import AgencyFactory

    ppk = AgencyFactory(
        code="ppk-sangatta",
        name="PPK Sangatta Utara",
        kind=AgencyKind.KPU,
        region_id=world.kec_a.code,
    )
    result = record(lw.monitor_tps, lines=full_lines(received=389))
    assert result.replacements[0].assigned_agency == ppk


def test_a_kpu_office_elsewhere_is_assigned_with_a_warning(world):
    lw = LogisticsWorld(world, kpu_office=False)
    office = lw.kpu_liaison.agency  # the only KPU office, moved to another regency
    office.region_id = "64.01"
    office.save()
    lw.shipment("KPPS0001", tps=lw.tps_a1, items={"surat_suara_bupati": 390, "kotak_suara": 2})
    result = record(lw.monitor_tps, lines=full_lines(received=389))
    assert result.created and len(result.replacements) == 1
    assert result.replacements[0].assigned_agency == office
    assert "Tidak ada KPU untuk wilayah tujuan" in result.warnings[0]


def test_without_any_kpu_office_the_handover_is_kept_with_a_warning(world):
    lw = LogisticsWorld(world, kpu_office=False)
    office = lw.kpu_liaison.agency
    office.kind = "pemda"
    office.save()
    lw.shipment("KPPS0001", tps=lw.tps_a1, items={"surat_suara_bupati": 390, "kotak_suara": 2})
    result = record(lw.admin, lines=full_lines(received=389))
    assert result.created and result.replacements == []
    assert ReplacementRequest.objects.count() == 0
    assert "Tidak ada instansi KPU" in result.warnings[0]


def test_a_handover_in_the_future_or_without_names_is_refused(lw, shipment):
    with pytest.raises(HandoverError, match="masa depan"):
        record(lw.monitor_tps, received_at=wita(2099, 1, 1, 8))
    with pytest.raises(DomainError, match="wajib"):
        services.handover_record(
            context=CONTEXT,
            user=lw.monitor_tps,
            shipment_code="KPPS0001",
            idempotency_key="k",
            received_at=RECEIVED_AT,
            handed_by=" ",
            received_by="x",
            lines=full_lines(),
        )
    assert Handover.objects.count() == 0


def test_integrity_errors_other_than_the_key_are_not_swallowed(lw, shipment, monkeypatch):
    def boom(**kwargs):
        raise IntegrityError("other")

    monkeypatch.setattr(services, "_write_handover", boom)
    with pytest.raises(IntegrityError):
        record(lw.monitor_tps)
