"""The demo's media day is deterministic, well formed, and tells the stories it promises.

Pure data checks (no database): the loader relies on keys being unique and references resolving,
and the media screen relies on the resurfacing hoax being findable by claim matching and the
Bengalon narrative spiking in the last three hours.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from siaga.demo import media_content as mc
from siaga.engines.nlp.matching import ClaimIndex

WILAYAH_CSV = Path("/work/shared/data/wilayah/kutai_timur.csv")
LABELS = ("hoaks", "ujaran_kebencian", "sara", "provokasi", "kasar", "politik")
WINDOW = 180  # minutes: the spike detector compares the last three hours to earlier ones


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4}


def _by_story(story: str) -> list[mc.DemoPost]:
    return [p for p in mc.posts() if p.story == story]


def test_generation_is_deterministic():
    first = mc._all_posts.__wrapped__()
    second = mc._all_posts.__wrapped__()
    assert first == second
    assert list(first) == mc.posts()
    assert mc.actions() == mc.actions()


def test_counts_of_the_day():
    assert 400 <= len(mc.posts()) <= 600
    assert 10 <= len(mc.debunks()) <= 15
    assert 20 <= len(_by_story("resurfacing_hoax")) <= 40
    assert len(_by_story("hate")) >= 3
    assert len(_by_story("official_clarification")) >= 2
    background = _by_story("")
    assert len(background) > len(mc.posts()) / 2
    # Every platform carries some of the day.
    assert set(Counter(p.platform for p in mc.posts())) == set(mc.PLATFORMS)


def test_minutes_lie_within_the_day():
    for p in mc.posts():
        assert 0 <= p.minutes_before_now <= mc.DAY_MINUTES, p.key
    for a in mc.actions():
        assert 0 <= a.minutes_before_now <= mc.DAY_MINUTES, a.post_key


def test_keys_and_urls_are_unique():
    keys = [p.key for p in mc.posts()]
    assert len(keys) == len(set(keys))
    urls = [p.url for p in mc.posts()]
    assert len(urls) == len(set(urls))
    debunk_keys = [d.key for d in mc.debunks()]
    assert len(debunk_keys) == len(set(debunk_keys))


def test_fields_take_allowed_values():
    for d in mc.debunks():
        assert d.verdict in mc.VERDICTS, d.key
        assert d.source_url.startswith("https://cekfakta.contoh.id/"), d.key
        assert d.claim and d.explanation and d.category, d.key
    assert {d.verdict for d in mc.debunks()} == set(mc.VERDICTS)
    for p in mc.posts():
        assert p.platform in mc.PLATFORMS, p.key
        assert ".contoh.id/" in p.url, p.key
        assert min(p.likes, p.shares, p.replies) >= 0, p.key
        assert p.text.strip(), p.key
    for a in mc.actions():
        assert a.action in (*mc.ACTION_CODES, ""), a.post_key
        assert set(a.status_path) <= set(mc.STATUSES), a.post_key


def test_official_posts_come_from_official_accounts():
    officials = set(mc.OFFICIAL.values())
    for p in mc.posts():
        assert p.official == (p.handle in officials), p.key
    assert sum(p.official for p in mc.posts()) >= 8


def test_replies_point_at_earlier_posts():
    by_key = {p.key: p for p in mc.posts()}
    replies = [p for p in mc.posts() if p.reply_to is not None]
    assert len(replies) >= 20
    for p in replies:
        parent = by_key[p.reply_to]
        assert parent.minutes_before_now > p.minutes_before_now, p.key


def test_resurfacing_posts_repeat_the_debunked_claim():
    claim = next(d.claim for d in mc.debunks() if d.key == mc.RESURFACING_DEBUNK)
    claim_words = _words(claim)
    for p in _by_story("resurfacing_hoax"):
        assert p.debunk == mc.RESURFACING_DEBUNK, p.key
        shared = len(claim_words & _words(p.text)) / len(claim_words)
        assert shared >= 0.6, (p.key, shared, p.text)
    assert any(p.key == mc.RESURFACING_LEAD for p in _by_story("resurfacing_hoax"))


def test_claim_matching_finds_the_debunk_each_hoax_post_repeats():
    claims = mc.debunks()
    index = ClaimIndex([d.claim for d in claims])
    hoaxes = [p for p in mc.posts() if p.debunk]
    assert len(hoaxes) >= 25
    for p, ranked in zip(hoaxes, index.top_k([p.text for p in hoaxes], 1), strict=True):
        best, score = ranked[0]
        assert claims[best].key == p.debunk, (p.key, claims[best].key, score)


def test_background_chatter_does_not_repeat_the_resurfacing_claim():
    claims = mc.debunks()
    index = ClaimIndex([d.claim for d in claims])
    target = next(i for i, d in enumerate(claims) if d.key == mc.RESURFACING_DEBUNK)
    hoax_scores = index.similarities([p.text for p in _by_story("resurfacing_hoax")])[:, target]
    chatter_scores = index.similarities([p.text for p in _by_story("")])[:, target]
    assert chatter_scores.max() < hoax_scores.min()


def test_provocative_narrative_spikes_in_the_last_three_hours():
    narrative = _by_story("provocative_narrative")
    windows = Counter(min(p.minutes_before_now // WINDOW, 7) for p in narrative)
    last = windows.pop(0)
    assert windows, "the narrative must start before the last three hours"
    assert last > max(windows.values())
    assert last >= 3 * sum(windows.values()) / len(windows)
    # Inside the last three hours it still accelerates: the last 90 minutes hold more.
    recent = [p.minutes_before_now for p in narrative if p.minutes_before_now < WINDOW]
    assert sum(m < WINDOW / 2 for m in recent) > sum(m >= WINDOW / 2 for m in recent)


def test_provocative_narrative_names_bengalon_and_its_desa():
    names = {mc.KECAMATAN_NAMES[mc.PROVOCATIVE_KECAMATAN], *mc.PROVOCATIVE_DESA.values()}
    narrative = _by_story("provocative_narrative")
    named_desa = set()
    for p in narrative:
        assert any(n in p.text for n in names), p.key
        named_desa |= {d for d in mc.PROVOCATIVE_DESA.values() if d in p.text}
    assert len(named_desa) >= 3
    calls = ("kumpul", "tutup jalan", "blokade", "sweeping")
    assert all(any(c in p.text.lower() for c in calls) for p in narrative)


def test_actions_point_at_existing_posts_after_they_appeared():
    by_key = {p.key: p for p in mc.posts()}
    debunk_keys = {d.key for d in mc.debunks()}
    for a in mc.actions():
        assert a.post_key in by_key, a.post_key
        assert a.minutes_before_now <= by_key[a.post_key].minutes_before_now, a.post_key
        assert a.debunk == "" or a.debunk in debunk_keys, a.post_key
        assert a.action or a.status_path, a.post_key


def test_analysts_act_in_their_shift_hours():
    for a in mc.actions():
        assert 6 <= mc._local(a.minutes_before_now).hour < 23, a.post_key


def test_each_post_follows_the_review_workflow():
    # Replays every post's steps as siaga.media.workflow would: each status must be allowed
    # after the one before, and an action needs a verdict (it then moves the post on).
    state: dict[str, str] = {}
    for a in mc.actions():  # oldest first
        now = state.get(a.post_key, "belum_ditinjau")
        for status in a.status_path:
            assert status in mc.TRANSITIONS[now], (a.post_key, now, status)
            now = status
        if a.action:
            assert now in (*mc.REVIEW_VERDICTS, "ditindaklanjuti"), (a.post_key, now)
            now = "ditindaklanjuti"
        if a.labels:
            assert set(a.status_path) & set(mc.REVIEW_VERDICTS), a.post_key
            assert set(a.labels) <= set(LABELS), a.post_key
        state[a.post_key] = now
    assert set(mc.TRANSITIONS) == set(mc.STATUSES)
    assert all(targets <= set(mc.STATUSES) for targets in mc.TRANSITIONS.values())


def test_the_day_holds_the_analysts_work_the_issue_asks_for():
    acts = mc.actions()
    on_lead = [a for a in acts if a.post_key == mc.RESURFACING_LEAD]
    assert "hoaks" in {s for a in on_lead for s in a.status_path}
    assert any(a.debunk == mc.RESURFACING_DEBUNK for a in on_lead)
    assert {"lapor_platform", "kontra_narasi"} <= {a.action for a in on_lead}
    assert any(a.action == "kontra_narasi" and a.link.startswith("https://") for a in on_lead)
    assert any(a.post_key == mc.PROVOCATIVE_LEAD and a.action == "rujuk_polisi" for a in acts)
    statuses = {s for a in acts for s in a.status_path}
    assert {"bukan_hoaks", "tidak_terverifikasi", "selesai"} <= statuses
    assert {a.action for a in acts} >= set(mc.ACTION_CODES)


def test_place_names_are_real_kutai_timur_names():
    if not WILAYAH_CSV.exists():
        pytest.skip(f"{WILAYAH_CSV} is absent: place names not checked")
    with WILAYAH_CSV.open(encoding="utf-8") as f:
        names = {row["code"]: row["name"] for row in csv.DictReader(f)}
    for code, name in {**mc.KECAMATAN_NAMES, **mc.PROVOCATIVE_DESA}.items():
        assert names.get(code) == name, code


def test_codes_agree_with_the_media_module():
    # The loader stores these codes through siaga.media; a rename there must show up here.
    choices = pytest.importorskip("siaga.media.choices")
    assert set(mc.STATUSES) == set(choices.ReviewStatus.values)
    assert {k: set(v) for k, v in mc.TRANSITIONS.items()} == {
        str(k): {str(s) for s in v} for k, v in choices.TRANSITIONS.items()
    }
    assert set(mc.REVIEW_VERDICTS) == {str(v) for v in choices.VERDICTS}
    assert set(mc.ACTION_CODES) == set(choices.ActionKind.values)
    assert set(mc.VERDICTS) == set(choices.Verdict.values)
    assert set(mc.PLATFORMS) <= set(choices.Platform.values)
    assert set(LABELS) == set(choices.Label.values)
