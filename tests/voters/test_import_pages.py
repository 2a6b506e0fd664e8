"""Pages and API of DPT imports: permissions, scope, progress, the validation report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from siaga.accounts.choices import AgencyKind, Role
from siaga.voters.models import DptImport, JobStatus
from tests.factories import AgencyFactory, UserFactory
from tests.voters.conftest import dpt_row, write_csv

pytestmark = pytest.mark.django_db

API = "/api/v1/voters/imports"


@pytest.fixture
def kpu_liaison(world):
    kpu = AgencyFactory(code="kpu-kutim", name="KPU Kutai Timur", kind=AgencyKind.KPU)
    return UserFactory(username="kpu", role=Role.LIAISON, agency=kpu, scope=[world.regency])


@pytest.fixture
def done_import(world, run_import, tmp_path):
    rows = [dpt_row(1), dpt_row(2, tps="9"), dpt_row(3, sex="X")]
    dpt_import, _ = run_import(write_csv(tmp_path / "dpt.csv", rows))
    return dpt_import


@pytest.fixture
def other_regency_import(world):
    return DptImport.objects.create(
        file_name="paser.csv", sha256="b" * 64, scope_code="64.01", status=JobStatus.DONE
    )


def _csv_upload(tmp_path, name="dpt.csv", rows=None) -> SimpleUploadedFile:
    path = write_csv(tmp_path / name, rows or [dpt_row(1), dpt_row(2)])
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


@pytest.mark.parametrize("role", [Role.FIELD_MONITOR, Role.LEADERSHIP])
def test_field_monitors_and_leadership_may_not_open_imports(client, world, done_import, role):
    client.force_login(world.user(role))
    assert client.get(reverse("voters:import_list")).status_code == 403
    assert client.get(reverse("voters:import_detail", args=[done_import.pk])).status_code == 403
    report = reverse("voters:import_report", args=[done_import.pk, "csv"])
    assert client.get(report).status_code == 403
    assert client.get(API).status_code == 403
    assert client.get(f"{API}/{done_import.pk}").status_code == 403


def test_a_bawaslu_liaison_may_not_import(client, world, done_import):
    bawaslu = AgencyFactory(code="bawaslu", name="Bawaslu", kind=AgencyKind.BAWASLU)
    client.force_login(UserFactory(role=Role.LIAISON, agency=bawaslu, scope=[world.regency]))
    assert client.get(reverse("voters:import_list")).status_code == 403


def test_anonymous_users_are_sent_to_login(client, world, done_import, settings):
    response = client.get(reverse("voters:import_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    poll = client.get(
        reverse("voters:import_detail", args=[done_import.pk]), headers={"HX-Request": "true"}
    )
    assert poll.status_code == 286 and poll.content == b""  # htmx stops polling


def test_list_shows_imports_in_scope_only_with_bounded_queries(
    client, world, analyst, done_import, other_regency_import, django_assert_max_num_queries
):
    for n in range(5):
        DptImport.objects.create(
            file_name=f"lama-{n}.csv", sha256=f"{n}" * 64, scope_code="64.08", created_by=analyst
        )
    client.force_login(analyst)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("voters:import_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "dpt.csv" in body and "lama-4.csv" in body
    assert "paser.csv" not in body
    assert 'name="region"' in body and "64.08.04" in body and "64.01" not in body


def test_another_regencys_import_is_a_404(client, world, analyst, other_regency_import):
    client.force_login(analyst)
    pk = other_regency_import.pk
    assert client.get(reverse("voters:import_detail", args=[pk])).status_code == 404
    assert client.get(reverse("voters:import_report", args=[pk, "xlsx"])).status_code == 404
    assert client.get(f"{API}/{pk}").status_code == 404


def test_a_kecamatan_user_does_not_see_a_regency_wide_import(client, world, done_import):
    client.force_login(world.user(Role.ANALYST, scope=[world.kec_a]))
    assert client.get(reverse("voters:import_detail", args=[done_import.pk])).status_code == 404


def test_detail_shows_counts_and_rejected_rows_with_masked_nik(client, world, analyst, done_import):
    client.force_login(analyst)
    response = client.get(reverse("voters:import_detail", args=[done_import.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="accepted">1<' in body and 'data-count="rejected">2<' in body
    nik = dpt_row(2)["nik"]
    assert nik not in body
    assert nik[:4] + "*" * 10 + nik[-2:] in body
    assert "TPS 009 tidak ada" in body
    assert 'id="import-progress"' in body
    assert "every 2s" not in body  # finished: no more polling


def test_a_kpu_liaison_sees_the_full_nik(client, world, kpu_liaison, done_import):
    client.force_login(kpu_liaison)
    body = client.get(reverse("voters:import_detail", args=[done_import.pk])).content.decode()
    assert dpt_row(2)["nik"] in body


def test_a_running_import_polls_its_progress_from_the_cache(client, world, analyst):
    from django.core.cache import cache

    running = DptImport.objects.create(
        file_name="besar.csv", sha256="c" * 64, scope_code="64.08", status=JobStatus.RUNNING
    )
    cache.set(
        f"voters:dpt-import:{running.pk}:progress",
        {"rows_read": 4000, "rows_total": 10000, "accepted": 3990, "rejected": 10},
    )
    client.force_login(analyst)
    url = reverse("voters:import_detail", args=[running.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="40"' in page

    partial = client.get(url, headers={"HX-Request": "true"})
    assert 'data-count="read">4000' in partial.content.decode()
    assert "HX-Refresh" not in partial

    DptImport.objects.filter(pk=running.pk).update(status=JobStatus.DONE)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


def test_validation_report_csv_lists_every_error_with_masked_nik(
    client, world, analyst, done_import
):
    client.force_login(analyst)
    response = client.get(reverse("voters:import_report", args=[done_import.pk, "csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:5] == ["lembar", "baris", "kolom", "pesan", "id"]
    assert [(line[1], line[2]) for line in lines[1:]] == [("3", "tps"), ("4", "sex")]
    assert dpt_row(2)["nik"] not in text
    assert "*" * 10 in text


def test_validation_report_xlsx_opens_with_the_same_rows(client, world, analyst, done_import):
    from openpyxl import load_workbook

    client.force_login(analyst)
    response = client.get(reverse("voters:import_report", args=[done_import.pk, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "3" and rows[2][2] == "sex"
    assert (
        client.get(reverse("voters:import_report", args=[done_import.pk, "pdf"])).status_code == 404
    )


def test_upload_stores_the_file_and_queues_the_job(
    client, world, analyst, deployment, dpt_data_dir, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("voters:import_list"), {"file": _csv_upload(tmp_path), "region": "64.08"}
        )
    dpt_import = DptImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voters:import_detail", args=[dpt_import.pk])
    assert dpt_import.status == JobStatus.QUEUED and dpt_import.created_by == analyst
    assert (dpt_data_dir / "dpt" / f"{dpt_import.sha256}.csv").is_file()
    assert len(callbacks) == 1


def test_uploading_the_same_file_again_leads_to_the_first_import(
    client, world, analyst, done_import, tmp_path
):
    client.force_login(analyst)
    content = Path(done_import.stored_path).read_bytes()
    upload = SimpleUploadedFile("lagi.csv", content)
    response = client.post(reverse("voters:import_list"), {"file": upload, "region": "64.08"})
    assert response["Location"] == reverse("voters:import_detail", args=[done_import.pk])
    assert DptImport.objects.count() == 1


def test_upload_refuses_a_region_outside_the_scope_and_a_bad_type(
    client, world, deployment, dpt_data_dir, tmp_path
):
    client.force_login(world.user(Role.ANALYST, scope=[world.kec_a]))
    response = client.post(
        reverse("voters:import_list"), {"file": _csv_upload(tmp_path), "region": "64.08.06"}
    )
    assert response.status_code == 400
    pdf = SimpleUploadedFile("dpt.pdf", b"%PDF-1.4")
    response = client.post(reverse("voters:import_list"), {"file": pdf, "region": "64.08.04"})
    assert response.status_code == 400
    assert "tidak didukung" in response.content.decode()
    assert DptImport.objects.count() == 0


def test_api_upload_list_and_detail(
    client, world, kpu_liaison, deployment, dpt_data_dir, tmp_path, other_regency_import
):
    client.force_login(kpu_liaison)
    created = client.post(API, {"file": _csv_upload(tmp_path), "region": "6408"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "antri" and body["region"] == "64.08" and body["created"] is True

    again = client.post(API, {"file": _csv_upload(tmp_path), "region": "64.08"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["created"] is False

    listed = client.get(API).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    detail = client.get(f"{API}/{body['id']}").json()
    assert detail["progress"]["rows_read"] == 0 and detail["sha256"] == body["sha256"]


def test_api_refuses_a_bad_region_and_a_field_monitor(
    client, world, deployment, dpt_data_dir, tmp_path
):
    client.force_login(world.user(Role.ANALYST))
    refused = client.post(API, {"file": _csv_upload(tmp_path), "region": "64.01"})
    assert refused.status_code == 400 and refused.json()["field"] == "region"
    refused = client.post(API, {"file": _csv_upload(tmp_path, "x.doc"), "region": "64.08"})
    assert refused.status_code == 400 and refused.json()["field"] == "file"

    client.force_login(world.user(Role.FIELD_MONITOR, scope=[world.desa_a1]))
    assert client.post(API, {"file": _csv_upload(tmp_path), "region": "64.08"}).status_code == 403
    assert DptImport.objects.count() == 0
