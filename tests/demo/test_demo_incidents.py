"""The demo's incident reports on voting day (27 November 2024, 15:30 WITA), checked without a
browser: a stream in several states over several channels, each with its timeline and audit
trail, and the 2024 Sangatta Utara case of one voter voting twice at one TPS, told twice, merged,
and closed with Bawaslu's recommendation of a re-vote as docs/incidents.md tells it.

The demo is loaded once (it is slow), in a single test with several checks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent
from siaga.demo.incidents import KEY_PREFIX, REPORTS
from siaga.demo.services import demo_load, demo_now
from siaga.incidents.choices import Channel, EventKind, State
from siaga.incidents.models import Event, Incident
from siaga.wilayah.models import Region

CONTEXT = AuditContext.cli()


@pytest.fixture(autouse=True)
def _needs_code_list():
    if not (Path(settings.SIAGA_WILAYAH_DATA_DIR) / "villages.csv").exists():
        pytest.skip("idn-area-data is not installed; run `make install`")


@pytest.fixture
def voting_day(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load(context=CONTEXT, national_regions=False, voting_day=True, media=False)


def test_the_voting_day_demo_tells_the_incident_stream_and_the_sangatta_utara_case(voting_day):
    now = demo_now(voting_day=True)
    assert dt.timedelta(0) <= clock.now() - now < dt.timedelta(minutes=10)  # the clock runs on
    reports = list(
        Incident.objects.filter(idempotency_key__startswith=KEY_PREFIX).select_related(
            "category", "tps", "reporter", "merged_into"
        )
    )
    # Every report of the story has reached Siaga by 15:30 (none is received later).
    assert len(reports) == len(REPORTS) >= 15

    # --- A stream in several states, over several channels --------------------------------------
    states = {r.state for r in reports}
    assert len(states) >= 4, states
    assert {State.DIGABUNG, State.SELESAI, State.DITINDAKLANJUTI} <= states
    assert voting_day.incidents == {s: sum(r.state == s for r in reports) for s in states}
    channels = {r.channel for r in reports}
    assert {Channel.FIELD, Channel.PUBLIC, Channel.SMS, Channel.TELEGRAM, Channel.WEB} <= channels
    voting_day_reports = [r for r in reports if r.occurred_at.astimezone(now.tzinfo).day == 27]
    assert len(voting_day_reports) >= 8
    assert all(r.received_at <= now for r in reports)

    # --- Every report has its timeline and its audit trail --------------------------------------
    for report in reports:
        events = list(Event.objects.filter(incident=report).order_by("at", "pk"))
        assert events and events[0].kind == EventKind.CREATED, report.idempotency_key
        assert events[0].at == report.received_at
        assert all(e.at <= now for e in events), report.idempotency_key
        assert AuditEvent.objects.filter(
            action="incident.create", object_type="incidents.incident", object_id=str(report.pk)
        ).exists(), report.idempotency_key
        if report.state != State.DITERIMA:
            assert AuditEvent.objects.filter(
                action=f"incident.{report.state}", object_id=str(report.pk)
            ).exists(), report.idempotency_key

    # --- The 2024 Sangatta Utara double vote -----------------------------------------------------
    assert Region.objects.get(code="64.08.04").name == "Sangatta Utara"
    case = next(r for r in reports if r.idempotency_key == KEY_PREFIX + "pemilih-dua-kali")
    copy = next(r for r in reports if r.idempotency_key == KEY_PREFIX + "pemilih-dua-kali-warga")
    assert case.category.code == copy.category.code == "pemilih-ganda"
    assert case.tps is not None and case.tps_id == copy.tps_id
    assert case.tps.desa_id.startswith("64.08.04.")
    assert case.region_id == case.tps.desa_id
    # Told by the police post through the field form, then by a citizen through the public form.
    assert case.channel == Channel.FIELD and case.reporter.username == "polsek.sangatta"
    assert copy.channel == Channel.PUBLIC and copy.anonymous and copy.reporter_id is None
    assert copy.received_at > case.received_at
    # The citizen's copy is merged into the police post's report, which is closed by 15:30 with
    # Bawaslu's recommendation of a re-vote.
    assert copy.state == State.DIGABUNG and copy.merged_into_id == case.pk
    assert case.state == State.SELESAI, case.state
    assert case.state_changed_at <= now
    assert "Bawaslu" in case.outcome and "PSU" in case.outcome
    assert case.assigned_agency.code == "bawaslu"
    kinds = list(
        Event.objects.filter(incident=case).order_by("at", "pk").values_list("kind", "to_state")
    )
    assert kinds[0] == (EventKind.CREATED, State.DITERIMA)
    assert (EventKind.MERGED, "") in kinds  # the copy joined it
    assert kinds[-1] == (EventKind.STATE, State.SELESAI)
    assert [k for k in kinds if k[1]] == [
        (EventKind.CREATED, State.DITERIMA),
        (EventKind.STATE, State.DIVERIFIKASI),
        (EventKind.ASSIGNED, State.DITINDAKLANJUTI),
        (EventKind.STATE, State.SELESAI),
    ]
