"""The demo's checklists: only templates at H-3; on voting day most TPS answered, a few late
and a few missing, deterministically and idempotently."""

from __future__ import annotations

from siaga.checklists.choices import ItemKind, Phase
from siaga.checklists.demo import checklists_demo_load
from siaga.checklists.items import answers_clean
from siaga.checklists.models import ChecklistPhoto, ChecklistSubmission, ChecklistTemplate
from siaga.checklists.selectors import checklist_overview
from siaga.core.models import AuditEvent
from tests.checklists.conftest import CONTEXT, set_clock, wita
from tests.factories import TpsFactory


def test_at_h_minus_3_the_demo_only_seeds_the_templates(world):
    import datetime as dt

    from siaga.core.models import Deployment

    Deployment.objects.create(
        regency=world.regency, election_name="Pilkada", voting_day=dt.date(2024, 11, 27)
    )
    summary = checklists_demo_load(
        context=CONTEXT, regency_code="64.08", now=wita(2024, 11, 24, 10, 0)
    )
    assert summary.templates_created == 5 and summary.submissions_created == 0
    assert ChecklistTemplate.objects.count() == 5 and not ChecklistSubmission.objects.exists()


def test_on_voting_night_most_tps_answered_a_few_late_a_few_missing(cw):
    for n in range(3, 40):
        TpsFactory(desa=cw.w.desa_b2, number=n)
    now = wita(2024, 11, 27, 23, 0)
    summary = checklists_demo_load(context=CONTEXT, regency_code="64.08", now=now)
    tps = 8 + 37
    assert 0.8 * tps * 5 < summary.submissions_created < tps * 5
    assert summary.late > 0
    assert set(summary.by_phase) == set(Phase.values)
    assert not ChecklistSubmission.objects.filter(tps=cw.tps_other).exists()
    for submission in ChecklistSubmission.objects.select_related("template"):
        items = submission.template.items
        photos = {i["key"] for i in items if i["kind"] == ItemKind.PHOTO and i.get("required")}
        assert answers_clean(items, submission.answers, photo_keys=photos) == submission.answers
    counting = ChecklistSubmission.objects.filter(template__phase=Phase.COUNTING).count()
    assert ChecklistPhoto.objects.filter(item_key="foto_c_hasil").count() == counting
    assert AuditEvent.objects.filter(action="demo.checklists").count() == 1
    set_clock(now)
    counts = {c.phase: c for c in checklist_overview(user=cw.analyst)}
    assert counts[Phase.COUNTING].missing > 0 and counts[Phase.COUNTING].late > 0
    assert counts[Phase.COUNTING].not_yet_due == 0
    # A second run writes nothing; the draws are the same.
    again = checklists_demo_load(context=CONTEXT, regency_code="64.08", now=now)
    assert again.submissions_created == 0
    assert AuditEvent.objects.filter(action="demo.checklists").count() == 1


def test_at_voting_day_morning_only_what_was_sent_by_then_exists(cw):
    summary = checklists_demo_load(
        context=CONTEXT, regency_code="64.08", now=wita(2024, 11, 27, 7, 15)
    )
    assert set(summary.by_phase) <= {Phase.H_MINUS_1, Phase.OPENING, Phase.VOTING}
    assert summary.by_phase[Phase.H_MINUS_1] >= 6
    assert not ChecklistSubmission.objects.filter(
        submitted_at__gt=wita(2024, 11, 27, 7, 15)
    ).exists()
