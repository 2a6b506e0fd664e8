"""Shared fixtures: a small region tree, TPS, agencies and users of every role."""

import pytest

from siaga.core import clock


@pytest.fixture(autouse=True)
def _fresh_clock():
    clock.clear_cache()
    yield
    clock.clear_cache()


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test counts its own rate limits: the file cache in var/ outlives a test run."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    from tests.factories import World

    return World()


@pytest.fixture(autouse=True)
def _fresh_media_caches():
    """The media module keeps per-process indexes (narratives, debunks, gazetteer) in step with
    the database; a test's rollback must not leave them pointing at rows that are gone."""
    yield
    from siaga.media import debunks, ingest, places

    ingest.reset_caches()
    debunks.reset_cache()
    places.reset_cache()
