"""The double-registration search over the stored roll and the review decisions
(siaga/voters/linkage.py, siaga/voters/tasks.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from siaga.core.audit import AuditContext, audit_verify
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.voters import linkage
from siaga.voters.linkage import (
    PairDecisionError,
    linkage_run_enqueue,
    linkage_run_execute,
    pair_confirm,
    pair_dismiss,
    pair_reopen,
)
from siaga.voters.models import DuplicatePair, JobStatus, LinkageRun, PairStatus
from tests.voters.review_world import RollWorld


@pytest.fixture
def roll(db):
    return RollWorld()


def _run(roll, user=None, threshold=None) -> LinkageRun:
    run = LinkageRun.objects.create(
        threshold=threshold or linkage.DEFAULT_THRESHOLD, created_by=user or roll.analyst
    )
    return linkage_run_execute(run=run, context=AuditContext.cli(roll.analyst))


def _pair(a, b) -> DuplicatePair | None:
    left, right = sorted((a.pk, b.pk))
    return DuplicatePair.objects.filter(voter_l_id=left, voter_r_id=right).first()


def _ctx(user):
    return AuditContext(actor=user, channel="web")


# --- the run -------------------------------------------------------------------------------


def test_run_finds_planted_duplicates_with_class_and_evidence(roll):
    messages: list[str] = []
    run = LinkageRun.objects.create(threshold=linkage.DEFAULT_THRESHOLD, created_by=roll.analyst)
    linkage_run_execute(run=run, context=AuditContext.cli(roll.analyst), progress=messages.append)
    run.refresh_from_db()
    assert run.status == JobStatus.DONE
    assert run.voters == 50
    assert run.started_at and run.finished_at and run.finished_at >= run.started_at
    assert messages, "progress was reported"

    siti = _pair(roll.siti, roll.siti_copy)
    assert siti is not None and siti.status == PairStatus.SUSPECTED
    assert siti.klass == "K1"  # same identity, another desa
    assert siti.probability >= linkage.DEFAULT_THRESHOLD
    assert siti.run == run
    assert siti.evidence["source"] == "engine"
    assert siti.evidence["fields"]["nik"]["level"] == "NIK beda 1 digit"
    assert siti.evidence["fields"]["nik"]["bf"] > 1
    assert siti.evidence["why"]

    rudi = _pair(roll.rudi, roll.rudi_copy)
    assert rudi is not None and rudi.klass == "K3"  # similar, not identical

    assert _pair(roll.nur1, roll.nur2) is None, "twins are two people"
    assert run.pairs_found == DuplicatePair.objects.count()


def test_shared_nik_pair_is_k2_and_marked_as_such(roll):
    _run(roll)
    k2 = _pair(roll.ahmad, roll.rizal)
    assert k2 is not None
    assert k2.klass == "K2"
    assert k2.evidence["source"] == "nik" or k2.evidence["nik_shared"] is True


def test_shared_nik_is_found_in_sql_even_when_the_engine_scores_it_low(roll, monkeypatch):
    # The engine scores nothing above the threshold: only the SQL search can find the pair.
    monkeypatch.setattr("siaga.engines.linkage.dedup.dedup", lambda *a, **k: ([], []))
    run = _run(roll)
    k2 = _pair(roll.ahmad, roll.rizal)
    assert k2 is not None and k2.klass == "K2"
    assert k2.evidence["source"] == "nik" and k2.evidence["why"]
    assert k2.probability == 1.0
    # Same NIK and same identity at another address: a K1, also found without the engine.
    assert _pair(roll.outsider, roll.outsider_copy).klass == "K1"
    assert run.pairs_found == 2


def test_rerun_keeps_decisions_refreshes_suspected_and_withdraws_what_is_gone(roll):
    first = _run(roll)
    siti = _pair(roll.siti, roll.siti_copy)
    rudi = _pair(roll.rudi, roll.rudi_copy)
    pair_confirm(pair=siti, context=_ctx(roll.analyst), user=roll.analyst, note="satu orang")
    # An old suspected pair no later run finds (the roll was corrected since).
    stale = roll.pair(roll.filler[0], roll.filler[1], status=PairStatus.SUSPECTED)
    # A decided pair the engine no longer finds keeps its decision and stays.
    dismissed = roll.pair(roll.filler[2], roll.filler[3], status=PairStatus.DISMISSED)
    DuplicatePair.objects.filter(pk=rudi.pk).update(probability=0.5, evidence={})

    second = _run(roll)
    siti.refresh_from_db()
    rudi.refresh_from_db()
    assert siti.status == PairStatus.CONFIRMED and siti.note == "satu orang"
    assert siti.run == first, "a decided pair is left as it was"
    assert rudi.run == second and rudi.probability >= linkage.DEFAULT_THRESHOLD
    assert rudi.evidence["fields"], "suspected pairs take the new evidence"
    assert not DuplicatePair.objects.filter(pk=stale.pk).exists()
    assert DuplicatePair.objects.get(pk=dismissed.pk).status == PairStatus.DISMISSED
    event = AuditEvent.objects.filter(action="voters.linkage_run.finish").last()
    assert event.after["pairs_kept_decided"] == 1
    assert event.after["pairs_withdrawn"] == 1
    assert event.after["pairs_created"] == 0


def test_run_writes_one_audit_event_with_counts_and_no_nik(roll):
    run = _run(roll)
    events = AuditEvent.objects.filter(object_id=str(run.pk), object_type="voters.linkagerun")
    assert events.count() == 1
    event = events.get()
    assert event.after["pairs_found"] == run.pairs_found
    assert event.after["voters"] == 50
    assert event.actor == roll.analyst
    text = str(event.after) + str(event.before) + event.object_repr
    for v in (roll.siti, roll.ahmad, roll.rudi):
        assert v.nik not in text
    assert audit_verify().ok


def test_failed_run_is_marked_with_the_error_and_audited(roll, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Kolom wajib tidak ada di berkas: nik")

    monkeypatch.setattr("siaga.engines.linkage.dedup.dedup", broken)
    run = LinkageRun.objects.create(threshold=0.9, created_by=roll.analyst)
    with pytest.raises(ValueError):
        linkage_run_execute(run=run, context=AuditContext.cli(roll.analyst))
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED
    assert "Kolom wajib" in run.error
    assert AuditEvent.objects.filter(action="voters.linkage_run.fail").count() == 1
    assert not DuplicatePair.objects.exists()


def test_empty_roll_finishes_with_no_pairs(db):
    from tests.factories import World

    world = World()
    run = LinkageRun.objects.create(threshold=0.9)
    linkage_run_execute(run=run, context=AuditContext.cli())
    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.voters == 0 and run.pairs_found == 0
    assert world.regency  # the world exists, the roll is empty


# --- enqueueing and the worker --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_enqueued_run_is_executed_by_the_worker():
    roll = RollWorld()
    run = linkage_run_enqueue(context=_ctx(roll.analyst), user=roll.analyst)
    assert run.status == JobStatus.QUEUED and run.threshold == linkage.DEFAULT_THRESHOLD
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False)
    run.refresh_from_db()
    assert run.status == JobStatus.DONE, run.error
    assert _pair(roll.siti, roll.siti_copy) is not None
    event = AuditEvent.objects.get(action="voters.linkage_run.finish")
    assert event.actor == roll.analyst and event.channel == "system"


def test_enqueue_refuses_a_second_run_while_one_is_active(roll):
    linkage_run_enqueue(context=_ctx(roll.analyst), user=roll.analyst)
    with pytest.raises(PairDecisionError):
        linkage_run_enqueue(context=_ctx(roll.kpu_liaison), user=roll.kpu_liaison)
    assert LinkageRun.objects.count() == 1


def test_enqueue_refuses_a_bad_threshold_and_users_without_the_right(roll):
    with pytest.raises(PairDecisionError):
        linkage_run_enqueue(context=_ctx(roll.analyst), user=roll.analyst, threshold=1.5)
    for user in (roll.leader, roll.monitor, roll.polres_liaison):
        with pytest.raises(PermissionDenied):
            linkage_run_enqueue(context=_ctx(user), user=user)
    assert not LinkageRun.objects.exists()
    run = linkage_run_enqueue(context=_ctx(roll.bawaslu_liaison), user=roll.bawaslu_liaison)
    assert run.created_by == roll.bawaslu_liaison


# --- decisions ------------------------------------------------------------------------------


def test_confirm_records_who_and_when_and_audits_before_after(roll):
    pair = roll.pair(roll.siti, roll.siti_copy, klass="K1")
    pair_confirm(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="sama")
    pair.refresh_from_db()
    assert pair.status == PairStatus.CONFIRMED
    assert pair.decided_by == roll.analyst and pair.decided_at is not None
    event = AuditEvent.objects.get(action="voters.pair.confirm")
    assert event.before["status"] == PairStatus.SUSPECTED
    assert event.after["status"] == PairStatus.CONFIRMED
    assert event.after["decided_by_id"] == roll.analyst.pk
    assert event.region_code == roll.siti.desa_id
    assert roll.siti.nik not in str(event.after)


def test_dismiss_requires_a_note(roll):
    pair = roll.pair(roll.nur1, roll.nur2)
    with pytest.raises(PairDecisionError) as exc:
        pair_dismiss(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="  ")
    assert exc.value.field == "note"
    pair.refresh_from_db()
    assert pair.status == PairStatus.SUSPECTED
    pair_dismiss(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="kembar")
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED and pair.note == "kembar"
    assert AuditEvent.objects.filter(action="voters.pair.dismiss").count() == 1


def test_decided_pair_cannot_be_decided_again_but_may_be_reopened_with_a_note(roll):
    pair = roll.pair(roll.siti, roll.siti_copy)
    pair_dismiss(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="beda")
    with pytest.raises(PairDecisionError):
        pair_confirm(pair=pair, context=_ctx(roll.analyst), user=roll.analyst)
    with pytest.raises(PairDecisionError):
        pair_reopen(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="")
    pair_reopen(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="cek ulang")
    pair.refresh_from_db()
    assert pair.status == PairStatus.SUSPECTED
    assert pair.decided_by is None and pair.decided_at is None
    event = AuditEvent.objects.get(action="voters.pair.reopen")
    assert event.before["status"] == PairStatus.DISMISSED
    assert event.after["status"] == PairStatus.SUSPECTED
    with pytest.raises(PairDecisionError):
        pair_reopen(pair=pair, context=_ctx(roll.analyst), user=roll.analyst, note="lagi")


def test_two_analysts_deciding_at_once_do_not_both_win(roll):
    pair = roll.pair(roll.siti, roll.siti_copy)
    # Both opened the page while the pair was suspected.
    seen_by_analyst = DuplicatePair.objects.get(pk=pair.pk)
    seen_by_bawaslu = DuplicatePair.objects.get(pk=pair.pk)
    pair_confirm(pair=seen_by_analyst, context=_ctx(roll.analyst), user=roll.analyst)
    with pytest.raises(PairDecisionError):
        pair_dismiss(
            pair=seen_by_bawaslu,
            context=_ctx(roll.bawaslu_liaison),
            user=roll.bawaslu_liaison,
            note="bukan",
        )
    pair.refresh_from_db()
    assert pair.status == PairStatus.CONFIRMED and pair.decided_by == roll.analyst
    assert AuditEvent.objects.filter(action__startswith="voters.pair.").count() == 1


def test_only_reviewers_in_scope_may_decide(roll):
    pair = roll.pair(roll.siti, roll.siti_copy)
    for user in (roll.leader, roll.monitor, roll.polres_liaison, roll.paser_analyst):
        with pytest.raises(PermissionDenied):
            pair_confirm(pair=pair, context=_ctx(user), user=user)
    pair.refresh_from_db()
    assert pair.status == PairStatus.SUSPECTED
    pair_confirm(pair=pair, context=_ctx(roll.bawaslu_liaison), user=roll.bawaslu_liaison)
    outside = roll.pair(roll.outsider, roll.outsider_copy, klass="K1")
    with pytest.raises(PermissionDenied):
        pair_confirm(pair=outside, context=_ctx(roll.analyst), user=roll.analyst)


@pytest.mark.django_db(transaction=True)
def test_two_decisions_racing_in_two_connections_leave_one_winner():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL; SQLite serialises all writers")
    roll = RollWorld()
    pair = roll.pair(roll.siti, roll.siti_copy)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, service, **kwargs):
        try:
            seen = DuplicatePair.objects.get(pk=pair.pk)
            barrier.wait(timeout=10)
            service(pair=seen, context=_ctx(user), user=user, **kwargs)
            outcomes.append("won")
        except PairDecisionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(roll.analyst, pair_confirm)),
        threading.Thread(
            target=decide, args=(roll.bawaslu_liaison, pair_dismiss), kwargs={"note": "beda"}
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "won"]
    assert AuditEvent.objects.filter(action__startswith="voters.pair.").count() == 1


# --- the flag to the TPS supervisors -------------------------------------------------------------


def test_a_confirmed_double_registration_is_flagged_to_the_monitors_of_its_tps_without_names(
    roll, django_capture_on_commit_callbacks
):
    from siaga.notifications.models import Notification

    _run(roll)
    siti = _pair(roll.siti, roll.siti_copy)
    with django_capture_on_commit_callbacks(execute=True):
        pair_confirm(pair=siti, context=_ctx(roll.analyst), user=roll.analyst)
    notes = list(Notification.objects.filter(kind=linkage.SUPERVISOR_FLAG_KIND))
    assert [n.recipient for n in notes] == [roll.monitor]  # assigned to Siti's TPS
    body = notes[0].title + notes[0].body
    assert roll.siti.tps.label in body and roll.siti.desa.name in body
    assert "SITI" not in body.upper() and roll.siti.nik not in body


def test_a_confirmed_k2_data_error_is_not_flagged_to_the_tps(
    roll, django_capture_on_commit_callbacks
):
    from siaga.notifications.models import Notification

    _run(roll)
    k2 = DuplicatePair.objects.filter(klass="K2").first()
    assert k2 is not None
    with django_capture_on_commit_callbacks(execute=True):
        pair_confirm(pair=k2, context=_ctx(roll.analyst), user=roll.analyst)
    assert not Notification.objects.filter(kind=linkage.SUPERVISOR_FLAG_KIND).exists()
