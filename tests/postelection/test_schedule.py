"""The default post-vote calendar's arithmetic, hand-checked on the 2024 calendar."""

import datetime as dt

from siaga.postelection import schedule
from tests.postelection.conftest import VOTING_DAY, wita


def test_working_days_after_a_friday_skip_the_weekend():
    friday = dt.date(2024, 12, 6)
    assert schedule.working_days_after(friday, 3) == [
        dt.date(2024, 12, 9),
        dt.date(2024, 12, 10),
        dt.date(2024, 12, 11),
    ]


def test_working_days_after_a_wednesday_run_into_the_next_week():
    assert schedule.working_days_after(dt.date(2024, 12, 4), 3) == [
        dt.date(2024, 12, 5),
        dt.date(2024, 12, 6),
        dt.date(2024, 12, 9),
    ]


def test_ppk_recapitulation_runs_from_h_plus_1_morning_to_h_plus_5_night():
    window = schedule.days_window(VOTING_DAY, schedule.REKAP_PPK_DAYS)
    assert window.starts_at == wita(2024, 11, 28, 8, 0)
    assert window.ends_at == wita(2024, 12, 2, 22, 0)


def test_mk_window_is_the_three_working_days_after_the_determination():
    # Voting Wednesday 27 November; determination H+9 = Friday 6 December; the window is
    # Monday 9 to Wednesday 11 December.
    window = schedule.mk_window(VOTING_DAY)
    assert window.starts_at == wita(2024, 12, 9, 8, 0)
    assert window.ends_at == wita(2024, 12, 11, 23, 59)


def test_voting_day_ends_at_local_midnight():
    assert schedule.voting_day_end(VOTING_DAY) == wita(2024, 11, 28, 0, 0)
