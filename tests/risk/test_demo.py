"""The Kutai Timur demo's risk map (siaga.demo.risk plus the live signals of the other modules):
the remote river kecamatan stand out for their access, power and late shipments, Sangatta
Utara's rawan TPS name the roll among their reasons, every rawan TPS is explained, alerts are in
the feed, and loading the demo again changes no category.

The demo takes about ten seconds to load, so one test loads it and checks everything."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from siaga.core.audit import AuditContext
from siaga.demo import kutai_timur as facts
from siaga.demo.services import demo_load, demo_now
from siaga.risk.compute import risk_recompute
from siaga.risk.models import AreaRisk, RiskAlert, TpsRisk
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Tps

pytestmark = pytest.mark.django_db

LONG_LEES = "64.08.06"  # Busang in the code list, upstream of Long Lees
SANGATTA_UTARA = "64.08.04"
ROLL = {"hak_pilih.dptb", "hak_pilih.dpk", "hak_pilih.tms", "hak_pilih.pemilih_ganda"}
REMOTE = {"lokasi.sulit_dijangkau", "listrik.padam", "logistik.terlambat"}


@pytest.fixture(autouse=True)
def _needs_code_list():
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _codes(risk: TpsRisk) -> set[str]:
    return {code for code, _v, _p in risk.explanation}


def _categories() -> dict[int, tuple[str, str]]:
    return {
        pk: (category, vulnerability)
        for pk, category, vulnerability in TpsRisk.objects.values_list(
            "tps_id", "category", "tps__vulnerability"
        )
    }


def test_the_demo_risk_map_is_believable_explained_and_stable():
    context = AuditContext.cli()
    summary = demo_load(context=context, national_regions=False, media=False)
    risks = list(TpsRisk.objects.select_related("tps"))
    areas = {a.region_id: a for a in AreaRisk.objects.filter(region__level=Level.DISTRICT)}
    ranking = sorted(areas, key=lambda code: -areas[code].score)

    # The remote river kecamatan are the six highest of the regency, Long Lees first, and every
    # one of Long Lees's TPS is flagged for being hard to reach, without power, its boat late.
    assert set(ranking[:6]) == facts.REMOTE_KECAMATAN
    assert ranking[0] == LONG_LEES and areas[LONG_LEES].category == "rawan"
    long_lees = [r for r in risks if r.tps.desa_id.startswith(LONG_LEES + ".")]
    assert long_lees and all(r.category != "aman" for r in long_lees)
    assert all(_codes(r) >= REMOTE for r in long_lees)
    late = Counter(r.tps.desa_id[:8] for r in risks if "logistik.terlambat" in _codes(r))
    assert set(late) <= facts.REMOTE_KECAMATAN and late[LONG_LEES] == len(long_lees)

    # Sangatta Utara's rawan TPS are the seat's most crowded (500 voters or more: the roll plus
    # the candidates' posts and the officials' quarter nearby) and the mine's desa; all name the
    # roll (DPTb, DPK, TMS) among their reasons. The roll alone keeps a TPS under the rawan line
    # (at most 4 + 4 + 8 + 2 = 18 points).
    sangatta = [r for r in risks if r.tps.desa_id.startswith(SANGATTA_UTARA + ".")]
    rawan = [r for r in sangatta if r.category != "aman"]
    assert rawan and all({"hak_pilih.dptb", "hak_pilih.dpk", "hak_pilih.tms"} <= _codes(r)
                         for r in rawan)  # fmt: skip
    crowded = {r.tps_id for r in sangatta if r.tps.dpt_total >= 500}
    assert crowded and all(r.category != "aman" for r in sangatta if r.tps_id in crowded)
    assert all("lokasi.dekat_paslon" in _codes(r) for r in rawan if r.tps_id in crowded)
    assert {r.tps.desa_id for r in rawan if r.tps_id not in crowded} == {"64.08.04.2012"}
    roll_only = [r for r in sangatta if _codes(r) and _codes(r) <= ROLL | {
        "hak_pilih.penyelenggara", "hak_pilih.disabilitas"}]  # fmt: skip
    assert roll_only and max(r.score for r in roll_only) < settings.SIAGA_RISK_RAWAN

    # Every rawan or sangat rawan TPS is explained: its reasons add up to (at least) its score.
    for risk in risks:
        if risk.category != "aman":
            assert risk.explanation, risk.tps_id
            assert sum(p for _c, _v, p in risk.explanation) >= risk.score - 0.01
    # The two kecamatan nobody mapped stay "belum dinilai" where no live signal lifts them.
    unmapped = Tps.objects.filter(desa__parent_id__in=facts.UNRATED_KECAMATAN)
    assert set(unmapped.values_list("vulnerability", flat=True)) == {""}

    # What rose since "yesterday" (the mapping alone) is in the alert feed.
    alerts = list(RiskAlert.objects.all())
    assert summary.risk_alerts == len(alerts) >= 1
    assert any(a.region_id == LONG_LEES for a in alerts)
    assert {a.region_id[:8] for a in alerts} <= facts.REMOTE_KECAMATAN

    # Loading the demo again changes no category, and recomputing at the demo's moment neither.
    before = _categories()
    demo_load(context=context, national_regions=False, media=False)
    assert _categories() == before
    run = risk_recompute(context=context, prefix=facts.REGENCY_CODE, now=demo_now())
    assert (run.changed, run.alerts) == (0, 0)
    assert _categories() == before
    assert RiskAlert.objects.count() == len(alerts)
