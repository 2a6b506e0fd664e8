"""The demo roll: a realistic synthetic DPT sample whose planted double registrations the search
finds, whose twins it leaves alone, with the story's voter on it and two pairs confirmed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from siaga.demo import voters as demo
from siaga.demo.services import demo_load
from siaga.engines.linkage.nik import nik_consistent, parse_nik
from siaga.voters.models import DuplicateClass, DuplicatePair, PairStatus, Voter
from siaga.wilayah.models import Tps

CONTEXT = AuditContext.cli()


@pytest.fixture(autouse=True)
def _needs_code_list():
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")


@pytest.fixture
def loaded(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load(context=CONTEXT, national_regions=False, media=False).voters


def _pair_keys() -> dict[tuple[str, str], DuplicatePair]:
    ids = dict(Voter.objects.values_list("pk", "voter_id"))
    return {
        tuple(sorted((ids[p.voter_l_id], ids[p.voter_r_id]))): p
        for p in DuplicatePair.objects.all()
    }


def test_the_demo_roll_is_a_few_thousand_voters_at_a_sample_of_tps(loaded):
    assert 8_000 <= loaded.voters <= 15_000
    assert loaded.voters == Voter.objects.filter(voter_id__startswith="DEMO-").count()
    assert 15 <= loaded.tps_covered <= 25
    assert loaded.desa_covered == 3
    assert loaded.tps_covered < Tps.objects.count()  # a sample, said so in the summary
    assert loaded.planted_duplicates == pytest.approx(loaded.voters / 100, rel=0.1)


def test_families_share_an_nkk_and_an_address_and_niks_match_birth_date_and_sex(loaded):
    households: dict[str, set[str]] = {}
    rows = Voter.objects.exclude(voter_id__startswith=demo.COPY_PREFIX)
    for nkk, address in rows.values_list("nkk", "address"):
        households.setdefault(nkk, set()).add(address)
    sizes = Counter(rows.values_list("nkk", flat=True))
    assert sum(1 for n in sizes.values() if n >= 3) > 500  # families, not lone voters
    assert all(len(addresses) == 1 for addresses in households.values())  # one home a family
    inconsistent = 0
    checked = 0
    for voter in Voter.objects.exclude(voter_id__startswith=demo.COPY_PREFIX).iterator():
        checked += 1
        parts = parse_nik(voter.nik, reference=dt.date(2024, 11, 27))
        if nik_consistent(parts, birth_date=voter.birth_date, sex=voter.sex):
            inconsistent += 1
    # Only the K2 copies (a relative's NIK on another member) disagree with their rows.
    assert inconsistent <= loaded.k2_copies
    assert checked > 8_000


def test_every_voter_is_old_enough_or_married_on_voting_day(loaded):
    seventeen = dt.date(2024 - 17, 11, 27)
    young_single = Voter.objects.filter(birth_date__gt=seventeen, marital_status="B")
    assert not young_single.exists()


def test_the_planted_double_registrations_are_found_and_the_twins_are_not(loaded):
    pairs = _pair_keys()
    found = [tuple(sorted(p)) in pairs for p in loaded.duplicates]
    assert sum(found) / len(found) >= 0.85
    for twin in loaded.twins:
        assert tuple(sorted(twin)) not in pairs, twin
    for copy in loaded.k2:
        assert pairs[tuple(sorted(copy))].klass == DuplicateClass.K2
    # Most of what the queue holds is planted: an analyst's morning is not spent on noise.
    truth = {tuple(sorted(p)) for p in loaded.duplicates + loaded.k2}
    assert sum(key in truth for key in pairs) / len(pairs) >= 0.9


def test_the_analyst_confirmed_two_planted_pairs(loaded):
    confirmed = DuplicatePair.objects.filter(status=PairStatus.CONFIRMED).select_related(
        "voter_l", "voter_r", "decided_by"
    )
    assert len(confirmed) == 2 == loaded.confirmed
    planted = {tuple(sorted(p)) for p in loaded.duplicates}
    for pair in confirmed:
        assert tuple(sorted((pair.voter_l.voter_id, pair.voter_r.voter_id))) in planted
        assert pair.decided_by.username == "analis"
    assert AuditEvent.objects.filter(action="voters.pair.confirm").count() == 2


def test_the_story_voter_is_on_the_roll_once_at_the_story_tps(loaded):
    from siaga.demo.incidents import REPORTS, _tps

    story = next(r for r in REPORTS if r.key == "pemilih-dua-kali")
    voter = Voter.objects.get(voter_id=demo.STORY_VOTER_ID)
    assert voter.tps == _tps(story.kecamatan, story.tps_index)
    assert voter.sex == "L" and voter.name.startswith("R")
    assert (dt.date(2024, 11, 27) - voter.birth_date).days // 365 == 34
    assert Voter.objects.filter(nik=voter.nik).count() == 1
    assert not DuplicatePair.objects.filter(voter_l=voter).exists()
    assert not DuplicatePair.objects.filter(voter_r=voter).exists()


def test_a_second_load_changes_nothing(loaded):
    before = (
        list(Voter.objects.order_by("pk").values_list("pk", "voter_id", "nik", "tps_id")),
        list(DuplicatePair.objects.order_by("pk").values_list("pk", "status")),
    )
    again = demo.demo_voters_load(context=CONTEXT)

    assert not again.created and not again.linkage_ran
    assert again.confirmed == 2 and again.voters == loaded.voters
    after = (
        list(Voter.objects.order_by("pk").values_list("pk", "voter_id", "nik", "tps_id")),
        list(DuplicatePair.objects.order_by("pk").values_list("pk", "status")),
    )
    assert after == before
    assert audit_verify().ok
