"""The leadership briefing (/pimpinan/): five numbers read through the modules' selectors, what
needs a decision, the latest report; on the Kutai Timur demo, as the Pjs Bupati sees it."""

import re

import pytest
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.accounts.models import User
from siaga.core.audit import AuditContext
from siaga.dashboard.briefing import briefing

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from siaga.demo.services import demo_load

    return demo_load(context=AuditContext.cli(), national_regions=False, media=False)


def _numbers(html: str) -> dict[str, int]:
    found = re.findall(r'data-number="(\w+)".*?<strong data-value>([\d.,]+)</strong>', html, re.S)
    return {key: int(value.replace(".", "").replace(",", "")) for key, value in found}


def test_the_briefing_shows_five_numbers_the_decisions_and_the_latest_report(demo, client):
    from siaga.coordination.selectors import task_counts
    from siaga.risk.selectors import panel

    leader = User.objects.filter(role=Role.LEADERSHIP).order_by("pk").first()
    assert leader is not None, "the demo has a leadership account"
    client.force_login(leader)
    response = client.get(reverse("dashboard:briefing"))
    assert response.status_code == 200
    html = response.content.decode()

    numbers = _numbers(html)
    assert list(numbers) == ["risk", "logistics", "incidents", "media", "tasks"]
    counts = panel(leader)["counts"]
    assert numbers["risk"] == counts["rawan"] + counts["sangat_rawan"] > 0
    assert numbers["tasks"] == task_counts(leader)["overdue"] >= 1  # the demo's overdue task
    expected = {n.key: n.value for n in briefing(leader, region_code="64.08").numbers}
    assert numbers == expected

    # What waits for a decision: the overdue task, the alerts nobody acknowledged.
    kinds = re.findall(r'data-decision="(\w+)"', html)
    assert "task" in kinds and "alert" in kinds
    # The latest report of the demo day, with its PDF.
    assert reverse("reports:pdf", args=["2024-11-24"]) in html
    # The map with the risk layer switched on.
    assert 'data-siaga-map="siaga-map-config"' in html and "risk_layer.js" in html


def test_field_monitors_have_no_briefing(world, client):
    monitor = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1])
    client.force_login(monitor)
    assert client.get(reverse("dashboard:briefing")).status_code == 404
