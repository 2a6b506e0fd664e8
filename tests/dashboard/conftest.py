"""Fixtures of the situation-room tests: the small world plus a deployment at H-3 (WITA)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from siaga.accounts.choices import Role
from siaga.core import clock
from siaga.core.models import Deployment

VOTING_DAY = dt.date(2024, 11, 27)
DEMO_NOW = dt.datetime(2024, 11, 24, 9, 30, tzinfo=ZoneInfo("Asia/Makassar"))  # H-3, masa tenang


@pytest.fixture
def deployment(world):
    row = Deployment.objects.create(
        regency=world.regency,
        election_name="Pilkada Kutai Timur 2024",
        voting_day=VOTING_DAY,
        clock_offset_seconds=clock.offset_for(DEMO_NOW),
    )
    clock.clear_cache()
    return row


@pytest.fixture
def analyst(world, deployment):
    return world.user(Role.ANALYST, username="analis")


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client
