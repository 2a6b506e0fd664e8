"""The Kutai Timur demo's watch after the vote: the default calendar (PPK recapitulation in
every kecamatan, the KPU plenary and determination in Sangatta, the MK window), the readiness
checklist of every agency with the first items done, and one planned rally at the KPU office in
Sangatta during the regency recapitulation (300 people, notification filed with the police).

Idempotent: the seeds skip what exists and the rally is found again by its title.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from siaga.core.audit import AuditContext
from siaga.core.deployment import deployment_voting_day
from siaga.postelection import schedule, services
from siaga.postelection.choices import GatheringStatus, Permit
from siaga.postelection.models import Gathering, ReadinessItem
from siaga.wilayah.models import Region

DEMO_VOTING_DAY = dt.date(2024, 11, 27)
# The KPU office of Kutai Timur is in Sangatta (kecamatan Sangatta Utara, 64.08.04).
KPU_KECAMATAN = "64.08.04"
KPU_POINT = (0.5110, 117.5420)  # approximate, the government quarter of Sangatta
RALLY_TITLE = "Aksi damai massa pendukung paslon di Kantor KPU Kutai Timur"
# Day 2 of the KPU plenary (H+7), mid-morning.
RALLY_DAY = 7
RALLY_TIME = dt.time(9, 0)
# Agencies whose first items are already ticked at the demo's clock, and how many.
DONE_FIRST: dict[str, int] = {"polres": 3, "kpu": 2, "kodim": 1, "bawaslu": 1, "kesbangpol": 2}


def postelection_demo_load(*, context: AuditContext, now: dt.datetime, regency_code: str) -> dict:
    """Seed the demo's post-vote watch; returns counts of what was created.

    ``now`` is the demo's clock: a demo played after the rally finds it over. Ticks are stamped
    by the deployment's clock (``siaga.core.clock``), as every audited write is.
    """
    voting_day = deployment_voting_day() or DEMO_VOTING_DAY
    with transaction.atomic():
        points = services.calendar_seed(
            context=context, voting_day=voting_day, regency=regency_code
        )
        items = services.readiness_seed(context=context)
        ticked = 0
        for code, count in DONE_FIRST.items():
            for item in ReadinessItem.objects.select_related("agency").filter(
                agency__code=code, done=False, order__lte=count
            ):
                services.readiness_tick(context=context, item=item)
                ticked += 1
        gatherings = 0
        if not Gathering.objects.filter(title=RALLY_TITLE).exists():
            planned_at = schedule.local(voting_day + dt.timedelta(days=RALLY_DAY), RALLY_TIME)
            # A demo played after the rally's day finds it over, as the field would report.
            status = (
                GatheringStatus.SELESAI
                if now > planned_at + dt.timedelta(days=1)
                else (GatheringStatus.RENCANA)
            )
            kecamatan = Region.objects.filter(code=KPU_KECAMATAN).only("code").first()
            services.gathering_create(
                context=context,
                title=RALLY_TITLE,
                place="Kantor KPU Kabupaten Kutai Timur, Kawasan Pusat Perkantoran Bukit Pelangi",
                region=kecamatan.code if kecamatan else regency_code,
                planned_at=planned_at,
                expected_size=300,
                organiser="Aliansi Masyarakat Peduli Pilkada Kutim (koordinator lapangan)",
                permit=Permit.DIAJUKAN,
                status=status,
                lat=KPU_POINT[0] if kecamatan else None,
                lon=KPU_POINT[1] if kecamatan else None,
                note="Menuntut rekapitulasi ulang di dua kecamatan; STTP masih diproses Polres.",
            )
            gatherings = 1
    return {
        "watch_points": len(points),
        "readiness_items": items,
        "readiness_done": ticked,
        "gatherings": gatherings,
    }
