"""The plan's exports (XLSX per kecamatan, PDF per unit) and the /pengamanan/ pages, with who may
see and do what: VIEW reads (404 outside the scope), PLAN_DEPLOYMENT makes plans (403 for other
readers)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.security import exports, selectors, services
from siaga.security.models import DeploymentPlan
from tests.security.conftest import add_unit


@pytest.fixture
def short_plan(world, staffed, system):
    """A Kutai Timur plan where Busang's Polsek is withdrawn: its 4 TPS are short."""
    base = services.plan_create(context=system, region_code="64.08", name="Rencana dasar")
    return services.plan_create(
        context=system, region_code="64.08", withdrawn=[staffed["polsek_b"].pk], based_on=base
    )


@pytest.fixture
def paser_plan(world, staffed, system):
    return services.plan_create(context=system, region_code="64.01", name="Rencana Paser")


def _sheets(body: bytes) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book}


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


# --- exports ------------------------------------------------------------------------------------


def test_xlsx_has_a_sheet_per_kecamatan_and_the_shortfalls_with_reasons(short_plan):
    sheets = _sheets(exports.xlsx_bytes(selectors.plan_view(short_plan)))
    assert list(sheets) == ["Ringkasan", "Sangatta Utara", "Busang", "Kekurangan"]
    header, *rows = sheets["Sangatta Utara"]
    assert header == ("Satuan", "TPS", "Desa", "Kategori", "Skor", "Personel", "Linmas")
    officers = [r for r in rows if r[0] == "Polsek Sangatta Utara"]
    assert len(officers) == 4 and all(r[3] == "Aman" and r[5] >= 0.25 for r in officers)
    assert sum(r[6] for r in rows) == 8  # 4 TPS x 2 Linmas
    summary = {r[1]: r for r in sheets["Ringkasan"][1:]}
    assert summary["64.08.06"][2:5] == (4, 0, 4) and summary["64.08.04"][2:5] == (4, 4, 0)
    header, *short = sheets["Kekurangan"]
    assert len(short) == 4 and {r[0] for r in short} == {"Busang"}
    assert {r[5] for r in short} == {0.25}
    assert {r[7] for r in short} == {"Tidak ada satuan yang menjangkau TPS ini"}


def test_xlsx_for_one_kecamatan_holds_only_that_kecamatan(short_plan):
    view = selectors.plan_view(short_plan).only("64.08.04")
    sheets = _sheets(exports.xlsx_bytes(view))
    assert list(sheets) == ["Ringkasan", "Sangatta Utara", "Kekurangan"]
    assert len(sheets["Kekurangan"]) == 1  # the header only


def test_pdf_is_a_pdf_with_a_table_per_unit_and_the_shortfalls(short_plan):
    body = exports.pdf_bytes(exports.pdf_html(selectors.plan_view(short_plan)))
    assert body.startswith(b"%PDF")
    text = _pdf_text(body)
    for name in ("Polsek Sangatta Utara", "Linmas Singa Gembara"):
        assert name in text
    assert "Polsek Sangatta Utara (Polsek" in text  # the heading of its table
    assert "ditarik: Polsek Busang" in text and "Polsek Busang (Polsek" not in text
    assert "Tidak ada satuan yang menjangkau" in text


# --- pages --------------------------------------------------------------------------------------


def test_overview_shows_personnel_patterns_and_plans_in_scope(
    client, world, short_plan, paser_plan
):
    client.force_login(world.user(Role.ANALYST))
    response = client.get(reverse("security:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Polsek Busang" in body and "Rencana dasar" in body and "data-plan-form" in body
    assert "Polsek Batu Sopang" not in body and "Rencana Paser" not in body
    assert "belum dinilai" in body  # says how unassessed TPS are planned


def test_overview_is_hidden_from_field_monitors_and_needs_a_login(client, world):
    response = client.get(reverse("security:overview"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(world.user(Role.FIELD_MONITOR, scope=[world.desa_a1]))
    assert client.get(reverse("security:overview")).status_code == 404


def test_a_reader_sees_the_overview_without_the_form_and_may_not_post(client, world, staffed):
    client.force_login(world.user(Role.LEADERSHIP))
    response = client.get(reverse("security:overview"))
    assert response.status_code == 200 and "data-plan-form" not in response.content.decode()
    response = client.post(reverse("security:overview"), {"region": "64.08", "time_limit_s": 5})
    assert response.status_code == 403
    assert not DeploymentPlan.objects.exists()


def test_posting_the_form_makes_a_plan_and_shows_it(client, world, staffed):
    client.force_login(world.user(Role.ANALYST))
    response = client.post(
        reverse("security:overview"),
        {"region": "64.08", "name": "Uji", "time_limit_s": "5", "withdrawn": []},
    )
    plan = DeploymentPlan.objects.get()
    assert response.status_code == 302 and response.url == reverse("security:plan", args=[plan.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and "data-no-shortfall" in page.content.decode()


def test_the_form_shows_a_domain_error_and_refuses_a_region_outside_the_scope(
    client, world, patterns
):
    client.force_login(world.user(Role.ANALYST))
    response = client.post(reverse("security:overview"), {"region": "64.01", "time_limit_s": "5"})
    assert response.status_code == 400 and not DeploymentPlan.objects.exists()
    add_unit(world.kec_a, "Polsek Sangatta Utara", 4)
    from siaga.security.models import PatternRule

    PatternRule.objects.filter(category="aman").delete()
    response = client.post(reverse("security:overview"), {"region": "64.08", "time_limit_s": "5"})
    assert response.status_code == 400
    assert "Belum ada pola pengamanan untuk kategori Aman" in response.content.decode()


def test_plan_page_shows_shortfalls_and_what_the_what_if_lost(client, world, short_plan):
    client.force_login(world.user(Role.ANALYST))
    response = client.get(reverse("security:plan", args=[short_plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "data-comparison" in body and "4 TPS kehilangan pengamanan penuh" in body
    assert "Polsek Busang" in body  # named as withdrawn
    assert body.count('data-reason="no_unit_in_reach"') == 4
    assert f"{reverse('security:export-xlsx', args=[short_plan.pk])}?kecamatan=64.08.06" in body


def test_plan_pages_and_exports_are_404_outside_the_scope(client, world, short_plan, paser_plan):
    client.force_login(world.user(Role.ANALYST, scope=[world.kec_a]))
    for name in ("security:plan", "security:export-xlsx", "security:export-pdf"):
        # A kecamatan user does not see the regency's plan, nor Paser's.
        assert client.get(reverse(name, args=[short_plan.pk])).status_code == 404, name
        assert client.get(reverse(name, args=[paser_plan.pk])).status_code == 404, name


def test_exports_answer_files_and_an_unknown_kecamatan_is_404(client, world, short_plan):
    client.force_login(world.user(Role.LIAISON))
    url = reverse("security:export-xlsx", args=[short_plan.pk])
    response = client.get(url, {"kecamatan": "64.08.06"})
    assert response.status_code == 200
    assert list(_sheets(response.content)) == ["Ringkasan", "Busang", "Kekurangan"]
    assert client.get(url, {"kecamatan": "64.01.01"}).status_code == 404
    response = client.get(reverse("security:export-pdf", args=[short_plan.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_plan_page_queries_do_not_grow_with_the_plan(
    client, world, short_plan, django_assert_max_num_queries
):
    client.force_login(world.user(Role.ANALYST))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("security:plan", args=[short_plan.pk])).status_code == 200
