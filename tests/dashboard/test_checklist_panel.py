"""The situation room's checklist panel: a missing or late TPS checklist is itself a signal. The
counts per phase (sent, late, not sent) follow the submissions and the clock, and the late and
missing counts link to the list of those TPS."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from siaga.checklists.choices import Phase
from siaga.checklists.selectors import phase_windows
from siaga.checklists.services import checklist_submit
from siaga.core.audit import AuditContext
from tests.checklists.conftest import OPENING_ANSWERS, ChecklistWorld, set_clock
from tests.checklists.test_selectors import H1_ANSWERS

ROW = re.compile(r'<tr data-phase="(?P<phase>[a-z_0-9]+)">(?P<body>.*?)</tr>', re.S)


@pytest.fixture
def cw(world):
    return ChecklistWorld(world)


def panel(client) -> tuple[str, dict[str, dict[str, int]]]:
    """The panel's HTML and, per phase, its counts as the page states them."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<section class="checklist-panel"')
    section = html[start : html.index("</section>", start)]
    assert "data-checklist-overview" in section
    counts = {}
    for row in ROW.finditer(section):
        body = row["body"]
        counts[row["phase"]] = {
            name: int(re.search(rf'data-{name}="(\d+)"', body)[1])
            for name in ("submitted", "late", "missing")
        }
    return section, counts


def submit(cw, tps, phase: str, answers: dict, key: str) -> None:
    checklist_submit(
        context=AuditContext(actor=cw.analyst),
        user=cw.analyst,
        tps_id=tps.pk,
        template_id=cw.templates[phase].pk,
        answers=answers,
        idempotency_key=key,
    )


def test_the_panel_counts_sent_late_and_missing_checklists_as_they_change(client, cw):
    client.force_login(cw.analyst)
    overview = reverse("checklists:overview")
    h1 = phase_windows()[Phase.H_MINUS_1]
    opening = phase_windows()[Phase.OPENING]
    minute = dt.timedelta(minutes=1)

    # Before the H-1 checklist is due nothing is missing: 8 TPS in Kutai Timur still have time.
    set_clock(h1.opens + minute)
    section, counts = panel(client)
    assert list(counts) == [p.value for p in Phase]
    assert counts[Phase.H_MINUS_1] == {"submitted": 0, "late": 0, "missing": 0}
    assert "8 belum jatuh tempo" in section

    # One TPS answers in time.
    submit(cw, cw.tps_a1, Phase.H_MINUS_1, H1_ANSWERS, "h1-a1")
    section, counts = panel(client)
    assert counts[Phase.H_MINUS_1] == {"submitted": 1, "late": 0, "missing": 0}
    assert "7 belum jatuh tempo" in section

    # Past the due time the seven others are missing, and the panel says so with a link.
    set_clock(h1.due + minute)
    section, counts = panel(client)
    assert counts[Phase.H_MINUS_1] == {"submitted": 1, "late": 0, "missing": 7}
    assert f'href="{overview}?phase=h_minus_1&amp;state=missing' in section
    assert "phase=h_minus_1&amp;state=late" not in section

    # A TPS that answers after the due time is late: counted as sent, and as late.
    submit(cw, cw.tps_b1, Phase.H_MINUS_1, H1_ANSWERS, "h1-b1")
    section, counts = panel(client)
    assert counts[Phase.H_MINUS_1] == {"submitted": 2, "late": 1, "missing": 6}
    assert f'href="{overview}?phase=h_minus_1&amp;state=late' in section

    # Voting day, past the opening checklist's due time: one TPS opened and reported in time
    # (answered before the due time), every other one is missing; H-1 keeps its counts.
    set_clock(opening.due - minute)
    submit(cw, cw.tps_a1, Phase.OPENING, OPENING_ANSWERS, "open-a1")
    set_clock(opening.due + minute)
    section, counts = panel(client)
    assert counts[Phase.OPENING] == {"submitted": 1, "late": 0, "missing": 7}
    assert counts[Phase.H_MINUS_1] == {"submitted": 2, "late": 1, "missing": 6}
    assert counts[Phase.COUNTING] == {"submitted": 0, "late": 0, "missing": 0}
