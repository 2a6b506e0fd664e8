"""A reports world: the small region tree of ``tests.factories.World`` with a deployment
(voting day 27 November 2024), users of every kind, and the clock at the demo day (24 November
2024, 10:00 WITA), which the tests move."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent, Deployment
from tests.factories import AgencyFactory, UserFactory

WITA = ZoneInfo("Asia/Makassar")
VOTING_DAY = dt.date(2024, 11, 27)
DEMO_DAY = dt.date(2024, 11, 24)
SYSTEM = AuditContext(channel="test")


def wita(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


def set_clock(target: dt.datetime) -> None:
    Deployment.objects.update(clock_offset_seconds=clock.offset_for(target))
    clock.clear_cache()


def audit_count(action: str | None = None) -> int:
    qs = AuditEvent.objects.all()
    return qs.filter(action=action).count() if action else qs.count()


def as_user(user) -> AuditContext:
    return AuditContext(actor=user, channel="test")


class ReportWorld:
    def __init__(self, world):
        self.w = world
        self.deployment = Deployment.objects.create(
            regency=world.regency, election_name="Pilkada Kutai Timur 2024", voting_day=VOTING_DAY
        )
        self.polres = AgencyFactory(
            code="polres", name="Polres Kutai Timur", kind=AgencyKind.POLRI, region_id="64.08"
        )
        self.admin = world.user(Role.ADMIN, username="admin")
        self.analyst = world.user(Role.ANALYST, username="analyst")
        self.analyst_kec = world.user(Role.ANALYST, scope=[world.kec_a], username="analyst-kec")
        self.leadership = world.user(Role.LEADERSHIP, username="leader")
        self.leadership_kec = world.user(
            Role.LEADERSHIP, scope=[world.kec_b], username="leader-kec"
        )
        self.liaison = world.user(Role.LIAISON, username="kesbangpol")
        self.liaison_polres = UserFactory(
            username="polres-liaison", role=Role.LIAISON, agency=self.polres, scope=[world.regency]
        )
        self.liaison_paser = UserFactory(
            username="paser-liaison",
            role=Role.LIAISON,
            agency=self.polres,
            scope=[world.other_regency],
        )
        self.monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1], username="monitor")
        set_clock(wita(2024, 11, 24, 10, 0))


@pytest.fixture
def rw(world):
    return ReportWorld(world)
