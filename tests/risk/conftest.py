"""Fixtures of the risk tests: the small world of ``tests.factories.World`` with the agencies an
alert goes to (or not), their people, and helpers to map a TPS and recompute the index.

People (usernames): ``risk-analyst``, ``risk-admin`` (scope 64.08), ``risk-analyst-kec`` (scope
Sangatta Utara 64.08.04), ``risk-analyst-paser`` (scope 64.01), ``risk-leader`` (pemda head,
64.08), liaisons ``risk-<agency>`` of pemda, polri, tni, bawaslu, kominfo, kpu (scope 64.08),
``risk-polri-busang`` (polri, scope Busang 64.08.06) and the field monitor ``risk-monitor`` of
the first TPS of desa 64.08.04.1001.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from siaga.accounts.choices import AgencyKind, Role
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.models import Category as IncidentCategory
from siaga.incidents.models import Incident
from siaga.risk import compute, services
from siaga.risk.models import Indicator
from tests.factories import AgencyFactory, UserFactory

WITA = ZoneInfo("Asia/Makassar")
VOTING_DAY = dt.date(2024, 11, 27)
CLI = AuditContext.cli()
_tickets = itertools.count(1)


def wita(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


NOW = wita(2024, 11, 24, 10, 0)  # H-3, the demo's moment


class RiskWorld:
    """The factories' world (two kecamatan of Kutai Timur, one of Paser, two TPS per desa, 380
    voters each) plus the people who read, edit and receive the index's alerts."""

    def __init__(self, world):
        self.w = world
        w = world
        self.a1, self.a1b = w.tps[w.desa_a1.code]
        self.a2, self.a2b = w.tps[w.desa_a2.code]
        self.b1, self.b1b = w.tps[w.desa_b1.code]
        self.b2, self.b2b = w.tps[w.desa_b2.code]
        self.paser = w.tps[w.desa_other.code][0]
        self.agency = SimpleNamespace(
            pemda=w.agency,
            polri=AgencyFactory(code="polres-kutim", name="Polres", kind=AgencyKind.POLRI),
            tni=AgencyFactory(code="kodim-0909", name="Kodim", kind=AgencyKind.TNI),
            bawaslu=AgencyFactory(code="bawaslu-kutim", name="Bawaslu", kind=AgencyKind.BAWASLU),
            kominfo=AgencyFactory(code="kominfo-kutim", name="Diskominfo", kind=AgencyKind.KOMINFO),
            kpu=AgencyFactory(code="kpu-kutim", name="KPU", kind=AgencyKind.KPU),
        )

        def person(username, role, agency=None, scope=None, **extra):
            return UserFactory(
                username=username,
                role=role,
                agency=agency or w.agency,
                scope=scope if scope is not None else [w.regency],
                **extra,
            )

        self.analyst = person("risk-analyst", Role.ANALYST)
        self.admin = person("risk-admin", Role.ADMIN)
        self.analyst_kec = person("risk-analyst-kec", Role.ANALYST, scope=[w.kec_a])
        self.analyst_paser = person("risk-analyst-paser", Role.ANALYST, scope=[w.other_regency])
        self.leader = person("risk-leader", Role.LEADERSHIP)
        a = self.agency
        self.pemda = person("risk-pemda", Role.LIAISON, a.pemda)
        self.polri = person("risk-polri", Role.LIAISON, a.polri)
        self.tni = person("risk-tni", Role.LIAISON, a.tni)
        self.bawaslu = person("risk-bawaslu", Role.LIAISON, a.bawaslu)
        self.kominfo = person("risk-kominfo", Role.LIAISON, a.kominfo)
        self.kpu = person("risk-kpu", Role.LIAISON, a.kpu)
        self.polri_busang = person("risk-polri-busang", Role.LIAISON, a.polri, scope=[w.kec_b])
        self.monitor = person("risk-monitor", Role.FIELD_MONITOR, scope=[w.desa_a1], tps=[self.a1])

    # -- the mapping and the index ---------------------------------------------------------

    def map(self, tps, **values: float) -> None:
        """Enter static values by hand (``lokasi__sulit_dijangkau=1`` for the code with a dot)."""
        for key, value in values.items():
            services.indicator_value_set(
                context=CLI, tps=tps, code=key.replace("__", "."), value=value
            )

    def recompute(self, *, now: dt.datetime = NOW, prefix: str = ""):
        return compute.risk_recompute(context=CLI, prefix=prefix, now=now)

    def deployment(self, *, voting_day: dt.date = VOTING_DAY) -> Deployment:
        row, _created = Deployment.objects.get_or_create(
            regency=self.w.regency,
            defaults={"election_name": "Pilkada Kutai Timur 2024", "voting_day": voting_day},
        )
        return row

    def clock(self, moment: dt.datetime) -> None:
        """Move the deployment's clock to ``moment`` (pages and selectors read it)."""
        deployment = self.deployment()
        deployment.clock_offset_seconds = clock.offset_for(moment)
        deployment.save(update_fields=["clock_offset_seconds"])
        clock.clear_cache()

    # -- incidents, straight in the database (the incidents module tests its own services) ---

    def incident(
        self,
        category: str = "kekerasan",
        *,
        at: dt.datetime = NOW,
        tps=None,
        desa=None,
        state: str = "diverifikasi",
        lat: float | None = None,
        lon: float | None = None,
    ) -> Incident:
        if not IncidentCategory.objects.exists():
            categories_seed(context=CLI)
        region = desa if desa is not None else tps.desa
        return Incident.objects.create(
            ticket=f"LK-R{next(_tickets):05d}",
            channel="web",
            category=IncidentCategory.objects.get(code=category),
            description="Laporan uji modul risiko",
            occurred_at=at,
            received_at=at,
            region=region,
            tps=tps,
            lat=lat,
            lon=lon,
            severity="tinggi",
            state=state,
            state_changed_at=at,
        )


@pytest.fixture
def rw(world) -> RiskWorld:
    return RiskWorld(world)


def weight(code: str) -> float:
    return Indicator.objects.get(code=code).weight
