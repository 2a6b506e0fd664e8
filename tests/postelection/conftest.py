"""A post-vote world: the small region tree of ``tests.factories.World`` with a deployment
(voting day 27 November 2024), agencies of the kinds that keep the watch (Polres and KPU at the
regency, a Koramil in Busang, Paser's Polres), users of every kind, and a clock the tests move.
"""

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


class PostWorld:
    def __init__(self, world):
        self.w = world
        self.deployment = Deployment.objects.create(
            regency=world.regency, election_name="Pilkada Kutai Timur 2024", voting_day=VOTING_DAY
        )
        self.kesbangpol = world.agency  # pemda, at the regency
        self.polres = AgencyFactory(
            code="polres", name="Polres Kutai Timur", kind=AgencyKind.POLRI, region_id="64.08"
        )
        self.kpu = AgencyFactory(
            code="kpu", name="KPU Kabupaten Kutai Timur", kind=AgencyKind.KPU, region_id="64.08"
        )
        self.koramil = AgencyFactory(
            code="koramil-busang", name="Koramil Busang", kind=AgencyKind.TNI, region_id="64.08.06"
        )
        self.polres_paser = AgencyFactory(
            code="polres-paser", name="Polres Paser", kind=AgencyKind.POLRI, region_id="64.01"
        )
        self.admin = world.user(Role.ADMIN, username="admin")
        self.analyst = world.user(Role.ANALYST, username="analyst")
        self.analyst_kec = world.user(Role.ANALYST, scope=[world.kec_a], username="analyst-kec")
        self.leadership = world.user(Role.LEADERSHIP, username="leader")
        self.liaison = world.user(Role.LIAISON, username="kesbangpol")
        self.liaison_polres = UserFactory(
            username="polres-liaison", role=Role.LIAISON, agency=self.polres, scope=[world.regency]
        )
        self.liaison_polres_kec = UserFactory(
            username="polres-liaison-kec",
            role=Role.LIAISON,
            agency=self.polres,
            scope=[world.kec_a],
        )
        self.monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1], username="monitor")
        self.tps_a1 = world.tps[world.desa_a1.code][0]
        self.tps_b1 = world.tps[world.desa_b1.code][0]
        self.tps_other = world.tps[world.desa_other.code][0]
        set_clock(wita(2024, 11, 28, 10, 0))


@pytest.fixture
def pw(world):
    return PostWorld(world)
