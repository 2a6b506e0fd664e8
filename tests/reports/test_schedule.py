"""The scheduled report: at SIAGA_REPORT_HOUR local time, once a day, with a moved clock."""

from __future__ import annotations

import io

from django.core.management import call_command

from siaga.notifications.models import Notification
from siaga.reports.models import SituationReport
from siaga.reports.services import report_daily
from tests.reports.conftest import audit_count, set_clock, wita


def test_the_daily_run_waits_for_the_hour_then_runs_once_a_day(rw, settings):
    settings.SIAGA_REPORT_HOUR = 7
    set_clock(wita(2024, 11, 25, 6, 55))
    assert report_daily() is None and not SituationReport.objects.exists()

    set_clock(wita(2024, 11, 25, 7, 1))
    report = report_daily()
    assert report.day.isoformat() == "2024-11-25" and report.generated_by is None
    assert report.distributed_at is not None
    told = Notification.objects.filter(kind="reports.sitrep").count()
    assert told == 3

    set_clock(wita(2024, 11, 25, 16, 0))
    assert report_daily() is None
    assert audit_count("reports.generate") == 1 and audit_count("reports.distribute") == 1
    assert Notification.objects.filter(kind="reports.sitrep").count() == told

    set_clock(wita(2024, 11, 26, 7, 1))
    assert report_daily().day.isoformat() == "2024-11-26"
    assert SituationReport.objects.count() == 2


def test_a_report_made_by_hand_before_the_hour_is_replaced_and_distributed_at_the_hour(rw):
    from siaga.reports.services import report_generate
    from tests.reports.conftest import as_user

    set_clock(wita(2024, 11, 25, 6, 0))
    report_generate(context=as_user(rw.analyst))
    set_clock(wita(2024, 11, 25, 7, 30))
    report = report_daily()
    assert report is not None and report.generated_by is None and report.distributed_at
    assert SituationReport.objects.count() == 1
    assert audit_count("reports.regenerate") == 1


def test_the_command_says_what_it_did_and_does_nothing_the_second_time(rw, settings):
    settings.SIAGA_REPORT_HOUR = 9
    set_clock(wita(2024, 11, 24, 9, 15))
    out = io.StringIO()
    call_command("reports", "daily", stdout=out)
    assert "Report of 2024-11-24 for 64.08" in out.getvalue() and "Distributed." in out.getvalue()
    again = io.StringIO()
    call_command("reports", "daily", stdout=again)
    assert "Nothing to do" in again.getvalue()
    assert SituationReport.objects.count() == 1


def test_the_command_generates_now_on_request(rw):
    out = io.StringIO()
    call_command("reports", "generate", stdout=out)
    assert "Report of 2024-11-24 for 64.08" in out.getvalue()
    assert SituationReport.objects.get().distributed_at is None
