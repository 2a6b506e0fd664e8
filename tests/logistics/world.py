"""A logistics world for tests: the small region tree of ``tests.factories.World`` with a
deployment, the default catalogue, a KPU office, users of every kind and a helper for shipments.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from siaga.accounts.choices import AgencyKind, Role
from siaga.core.audit import AuditContext
from siaga.core.models import Deployment
from siaga.logistics.catalogue import catalogue_seed
from siaga.logistics.choices import ShipmentStatus, Stage, TransportMode
from siaga.logistics.models import ItemType, Shipment, ShipmentLine
from tests.factories import AgencyFactory, UserFactory, World

WITA = ZoneInfo("Asia/Makassar")
VOTING_DAY = dt.date(2024, 11, 27)
CONTEXT = AuditContext(channel="test")


def wita(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WITA)


class LogisticsWorld:
    def __init__(self, world: World, *, kpu_office: bool = True):
        self.w = world
        Deployment.objects.get_or_create(
            regency=world.regency,
            defaults={"election_name": "Pilkada Kutai Timur 2024", "voting_day": VOTING_DAY},
        )
        catalogue_seed(context=CONTEXT)
        self.items = {i.code: i for i in ItemType.objects.all()}
        self.kpu = (
            AgencyFactory(code="kpu-kutim", name="KPU Kutai Timur", kind=AgencyKind.KPU)
            if kpu_office
            else None
        )
        self.tps_a1 = world.tps[world.desa_a1.code][0]
        self.tps_a1b = world.tps[world.desa_a1.code][1]
        self.tps_b1 = world.tps[world.desa_b1.code][0]
        self.admin = world.user(Role.ADMIN, username="admin")
        self.kpu_liaison = UserFactory(
            username="kpu-liaison",
            role=Role.LIAISON,
            agency=self.kpu or AgencyFactory(code="kpu-x", kind=AgencyKind.KPU),
            scope=[world.regency],
        )
        self.analyst = world.user(Role.ANALYST, username="analyst")
        self.leadership = world.user(Role.LEADERSHIP, username="leader")
        self.liaison = world.user(Role.LIAISON, username="polres")
        self.monitor_tps = world.user(
            Role.FIELD_MONITOR, scope=[world.desa_a1], tps=[self.tps_a1], username="monitor-tps"
        )
        self.monitor_desa = world.user(
            Role.FIELD_MONITOR, scope=[world.desa_b1], username="monitor-desa"
        )

    def shipment(
        self,
        code: str,
        *,
        stage: str = Stage.PPS_TO_KPPS,
        destination=None,
        tps=None,
        items: dict[str, int] | None = None,
        per_tps: list | None = None,
        status: str = ShipmentStatus.IN_TRANSIT,
        mode: str = TransportMode.ROAD,
        origin=None,
        departure: dt.datetime | None = None,
        hours: float = 4,
        **extra,
    ) -> Shipment:
        """A shipment straight in the database (the services are tested on their own)."""
        if stage == Stage.PPS_TO_KPPS:
            tps = tps or self.tps_a1
            destination = destination or tps.desa
            origin = origin or destination
        elif stage == Stage.PPK_TO_PPS:
            destination = destination or self.w.desa_a1
            origin = origin or destination.parent
        else:
            destination = destination or self.w.kec_a
            origin = origin or self.w.regency
        departure = departure or wita(2024, 11, 24, 8, 0)
        shipment = Shipment.objects.create(
            code=code,
            stage=stage,
            origin_region=origin,
            destination_region=destination,
            destination_tps=tps if stage == Stage.PPS_TO_KPPS else None,
            mode=mode,
            planned_departure=departure,
            planned_arrival=departure + dt.timedelta(hours=hours),
            status=status,
            **extra,
        )
        lines = []
        for code_, quantity in (items or {}).items():
            lines.append(ShipmentLine(shipment=shipment, item=self.items[code_], quantity=quantity))
        for tps_, code_, quantity in per_tps or []:
            lines.append(
                ShipmentLine(shipment=shipment, item=self.items[code_], tps=tps_, quantity=quantity)
            )
        ShipmentLine.objects.bulk_create(lines)
        return shipment
