"""Shared fixtures: a small region tree, TPS, agencies and users of every role."""

import pytest

from siaga.core import clock


@pytest.fixture(autouse=True)
def _fresh_clock():
    clock.clear_cache()
    yield
    clock.clear_cache()


@pytest.fixture
def world(db):
    from tests.factories import World

    return World()
