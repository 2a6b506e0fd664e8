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


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL half of `make test` (SIAGA_TESTS_DB_ONLY=1, set by scripts/run-tests) runs
    only the tests that touch the database: the others (engines, parsers, content) ran on the
    SQLite half and would give the same answer again."""
    import os

    if os.environ.get("SIAGA_TESTS_DB_ONLY") != "1":
        return
    kept, dropped = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (kept if uses_db else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
