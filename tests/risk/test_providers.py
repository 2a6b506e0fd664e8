"""The live providers, each fed with real rows of its module: what counts, where it counts, and
what does not; and a provider whose module is not installed is left out."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from siaga.core.audit import AuditContext
from siaga.logistics.choices import ReplacementStatus, ShipmentStatus
from siaga.logistics.models import ReplacementRequest
from siaga.media.choices import ReviewStatus, SourceKind
from siaga.media.models import Post, Source
from siaga.risk import providers
from siaga.risk.models import RiskRun, TpsRisk
from siaga.voters.models import DuplicatePair, PairStatus, Voter
from siaga.wilayah.models import Tps
from tests.logistics.world import LogisticsWorld
from tests.risk.conftest import NOW, wita

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def points(tps, code: str) -> float:
    """The points ``code`` gives ``tps`` in its stored explanation (0 when absent)."""
    explanation = TpsRisk.objects.get(tps=tps).explanation
    return next((p for c, _v, p in explanation if c == code), 0.0)


def value(tps, code: str) -> float:
    explanation = TpsRisk.objects.get(tps=tps).explanation
    return next((v for c, v, _p in explanation if c == code), 0.0)


# --- voters -------------------------------------------------------------------------------------


def _voter(tps, name: str) -> Voter:
    n = next(_numbers)
    return Voter.objects.create(
        voter_id=f"RV{n:05d}",
        nik=f"640804120590{n:04d}",
        name=name,
        birth_date=dt.date(1990, 5, 12),
        sex="L",
        desa=tps.desa,
        tps=tps,
    )


def _pair(a: Voter, b: Voter, klass: str, status: str) -> DuplicatePair:
    left, right = sorted((a, b), key=lambda v: v.pk)
    return DuplicatePair.objects.create(
        voter_l=left, voter_r=right, klass=klass, probability=0.97, status=status
    )


def test_a_confirmed_double_registration_flags_both_tps_and_a_suspected_one_does_not(rw):
    _pair(_voter(rw.a1, "SITI AMINAH"), _voter(rw.b1, "SITI AMINAH"), "K1", PairStatus.CONFIRMED)
    _pair(_voter(rw.a2, "RUDI HARTONO"), _voter(rw.a2b, "RUDY HARTONO"), "K3", PairStatus.SUSPECTED)
    _pair(_voter(rw.b2, "AHMAD FAUZI"), _voter(rw.b2, "RIZAL FIRMAN"), "K2", PairStatus.CONFIRMED)
    rw.recompute()
    assert points(rw.a1, "hak_pilih.pemilih_ganda") == points(rw.b1, "hak_pilih.pemilih_ganda")
    assert points(rw.a1, "hak_pilih.pemilih_ganda") == 12.0
    assert TpsRisk.objects.get(tps=rw.a1).category == "aman"  # 12 < 25
    assert Tps.objects.get(pk=rw.a1.pk).vulnerability == ""  # live signal, still aman: unmapped
    for quiet in (rw.a2, rw.a2b, rw.b2, rw.a1b):  # suspected K3, confirmed K2 (a data error)
        assert TpsRisk.objects.get(tps=quiet).score == 0.0


# --- incidents ----------------------------------------------------------------------------------


def test_verified_incidents_count_by_category_at_their_tps_or_every_tps_of_their_desa(rw):
    rw.incident("kekerasan", tps=rw.a1, at=NOW - dt.timedelta(hours=5))
    rw.incident("intimidasi", tps=rw.a1, at=NOW - dt.timedelta(days=3), state="selesai")
    rw.incident("politik-uang", desa=rw.w.desa_b1, at=NOW - dt.timedelta(days=1))  # no TPS
    rw.incident("bencana-gangguan", tps=rw.a2, state="ditindaklanjuti")
    # not counted: received but not verified, rejected, outside the 14-day window, no indicator
    rw.incident("kekerasan", tps=rw.a1b, state="diterima")
    rw.incident("kekerasan", tps=rw.a1b, state="ditolak")
    rw.incident("kekerasan", tps=rw.a2b, at=NOW - dt.timedelta(days=15))
    rw.incident("lainnya", tps=rw.b2)
    rw.recompute()

    # keamanan.insiden: weight 20, full at 2; kekerasan and intimidasi share it
    assert (value(rw.a1, "keamanan.insiden"), points(rw.a1, "keamanan.insiden")) == (2.0, 20.0)
    # politik_uang.laporan: weight 15, full at 2, for both TPS of the desa
    assert points(rw.b1, "politik_uang.laporan") == points(rw.b1b, "politik_uang.laporan") == 7.5
    assert points(rw.a2, "listrik.gangguan") == 5.0  # weight 5, full at 1
    for quiet in (rw.a1b, rw.a2b, rw.b2, rw.b2b):
        assert TpsRisk.objects.get(tps=quiet).score == 0.0


def test_an_incident_after_the_computation_moment_is_not_counted(rw):
    rw.incident("kekerasan", tps=rw.a1, at=NOW)
    rw.recompute(now=NOW - dt.timedelta(hours=1))
    assert TpsRisk.objects.get(tps=rw.a1).score == 0.0


# --- logistics ----------------------------------------------------------------------------------


def test_late_shipments_and_open_replacement_requests_count_at_their_tps(rw):
    lw = LogisticsWorld(rw.w)
    now = wita(2024, 11, 26, 12)
    lw.shipment("LATE", tps=rw.b1, departure=wita(2024, 11, 26, 20), hours=6)  # misses H-1
    lw.shipment("SAFE", tps=rw.b1b, departure=wita(2024, 11, 26, 13), hours=2)
    lw.shipment(
        "DONE",
        tps=rw.b2,
        status=ShipmentStatus.HANDED_OVER,
        actual_departure=wita(2024, 11, 25, 8),
        actual_arrival=wita(2024, 11, 25, 12),
    )

    def replacement(shipment_tps, status, *, tps=True):
        return ReplacementRequest.objects.create(
            shipment=lw.shipment(f"R-{next(_numbers)}", tps=shipment_tps, status="handed_over"),
            item=lw.items["tinta"],
            tps=shipment_tps if tps else None,
            region=shipment_tps.desa,
            quantity=1,
            reason="kekurangan",
            assigned_agency=lw.kpu,
            deadline=wita(2024, 11, 26, 23, 59),
            status=status,
        )

    replacement(rw.a1, ReplacementStatus.OPEN)
    replacement(rw.a1b, ReplacementStatus.FULFILLED)
    replacement(rw.a2, ReplacementStatus.IN_PROGRESS, tps=False)  # for the whole desa
    rw.recompute(now=now)

    assert points(rw.b1, "logistik.terlambat") == 15.0
    assert points(rw.b1b, "logistik.terlambat") == 0.0
    assert points(rw.b2, "logistik.terlambat") == 0.0
    assert points(rw.a1, "logistik.kurang") == 10.0
    assert points(rw.a1b, "logistik.kurang") == 0.0
    assert points(rw.a2, "logistik.kurang") == points(rw.a2b, "logistik.kurang") == 10.0


# --- media --------------------------------------------------------------------------------------


def _post(source, region: str, labels: list[str], *, at=NOW, verdict: str = "", places=None):
    n = next(_numbers)
    return Post.objects.create(
        source=source,
        platform="x",
        external_id=f"risk-{n}",
        text=f"Unggahan uji nomor {n}",
        posted_at=at,
        scores=dict.fromkeys(labels, 0.9),
        labels=labels,
        label_key="".join(f"|{label}|" for label in labels).replace("||", "|"),
        region_id=region,
        places=[region] if places is None else places,
        verdict=verdict,
    )


def test_flagged_posts_naming_a_place_count_for_its_tps_and_a_confirmed_hoax_twice(rw):
    source = Source.objects.create(
        name="Perayap uji", slug="perayap-uji", kind=SourceKind.WEBHOOK, platform="x",
        region=rw.w.regency,
    )  # fmt: skip
    w = rw.w
    _post(source, w.desa_a1.code, ["hoaks"], at=NOW - dt.timedelta(hours=2))
    _post(source, w.desa_a2.code, ["hoaks"], verdict=ReviewStatus.HOAX)
    _post(source, w.kec_b.code, ["provokasi", "sara"])  # one post, two labels
    # not counted: the regency only, politik alone, no place named, older than the window
    _post(source, w.regency.code, ["hoaks", "provokasi"])
    _post(source, w.desa_b1.code, ["politik"])
    _post(source, w.desa_b1.code, ["hoaks"], places=[])
    _post(source, w.desa_b2.code, ["hoaks"], at=NOW - dt.timedelta(days=20))
    rw.recompute()

    # sara.medsos: weight 10, full at 10 posts
    assert value(rw.a1, "sara.medsos") == value(rw.a1b, "sara.medsos") == 1.0
    assert value(rw.a2, "sara.medsos") == value(rw.a2b, "sara.medsos") == 2.0
    assert points(rw.a2, "sara.medsos") == 2.0
    assert value(rw.b1, "sara.medsos") == 2.0  # provokasi + sara of the kecamatan's post
    assert value(rw.b2b, "sara.medsos") == 2.0  # a post older than the window adds nothing
    assert TpsRisk.objects.get(tps=rw.paser).score == 0.0


# --- checklists ---------------------------------------------------------------------------------


def test_a_checklist_missing_after_its_due_time_counts_and_one_not_yet_due_does_not(rw):
    from siaga.checklists.catalogue import checklist_templates_seed
    from siaga.checklists.choices import Phase
    from siaga.checklists.models import ChecklistTemplate
    from siaga.checklists.services import checklist_submit
    from tests.checklists.conftest import set_clock
    from tests.checklists.test_selectors import H1_ANSWERS

    rw.deployment()
    checklist_templates_seed(context=AuditContext.cli())
    h1 = ChecklistTemplate.objects.get(phase=Phase.H_MINUS_1, active=True)
    set_clock(wita(2024, 11, 26, 10, 0))
    checklist_submit(
        context=AuditContext(actor=rw.analyst),
        user=rw.analyst,
        tps_id=rw.a1.pk,
        template_id=h1.pk,
        answers=H1_ANSWERS,
        idempotency_key="h1-a1",
    )
    rw.recompute(now=wita(2024, 11, 26, 17, 0))  # H-1 lists are due at 18:00
    assert TpsRisk.objects.get(tps=rw.a1b).score == 0.0

    rw.recompute(now=wita(2024, 11, 26, 19, 0))
    assert points(rw.a1, "pengawasan.checklist") == 0.0  # sent on time
    assert value(rw.a1b, "pengawasan.checklist") == 1.0
    assert points(rw.a1b, "pengawasan.checklist") == 3.0  # weight 6, full at 2


# --- wilayah ------------------------------------------------------------------------------------


def test_a_special_location_tps_counts(rw):
    Tps.objects.filter(pk=rw.b2.pk).update(special_location="lapas")
    rw.recompute()
    assert TpsRisk.objects.get(tps=rw.b2).explanation == [["lokasi.khusus", 1.0, 5.0]]
    assert TpsRisk.objects.get(tps=rw.b2b).score == 0.0


# --- a module not installed ---------------------------------------------------------------------


class AbsentProvider:
    """A provider of a module this deployment does not have: it must never be asked."""

    source, app = "absent", "siaga.notinstalled"

    def collect(self, ctx):
        raise AssertionError("a provider of a module not installed was asked for values")


def test_a_provider_whose_module_is_not_installed_provides_nothing(rw, settings):
    settings.SIAGA_RISK_PROVIDERS = [
        "tests.risk.test_providers.AbsentProvider",
        "siaga.risk.providers.WilayahProvider",
    ]
    assert [type(p).__name__ for p in providers.providers_active()] == ["WilayahProvider"]
    Tps.objects.filter(pk=rw.b2.pk).update(special_location="rumah_sakit")
    rw.map(rw.a1, hak_pilih__tms=1)
    run = rw.recompute()
    assert run.providers == ["wilayah"]
    assert RiskRun.objects.get().tps == 10
    assert TpsRisk.objects.get(tps=rw.b2).score == 5.0
    assert TpsRisk.objects.get(tps=rw.a1).score == 8.0


def test_every_default_provider_is_active_in_this_deployment(settings):
    names = {type(p).__name__ for p in providers.providers_active()}
    assert names == {
        "VotersProvider", "IncidentsProvider", "LogisticsProvider", "MediaProvider",
        "ChecklistsProvider", "WilayahProvider",
    }  # fmt: skip
