"""The triage risk, which orders the analysts' queue: score × reach × relevance.

- score: the highest calibrated score of the harmful labels, raised to the debunk similarity
  when the post matches a debunk whose verdict is *salah* or *menyesatkan*;
- reach = 1 + log10(1 + likes + 2·shares + replies);
- relevance = 1 when the post names a place of the regency, 0.5 otherwise;
- an official account's post counts a third.

The expected values below are worked out by hand (log10 of 581, 10, 100... written out), then
ingested posts differing in one thing only are checked against the same formula and in the
order of the triage queue.
"""

from __future__ import annotations

import datetime as dt

import pytest

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from siaga.media import debunks, selectors, sources
from siaga.media.choices import HARMFUL, SourceKind
from siaga.media.ingest import _risk, ingest, risk_of
from siaga.media.models import Post
from siaga.media.records import PostRecord

WHEN = "2024-11-24T08:00:00+08:00"

# --- the formula, by hand -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "engagement", "local", "official", "expected"),
    [
        # the docs' example: 300 likes, 120 shares, 40 replies -> 300 + 240 + 40 = 580;
        # reach 1 + log10(581) = 1 + 2.764176 = 3.764176; 0.8 × 3.764176 = 3.011341
        (0.8, 580, True, False, 3.0113),
        (0.8, 580, False, False, 1.5057),  # 3.011341 × 0.5 = 1.505670
        (0.8, 580, True, True, 1.0038),  # 3.011341 / 3 = 1.003780
        (0.8, 580, False, True, 0.5019),  # 3.011341 × 0.5 / 3 = 0.501890
        (0.5, 0, True, False, 0.5),  # no engagement: reach 1 + log10(1) = 1
        (0.5, 0, False, False, 0.25),
        (0.6, 9, True, False, 1.2),  # reach 1 + log10(10) = 2
        (0.3, 99, False, True, 0.15),  # reach 1 + log10(100) = 3; 0.3 × 3 × 0.5 / 3
        (0.7, 999, True, False, 2.8),  # reach 1 + log10(1000) = 4
        (0.0, 10_000, True, False, 0.0),  # no harm: no risk, however viral
        (0.4, -5, True, False, 0.4),  # a negative count is no engagement
    ],
)
def test_risk_of_by_hand(score, engagement, local, official, expected):
    assert risk_of(score, engagement, local, official) == pytest.approx(expected, abs=1e-9)


def post_record(**counts) -> PostRecord:
    return PostRecord(
        row=1,
        platform="x",
        external_id="r1",
        text="teks",
        posted_at=dt.datetime(2024, 11, 24, tzinfo=dt.UTC),
        **counts,
    )


@pytest.mark.parametrize(
    ("counts", "harm", "debunk", "hoax_debunks", "local", "expected"),
    [
        # likes 5 + 2 × shares 2 + replies 0 = 9: reach 2
        ({"likes": 5, "shares": 2}, 0.2, (None, None), set(), True, 0.4),
        # a match with a false (or misleading) debunk raises the score to the similarity
        ({"likes": 5, "shares": 2}, 0.2, (7, 0.9), {7}, True, 1.8),
        # ... never lowers it
        ({"likes": 5, "shares": 2}, 0.95, (7, 0.6), {7}, True, 1.9),
        # a debunk whose verdict is benar / tidak terbukti does not raise it
        ({"likes": 5, "shares": 2}, 0.2, (8, 0.9), {7}, True, 0.4),
        # raised, from nowhere in particular, by an official account: 0.9 × 2 × 0.5 / 3
        ({"likes": 5, "shares": 2, "author_official": True}, 0.2, (7, 0.9), {7}, False, 0.3),
        # shares count twice: 1 + 2 × 4 = 9 -> reach 2; 4 + 2 × 1 = 6 -> 1 + log10(7) = 1.845098
        ({"likes": 1, "shares": 4}, 0.5, (None, None), set(), True, 1.0),
        ({"likes": 4, "shares": 1}, 0.5, (None, None), set(), True, 0.9225),
        # replies count once: 3 + 6 = 9 -> reach 2
        ({"likes": 3, "replies": 6}, 0.5, (None, None), set(), True, 1.0),
    ],
)
def test_risk_of_a_record_by_hand(counts, harm, debunk, hoax_debunks, local, expected):
    record = post_record(**counts)
    assert _risk(record, harm, debunk, hoax_debunks, local) == pytest.approx(expected, abs=1e-9)


# --- ingested posts ---------------------------------------------------------------------------


@pytest.fixture
def source(world):
    return sources.source_create(
        context=AuditContext.cli(), name="Perayap uji", kind=SourceKind.WEBHOOK, region_code="64.08"
    )


def send(source, *records):
    return ingest(list(enumerate(records, 1)), source=source, context=AuditContext.cli())


def record(key, text, **extra):
    return {"platform": "x", "external_id": key, "text": text, "posted_at": WHEN, **extra}


def harm(post: Post) -> float:
    """The post's score as the pipeline computed it: its highest harmful label (stored with
    4 decimals, hence the tolerance of the comparisons below)."""
    return max(post.scores[label] for label in HARMFUL if label in post.scores)


def engagement(post: Post) -> int:
    return post.likes + 2 * post.shares + post.replies


def queue(world) -> list[str]:
    analyst = world.user(Role.ANALYST)
    return [p.external_id for p in selectors.triage_queue(analyst)]


HOAX = (
    "Viral!! surat suara sudah dicoblos untuk paslon nomor 2 ditemukan di gudang KPU "
    "{place}, sebarkan sebelum dihapus"
)


@pytest.mark.django_db
def test_more_engagement_ranks_the_same_post_higher(world, source):
    text = HOAX.format(place="Sangatta Utara")
    send(
        source,
        record("sepi", text),
        record("viral", text, likes=300, shares=120, replies=40),
        record("sedang", text, likes=9),
    )
    posts = {p.external_id: p for p in Post.objects.all()}
    score = harm(posts["sepi"])
    assert score > 0.05  # a hoax-like text: the model gives it a real score
    assert {harm(p) for p in posts.values()} == {score}  # one text, one score
    assert all(p.places for p in posts.values())
    assert posts["sepi"].risk == pytest.approx(score, abs=1e-4)  # reach 1, relevance 1
    assert posts["sedang"].risk == pytest.approx(score * 2, abs=2e-4)  # reach 1 + log10(10)
    assert posts["viral"].risk == pytest.approx(score * 3.764176, abs=4e-4)  # 1 + log10(581)
    assert queue(world) == ["viral", "sedang", "sepi"]


@pytest.mark.django_db
def test_a_post_naming_a_place_of_the_regency_counts_double(world, source):
    send(
        source,
        record("lokal", HOAX.format(place="Sangatta Utara"), shares=20),
        record("luar", HOAX.format(place="Batu Sopang"), shares=20),  # in Paser, not Kutim
    )
    local, other = Post.objects.get(external_id="lokal"), Post.objects.get(external_id="luar")
    assert local.places and other.places == []
    reach = 2.6127839  # 1 + log10(1 + 2 × 20) = 1 + log10(41) = 1 + 1.6127839
    assert local.risk == pytest.approx(harm(local) * reach, abs=2e-4)
    assert other.risk == pytest.approx(harm(other) * reach * 0.5, abs=2e-4)
    # the two texts differ by a place name only: their scores are close, the place decides
    assert abs(harm(local) - harm(other)) < 0.5 * harm(local)
    assert queue(world) == ["lokal", "luar"]


@pytest.mark.django_db
def test_an_official_account_counts_a_third(world, source):
    text = HOAX.format(place="Sangatta Utara")
    send(
        source,
        record("warga", text, likes=9, author="warga_kutim"),
        record("resmi", text, likes=9, author="kpu_kutim", author_official="ya"),
    )
    citizen, official = Post.objects.get(external_id="warga"), Post.objects.get(external_id="resmi")
    assert official.author_official and not citizen.author_official
    assert citizen.risk == pytest.approx(harm(citizen) * 2, abs=2e-4)
    assert official.risk == pytest.approx(harm(official) * 2 / 3, abs=2e-4)
    assert queue(world) == ["warga", "resmi"]


CLAIM = "Surat suara sudah dicoblos untuk paslon nomor 2 ditemukan di gudang KPU Kutai Timur"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verdict", "raised"),
    [("salah", True), ("menyesatkan", True), ("tidak_terbukti", False), ("benar", False)],
)
def test_a_matched_false_or_misleading_debunk_raises_the_score(world, source, verdict, raised):
    debunks.debunk_create(
        context=AuditContext.cli(),
        region_code="64.08",
        claim=CLAIM,
        verdict=verdict,
        date=dt.date(2024, 11, 20),
        source_url="https://cekfakta.contoh.id/1",
    )
    send(source, record("ulang", CLAIM + " di Busang", likes=9))
    post = Post.objects.get()
    assert post.debunk is not None and post.debunk.verdict == verdict
    assert harm(post) < post.debunk_score  # so that raising it shows
    score = post.debunk_score if raised else harm(post)
    assert post.risk == pytest.approx(score * 2, abs=2e-4)  # reach 2, names Busang


@pytest.mark.django_db
def test_new_engagement_rescales_the_stored_risk_and_reorders_the_queue(world, source):
    text = HOAX.format(place="Sangatta Utara")
    send(source, record("a", text, likes=9), record("b", text))
    assert queue(world) == ["a", "b"]
    before = Post.objects.get(external_id="b").risk
    result = send(source, record("b", text, likes=99))  # the crawler sees it again, viral now
    assert (result.stored, result.updated) == (0, 1)
    post = Post.objects.get(external_id="b")
    assert engagement(post) == 99
    assert post.risk == pytest.approx(before * 3, abs=2e-4)  # reach 1 -> 1 + log10(100)
    assert post.risk == pytest.approx(harm(post) * 3, abs=3e-4)
    assert queue(world) == ["b", "a"]
