import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from siaga.core import clock
from siaga.core.calendar import calendar_state
from siaga.core.models import Deployment
from tests.factories import region

VOTING_DAY = dt.date(2024, 11, 27)


@pytest.mark.parametrize(
    ("today", "phase", "label"),
    [
        (dt.date(2024, 9, 1), "persiapan", "H-87"),
        (dt.date(2024, 9, 25), "kampanye", "H-63"),
        (dt.date(2024, 11, 23), "kampanye", "H-4"),
        (dt.date(2024, 11, 24), "masa_tenang", "H-3"),
        (dt.date(2024, 11, 26), "masa_tenang", "H-1"),
        (dt.date(2024, 11, 27), "pemungutan", "H"),
        (dt.date(2024, 11, 28), "rekapitulasi", "H+1"),
        (dt.date(2024, 12, 16), "rekapitulasi", "H+19"),
        (dt.date(2025, 1, 10), "pasca", "H+44"),
    ],
)
def test_the_calendar_names_the_phase_and_the_day_relative_to_voting(today, phase, label):
    state = calendar_state(today=today, voting_day=VOTING_DAY)
    assert state.phase.code == phase
    assert state.h_label == label


def test_the_clock_follows_the_deployment_offset(db):
    region("64", "Kalimantan Timur")
    regency = region("64.08", "Kabupaten Kutai Timur")
    target = dt.datetime(2024, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    Deployment.objects.create(
        regency=regency,
        election_name="Pilkada 2024",
        voting_day=VOTING_DAY,
        clock_offset_seconds=clock.offset_for(target),
    )
    clock.clear_cache()
    assert abs((clock.now() - target).total_seconds()) < 5
    assert clock.local_now().utcoffset() == dt.timedelta(hours=8)  # WITA
    assert clock.today() == dt.date(2024, 11, 24)


def test_without_a_deployment_the_clock_is_the_real_time(db):
    from django.utils import timezone

    assert abs((clock.now() - timezone.now()).total_seconds()) < 5
