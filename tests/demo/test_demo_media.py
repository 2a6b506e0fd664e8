"""The demo's day on social media, stored through the real pipeline: the resurfacing known hoax
is matched to its debunk, the provocative narrative in Bengalon grows and raises alerts tied to
the kecamatan, and the Diskominfo analyst's actions are on the posts' timelines."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.demo import media_content as content
from siaga.demo.services import demo_load
from siaga.media.choices import AlertKind, EventKind, ReviewStatus
from siaga.media.models import Debunk, MediaAlert, Post, PostEvent

CONTEXT = AuditContext.cli()


@pytest.fixture(autouse=True)
def _needs_code_list():
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")


@pytest.fixture
def loaded(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load(context=CONTEXT, national_regions=False).media


def _post(key: str) -> Post:
    return Post.objects.get(external_id=f"demo-{key}")


def test_the_demo_day(loaded):
    """One load (about 15 s) checked from every side."""
    _a_day_of_posts_is_stored_scored_and_tagged(loaded)
    _the_resurfacing_hoax_is_matched_to_its_debunk(loaded)
    _the_bengalon_narrative_grows_and_raises_alerts_tied_to_the_kecamatan(loaded)
    _the_analysts_actions_are_recorded_on_the_timeline_and_audited(loaded)


def _a_day_of_posts_is_stored_scored_and_tagged(loaded):
    assert loaded.posts == len(content.posts()) == Post.objects.count()
    assert loaded.debunks == len(content.debunks()) == Debunk.objects.count()
    assert all(p.scores for p in Post.objects.all()[:50])
    # most posts name a place of the regency
    assert Post.objects.exclude(places=[]).count() > Post.objects.count() / 2


def _the_resurfacing_hoax_is_matched_to_its_debunk(loaded):
    debunk = Debunk.objects.get(
        source_url=next(
            d.source_url for d in content.debunks() if d.key == content.RESURFACING_DEBUNK
        )
    )
    resurfacing = [p for p in content.posts() if p.debunk == content.RESURFACING_DEBUNK]
    stored = Post.objects.filter(external_id__in=[f"demo-{p.key}" for p in resurfacing])
    matched = stored.filter(debunk=debunk).count()
    assert matched >= 0.8 * len(resurfacing)
    # the riskiest posts of the queue are the resurfacing hoax and the provocation
    top = list(Post.objects.order_by("-risk")[:10])
    assert any(p.debunk_id == debunk.pk for p in top)


def _the_bengalon_narrative_grows_and_raises_alerts_tied_to_the_kecamatan(loaded):
    place = MediaAlert.objects.filter(
        kind=AlertKind.PLACE_SURGE, region_id=content.PROVOCATIVE_KECAMATAN
    )
    assert place.count() == 1
    alert = place.get()
    assert alert.observed > 5 * alert.expected
    narrative_alerts = MediaAlert.objects.filter(kind=AlertKind.NARRATIVE_SPIKE)
    assert narrative_alerts.exists()
    assert all(a.region_id.startswith(content.PROVOCATIVE_KECAMATAN) for a in narrative_alerts)
    lead = _post(content.PROVOCATIVE_LEAD)
    assert "provokasi" in lead.labels
    assert lead.region_id.startswith(content.PROVOCATIVE_KECAMATAN)


def _the_analysts_actions_are_recorded_on_the_timeline_and_audited(loaded):
    assert loaded.actions == len(content.actions())
    hoax = _post(content.RESURFACING_LEAD)
    assert hoax.status in (ReviewStatus.ACTED, ReviewStatus.DONE)
    actions = set(hoax.events.filter(kind=EventKind.ACTION).values_list("action", flat=True))
    assert {"lapor_platform", "kontra_narasi"} <= actions
    assert hoax.analyst_labels and "hoaks" in hoax.analyst_labels
    provocation = _post(content.PROVOCATIVE_LEAD)
    assert provocation.events.filter(action="rujuk_polisi").exists()
    # the timeline shows the analyst's hours of the day, not the loading time
    assert all(e.at <= loaded_now() for e in PostEvent.objects.all())
    assert AuditEvent.objects.filter(action="media.post_action").count() >= 3


def loaded_now():
    from siaga.core import clock

    return clock.now()


def test_loading_twice_changes_nothing(loaded, settings):
    before = (Post.objects.count(), PostEvent.objects.count(), MediaAlert.objects.count())
    again = demo_load(context=CONTEXT, national_regions=False).media
    assert again.actions == 0
    assert (Post.objects.count(), PostEvent.objects.count(), MediaAlert.objects.count()) == before
