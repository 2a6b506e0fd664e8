"""Eight requests with the same idempotency key at the same moment, on PostgreSQL: one is
recorded, the others answer with it (the IntegrityError of the losers becomes a replay)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from siaga.checklists.models import ChecklistSubmission
from siaga.checklists.services import checklist_submit
from siaga.core.audit import AuditContext, audit_verify
from siaga.core.models import AuditEvent
from tests.checklists.conftest import OPENING_ANSWERS

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every writer, so there is no race to test",
)
CLIENTS = 8


def test_the_same_key_sent_at_once_is_recorded_once(transactional_db, cw):
    barrier = threading.Barrier(CLIENTS)

    def send(_n):
        try:
            barrier.wait()
            submission, created = checklist_submit(
                context=AuditContext(actor=cw.monitor_tps),
                user=cw.monitor_tps,
                tps_id=cw.tps_a1.pk,
                template_id=cw.opening.pk,
                answers=OPENING_ANSWERS,
                idempotency_key="same-key",
            )
            return submission.pk, created
        finally:
            connections.close_all()

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(send, range(CLIENTS)))
    assert sum(created for _pk, created in results) == 1
    assert len({pk for pk, _created in results}) == 1
    assert ChecklistSubmission.objects.count() == 1
    assert AuditEvent.objects.filter(action="checklists.submission.create").count() == 1
    assert audit_verify().ok
