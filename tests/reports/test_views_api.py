"""The archive pages and the API: who reads, who generates (200, 403, 404)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from siaga.reports.models import SituationReport
from siaga.reports.services import report_generate
from tests.reports.conftest import SYSTEM

DAY = "2024-11-24"


@pytest.fixture
def report(rw):
    return report_generate(context=SYSTEM)


def test_the_archive_lists_the_days_with_their_three_files(rw, report, client):
    client.force_login(rw.leadership)
    body = client.get(reverse("reports:archive")).content.decode()
    assert f'data-report="{DAY}"' in body
    for name in ("detail", "pdf", "xlsx"):
        assert reverse(f"reports:{name}", args=[DAY]) in body
    assert reverse("reports:generate") not in body  # leadership reads, does not generate


def test_the_files_are_served_as_they_were_generated(rw, report, client):
    client.force_login(rw.liaison)
    html = client.get(reverse("reports:detail", args=[DAY]))
    assert html.status_code == 200 and html.content.decode() == report.html
    pdf = client.get(reverse("reports:pdf", args=[DAY]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(report.pdf)
    assert "laporan-situasi-kabupaten-kutai-timur-2024-11-24.pdf" in pdf["Content-Disposition"]
    xlsx = client.get(reverse("reports:xlsx", args=[DAY]))
    assert "Ringkasan" in load_workbook(io.BytesIO(xlsx.content)).sheetnames


@pytest.mark.parametrize("who", ["leadership_kec", "analyst_kec", "monitor"])
def test_a_report_outside_the_scope_does_not_exist(rw, report, client, who):
    client.force_login(getattr(rw, who))
    for name in ("detail", "pdf", "xlsx"):
        assert client.get(reverse(f"reports:{name}", args=[DAY])).status_code == 404
    archive = client.get(reverse("reports:archive"))
    if who == "monitor":
        assert archive.status_code == 404
    else:
        assert archive.status_code == 200 and f'data-report="{DAY}"' not in archive.content.decode()


def test_a_day_without_report_or_not_a_day_is_404(rw, report, client):
    client.force_login(rw.leadership)
    assert client.get(reverse("reports:detail", args=["2024-11-23"])).status_code == 404
    assert client.get(reverse("reports:pdf", args=["kemarin"])).status_code == 404


def test_the_generate_button_queues_the_job_that_makes_todays_report(
    rw, client, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(rw.analyst)
    assert reverse("reports:generate") in client.get(reverse("reports:archive")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:generate"))
    assert response.status_code == 302 and response.url == reverse("reports:archive")
    assert SituationReport.objects.get().generated_by == rw.analyst


@pytest.mark.parametrize(
    "who, status", [("leadership", 403), ("analyst_kec", 403), ("monitor", 404)]
)
def test_readers_may_not_press_the_button(rw, client, who, status):
    client.force_login(getattr(rw, who))
    assert client.post(reverse("reports:generate")).status_code == status
    assert not SituationReport.objects.exists()


def test_the_api_lists_and_shows_the_figures(rw, report, client):
    client.force_login(rw.leadership)
    listed = client.get("/api/v1/reports").json()
    assert [(r["day"], r["region_code"]) for r in listed] == [(DAY, "64.08")]
    assert listed[0]["pdf_url"] == f"/laporan/{DAY}/pdf"
    detail = client.get(f"/api/v1/reports/{DAY}").json()
    assert detail["figures"] == report.figures and detail["audit_head"] == report.audit_head
    client.force_login(rw.leadership_kec)
    assert client.get("/api/v1/reports").json() == []
    assert client.get(f"/api/v1/reports/{DAY}").status_code == 404


def test_the_api_generates_for_the_secretariat_only(rw, client):
    client.force_login(rw.leadership)
    refused = client.post("/api/v1/reports", {}, content_type="application/json")
    assert refused.status_code == 403 and not SituationReport.objects.exists()
    client.force_login(rw.analyst)
    bad = client.post("/api/v1/reports", {"day": "2024-11-20"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "day"
    made = client.post("/api/v1/reports", {"distribute": True}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["day"] == DAY and body["generated_by"] == "analyst" and body["distributed_at"]
    assert body["figures"]["summary"]["tps"] == 8


def test_the_latest_report_is_the_one_the_briefing_links(rw, report):
    from siaga.reports.selectors import latest

    assert latest(rw.leadership).pk == report.pk
    assert latest(rw.leadership_kec) is None and latest(rw.monitor) is None
