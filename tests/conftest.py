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
