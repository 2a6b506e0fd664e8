"""The audit trail is hash-chained: any modified, deleted or inserted row is detected."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from siaga.core.audit import GENESIS_HASH, AuditContext, audit_record, audit_verify
from siaga.core.models import AuditEvent


@pytest.fixture
def chain(db):
    context = AuditContext(channel="test", source_ip="10.1.2.3")
    for n in range(5):
        audit_record(
            context=context,
            action="tps.update",
            object_type="wilayah.tps",
            object_id=str(n),
            object_repr=f"TPS {n:03d}",
            region_code="64.08.04.1001",
            before={"dpt_male": n, "note": "sebelum"},
            after={"dpt_male": n + 1, "ratio": 0.1},
        )
    return list(AuditEvent.objects.order_by("seq"))


def test_an_untouched_chain_verifies_and_links_each_row_to_the_one_before(chain):
    report = audit_verify()
    assert report.ok, report.problems
    assert report.checked == 5
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))
    assert report.head_hash == chain[-1].hash


def test_a_modified_row_is_detected(chain):
    AuditEvent.objects.filter(seq=3).update(after={"dpt_male": 999, "ratio": 0.1})
    report = audit_verify()
    assert not report.ok
    assert any(p.startswith("#3:") and "modified" in p for p in report.problems)


def test_a_modified_actor_label_is_detected(chain):
    AuditEvent.objects.filter(seq=2).update(actor_label="someone-else")
    assert any("#2:" in p for p in audit_verify().problems)


def test_a_deleted_row_is_detected(chain):
    AuditEvent.objects.filter(seq=2).delete()
    problems = audit_verify().problems
    assert any("#3:" in p and "deleted" in p for p in problems)


def test_deleting_the_last_row_is_visible_as_a_changed_head(chain):
    head_before = audit_verify().head_hash
    AuditEvent.objects.filter(seq=5).delete()
    # The chain itself is still consistent: the head hash published elsewhere (daily report)
    # is what reveals a truncated tail.
    assert audit_verify().head_hash != head_before


def test_an_inserted_row_is_detected(chain):
    # Make room in the middle and insert a forged row with a plausible hash of its own.
    for seq in range(5, 2, -1):
        AuditEvent.objects.filter(seq=seq).update(seq=seq + 1)
    forged = AuditEvent.objects.get(seq=2)
    forged.pk, forged.seq, forged.hash = None, 3, "f" * 64
    forged.object_id = "forged"
    forged.save(force_insert=True)
    problems = audit_verify().problems
    assert any("#3:" in p for p in problems)
    assert any("#4:" in p and "deleted or inserted" in p for p in problems)


def test_siaga_audit_verify_exits_non_zero_on_a_broken_chain(chain, capsys):
    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out
    AuditEvent.objects.filter(seq=1).update(action="tps.delete")
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("audit", "verify")


def test_an_event_records_who_what_when_where_before_and_after(db, django_user_model):
    user = django_user_model.objects.create(username="analis")
    event = audit_record(
        context=AuditContext(actor=user, source_ip="192.0.2.7", channel="web"),
        action="tps.update",
        object_type="wilayah.tps",
        object_id="7",
        before={"address": "lama"},
        after={"address": "baru"},
    )
    event.refresh_from_db()
    assert (event.actor_id, event.actor_label, event.source_ip) == (user.pk, "analis", "192.0.2.7")
    assert event.before == {"address": "lama"} and event.after == {"address": "baru"}
    assert event.created_at is not None
    assert audit_verify().ok
