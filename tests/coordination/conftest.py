"""A coordination world: the small region tree of ``tests.factories.World`` with a deployment
(voting day 27 November 2024), member agencies at the regency (Kesbangpol, KPU, Polres with a
head), a Koramil in Busang and Paser's Polres, users of every kind, and a clock tests move."""

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


class CoWorld:
    def __init__(self, world):
        self.w = world
        self.deployment = Deployment.objects.create(
            regency=world.regency,
            election_name="Pilkada Kutai Timur 2024",
            voting_day=dt.date(2024, 11, 27),
        )
        self.kesbangpol = world.agency
        self.kpu = AgencyFactory(
            code="kpu", name="KPU Kabupaten Kutai Timur", kind=AgencyKind.KPU, region_id="64.08"
        )
        self.polres = AgencyFactory(
            code="polres", name="Polres Kutai Timur", kind=AgencyKind.POLRI, region_id="64.08"
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
        self.analyst_paser = world.user(
            Role.ANALYST, scope=[world.other_regency], username="analyst-paser"
        )
        self.leadership = world.user(Role.LEADERSHIP, username="leader")
        self.liaison = world.user(Role.LIAISON, username="kesbangpol")
        self.monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1], username="monitor")
        self.kpu_liaison = self._liaison("kpu-liaison", self.kpu)
        self.polres_liaison = self._liaison("polres-liaison", self.polres)
        self.polres_liaison_kec = self._liaison("polres-liaison-kec", self.polres, world.kec_a)
        self.kapolres = self._liaison("kapolres", self.polres, role=Role.LEADERSHIP)
        self.polres.head = self.kapolres
        self.polres.save()
        set_clock(wita(2024, 11, 24, 10, 0))

    def _liaison(self, username, agency, region=None, role=Role.LIAISON):
        return UserFactory(
            username=username, role=role, agency=agency, scope=[region or self.w.regency]
        )


@pytest.fixture
def cw(world):
    return CoWorld(world)
