"""The demo's watch after the vote: the calendar, readiness with a few items done, and the rally
at the KPU office during the regency recapitulation; loading again changes nothing."""

from siaga.postelection.choices import GatheringStatus, Permit, WatchKind
from siaga.postelection.demo import RALLY_TITLE, postelection_demo_load
from siaga.postelection.models import Gathering, ReadinessItem, WatchPoint
from tests.postelection.conftest import SYSTEM, audit_count, wita


def test_the_demo_seeds_the_watch_and_a_rally_during_the_kpu_plenary(pw):
    summary = postelection_demo_load(
        context=SYSTEM, now=wita(2024, 11, 24, 10), regency_code="64.08"
    )
    assert summary["watch_points"] == 5 and summary["gatherings"] == 1
    # Polres: its first 3 items, KPU: 2, Kesbangpol: 2 (the world has no Kodim or Bawaslu).
    assert summary["readiness_done"] == 7
    assert ReadinessItem.objects.filter(done=True).count() == 7
    rally = Gathering.objects.get(title=RALLY_TITLE)
    plenary = WatchPoint.objects.get(kind=WatchKind.REKAP_KPU)
    assert plenary.starts_at <= rally.planned_at <= plenary.ends_at
    assert (rally.expected_size, rally.permit, rally.status, rally.region_id) == (
        300,
        Permit.DIAJUKAN,
        GatheringStatus.RENCANA,
        "64.08.04",
    )
    audits = audit_count()
    again = postelection_demo_load(context=SYSTEM, now=wita(2024, 11, 24, 10), regency_code="64.08")
    assert again == {"watch_points": 0, "readiness_items": 0, "readiness_done": 0, "gatherings": 0}
    assert audit_count() == audits
