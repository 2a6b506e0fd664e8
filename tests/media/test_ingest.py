"""The ingestion pipeline: validation per record, idempotency, scores, debunk match,
places, narratives, risk, audit, and a failing chunk leaving nothing behind."""

import datetime as dt

import pytest

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.media import debunks, sources
from siaga.media.choices import SourceKind
from siaga.media.ingest import ingest
from siaga.media.models import IngestBatch, Narrative, Post

pytestmark = pytest.mark.django_db

WHEN = "2024-11-24T08:00:00+08:00"


def record(n, text, **extra):
    return {"platform": "x", "external_id": f"t{n}", "text": text, "posted_at": WHEN, **extra}


@pytest.fixture
def source(world):
    return sources.source_create(
        context=AuditContext.cli(),
        name="Perayap uji",
        kind=SourceKind.WEBHOOK,
        region_code="64.08",
    )


def rows(*records):
    return list(enumerate(records, 1))


def test_good_records_stored_bad_ones_reported_with_row_and_field(source):
    result = ingest(
        rows(
            record(1, "Pawai kampanye damai di Sangatta Utara berjalan tertib hari ini"),
            {"platform": "x", "external_id": "t2", "text": "", "posted_at": WHEN},
            record(3, "ok", posted_at="kemarin sore"),
            record(4, "tanpa platform", platform="myspace"),
            record(5, "likes negatif", likes="-3"),
        ),
        source=source,
        context=AuditContext.cli(),
    )
    assert result.stored == 1
    assert result.rejected == 4
    found = {(e.row, e.field) for e in result.errors}
    assert {(2, "text"), (3, "posted_at"), (4, "platform"), (5, "likes")} <= found
    assert Post.objects.count() == 1
    batch = IngestBatch.objects.get()
    assert batch.rejected == 4 and batch.errors[0]["row"] == 2
    assert AuditEvent.objects.filter(action="media.posts_ingested").count() == 1


def test_same_post_twice_is_stored_once_and_refreshes_engagement(source):
    first = ingest(
        rows(record(1, "Debat paslon malam ini ramai ditonton warga Busang", likes=2)),
        source=source,
        context=AuditContext.cli(),
    )
    again = ingest(
        rows(record(1, "Debat paslon malam ini ramai ditonton warga Busang", likes=900)),
        source=source,
        context=AuditContext.cli(),
    )
    assert first.stored == 1 and again.stored == 0 and again.updated == 1
    post = Post.objects.get()
    assert post.likes == 900
    assert post.risk >= 0


def test_post_is_scored_tagged_and_matched_to_a_known_debunk(source):
    debunks.debunk_create(
        context=AuditContext.cli(),
        region_code="64.08",
        claim="Surat suara sudah dicoblos untuk paslon nomor 2 ditemukan di gudang KPU Kutai Timur",
        verdict="salah",
        date=dt.date(2024, 11, 20),
        source_url="https://cekfakta.contoh.id/1",
    )
    result = ingest(
        rows(
            record(
                1,
                "Viral!! surat suara sudah dicoblos paslon nomor 2 ditemukan di gudang "
                "KPU Kutai Timur, warga Busang diminta waspada",
                shares=40,
            )
        ),
        source=source,
        context=AuditContext.cli(),
    )
    post = Post.objects.get(pk=result.post_ids[0])
    assert set(post.scores) >= {"hoaks", "politik"}
    assert post.debunk is not None and post.debunk_score >= 0.45
    assert post.places and post.places[0].startswith("64.08.06")
    assert post.region_id.startswith("64.08.06")
    assert post.risk > 0


def test_near_duplicates_form_one_narrative(source):
    base = "ayo kumpul besok pagi di simpang tiga tutup jalan sampai tuntutan kita dipenuhi semua"
    texts = [
        base,
        base + " sebarkan",
        "RT " + base,
        "Kabar cuaca: hujan deras di Sangatta sore ini",
    ]
    ingest(
        rows(*[record(i, t) for i, t in enumerate(texts)]),
        source=source,
        context=AuditContext.cli(),
    )
    posts = list(Post.objects.order_by("external_id"))
    assert posts[0].narrative_id == posts[1].narrative_id == posts[2].narrative_id
    assert posts[3].narrative_id != posts[0].narrative_id
    narrative = Narrative.objects.get(pk=posts[0].narrative_id)
    assert narrative.post_count == 3
    # a later batch joins the stored narrative
    ingest(rows(record(9, base + " segera")), source=source, context=AuditContext.cli())
    assert Post.objects.get(external_id="t9").narrative_id == narrative.pk
    narrative.refresh_from_db()
    assert narrative.post_count == 4


def test_a_narrative_naming_several_desa_belongs_to_their_kecamatan(source):
    base = "ayo kumpul malam ini di {} jaga kampung dan tutup jalan poros sampai besok pagi"
    ingest(
        rows(record(1, base.format("Singa Gembara")), record(2, base.format("Sangatta Utara"))),
        source=source,
        context=AuditContext.cli(),
    )
    first, second = Post.objects.order_by("external_id")
    assert first.narrative_id == second.narrative_id
    assert first.region_id == "64.08.04.1001"  # the post is where it says
    assert Narrative.objects.get(pk=first.narrative_id).region_id == "64.08.04"
