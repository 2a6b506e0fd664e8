"""Pages of the double-registration review (siaga/voters/views_review.py): the queue, one pair,
the decisions, the counts, the exports and the linkage-run page, with who may see what."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from siaga.core.models import AuditEvent
from siaga.voters import selectors
from siaga.voters.models import DuplicatePair, LinkageRun, PairStatus
from siaga.voters.privacy import mask_nik
from tests.voters.review_world import RollWorld


@pytest.fixture
def roll(db):
    world = RollWorld()
    world.p_siti = world.pair(world.siti, world.siti_copy, klass="K1", probability=0.99)
    world.p_rudi = world.pair(world.rudi, world.rudi_copy, klass="K3", probability=0.93)
    world.p_k2 = world.pair(world.ahmad, world.rizal, klass="K2", probability=1.0)
    world.p_out = world.pair(world.outsider, world.outsider_copy, klass="K1", probability=0.98)
    return world


def _login(client, user):
    client.force_login(user)
    return client


# --- who sees the queue ---------------------------------------------------------------------


def test_analyst_sees_the_queue_sorted_by_probability_with_masked_nik(client, roll):
    response = _login(client, roll.analyst).get(reverse("voters:review_queue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert roll.siti.name in html
    assert roll.siti.nik not in html
    assert mask_nik(roll.siti.nik) in html
    order = [p.pk for p in response.context["page"]]
    assert order == [roll.p_k2.pk, roll.p_siti.pk, roll.p_rudi.pk]
    assert roll.p_out.pk not in order, "another regency's pair is out of scope"


def test_kpu_liaison_sees_nik_in_clear(client, roll):
    html = _login(client, roll.kpu_liaison).get(reverse("voters:review_queue")).content.decode()
    assert roll.siti.nik in html


def test_field_monitor_sees_none_of_it(client, roll):
    _login(client, roll.monitor)
    for name, args in [
        ("review_queue", []),
        ("review_pair", [roll.p_siti.pk]),
        ("review_summary", []),
        ("review_export_xlsx", []),
        ("review_export_pdf", []),
        ("linkage_run", []),
    ]:
        assert client.get(reverse(f"voters:{name}", args=args)).status_code == 404, name


def test_leadership_sees_counts_but_not_the_queue_or_nik(client, roll):
    _login(client, roll.leader)
    queue = client.get(reverse("voters:review_queue"))
    assert queue.status_code == 302 and queue.url == reverse("voters:review_summary")
    assert client.get(reverse("voters:review_pair", args=[roll.p_siti.pk])).status_code == 404
    DuplicatePair.objects.filter(pk=roll.p_siti.pk).update(status=PairStatus.CONFIRMED)
    summary = client.get(reverse("voters:review_summary"))
    assert summary.status_code == 200
    html = summary.content.decode()
    assert roll.siti.nik not in html and mask_nik(roll.siti.nik) not in html
    assert roll.siti.name not in html
    assert summary.context["summary"].double == 1


def test_bawaslu_liaison_may_review_and_polres_may_not(client, roll):
    _login(client, roll.bawaslu_liaison)
    assert client.get(reverse("voters:review_pair", args=[roll.p_siti.pk])).status_code == 200
    html = client.get(reverse("voters:review_queue")).content.decode()
    assert roll.siti.nik not in html, "Bawaslu reviews with masked NIK"
    _login(client, roll.polres_liaison)
    assert client.get(reverse("voters:review_pair", args=[roll.p_siti.pk])).status_code == 404


def test_pair_in_another_regency_is_404(client, roll):
    _login(client, roll.analyst)
    assert client.get(reverse("voters:review_pair", args=[roll.p_out.pk])).status_code == 404
    response = client.post(
        reverse("voters:review_decide", args=[roll.p_out.pk]),
        {"decision": "confirm", "seen_status": "diduga"},
    )
    assert response.status_code == 404
    assert DuplicatePair.objects.get(pk=roll.p_out.pk).status == PairStatus.SUSPECTED


def test_queue_filters(client, roll):
    _login(client, roll.analyst)
    url = reverse("voters:review_queue")

    def pks(**params):
        return {p.pk for p in client.get(url, params).context["page"]}

    assert pks(klass="K2", status="") == {roll.p_k2.pk}
    assert pks(min_probability="0.95", status="diduga") == {roll.p_k2.pk, roll.p_siti.pk}
    assert pks(region=roll.kec_b.code, status="") == {roll.p_rudi.pk, roll.p_k2.pk}
    assert pks(region=roll.desa_a2.code, status="") == {roll.p_siti.pk}
    DuplicatePair.objects.filter(pk=roll.p_rudi.pk).update(status=PairStatus.DISMISSED)
    assert roll.p_rudi.pk not in pks(), "the default queue holds the work to do"
    assert pks(status="ditolak") == {roll.p_rudi.pk}
    assert pks(min_probability="7") == set(), "an invalid filter shows nothing"


def test_queue_query_count_does_not_grow_with_the_page(client, roll, django_assert_max_num_queries):
    for v in roll.filler[:30]:
        roll.pair(v, roll.filler[39], probability=0.91)
    _login(client, roll.analyst)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("voters:review_queue"))
    assert len(response.context["page"]) == 25


# --- one pair and the decisions ---------------------------------------------------------------


def test_pair_page_shows_both_records_with_differences_and_evidence(client, roll):
    roll.p_siti.evidence = {
        "source": "engine",
        "fields": {
            "nik": {"level": "NIK beda 1 digit", "bf": 40.0},
            "name": {"level": "nama sama", "bf": 300.0},
        },
        "why": "nama sama; NIK beda 1 digit",
    }
    roll.p_siti.save()
    response = _login(client, roll.analyst).get(
        reverse("voters:review_pair", args=[roll.p_siti.pk])
    )
    html = response.content.decode()
    rows = {str(r["label"]): r for r in response.context["rows"]}
    assert rows["NIK"]["differs"] and rows["Desa/kelurahan"]["differs"]
    assert not rows["Tanggal lahir"]["differs"]
    assert rows["NIK"]["left"] == mask_nik(roll.siti.nik)
    assert roll.siti.nik not in html and roll.siti.nkk not in html
    assert "NIK beda 1 digit" in html and "nama sama; NIK beda 1 digit" in html
    assert [e["name"] for e in response.context["evidence"]] == ["name", "nik"]
    assert 'class="differs"' in html
    assert "data-confirm" in html and "data-dismiss" in html


def test_confirm_then_dismiss_refused_then_reopen(client, roll):
    _login(client, roll.analyst)
    url = reverse("voters:review_decide", args=[roll.p_siti.pk])
    response = client.post(url, {"decision": "confirm", "seen_status": "diduga", "note": "ok"})
    assert response.status_code == 302
    pair = DuplicatePair.objects.get(pk=roll.p_siti.pk)
    assert pair.status == PairStatus.CONFIRMED and pair.decided_by == roll.analyst
    # a second analyst's page still showed "diduga": refused with a message, nothing changes
    client.post(url, {"decision": "dismiss", "seen_status": "diduga", "note": "bukan"})
    assert DuplicatePair.objects.get(pk=roll.p_siti.pk).status == PairStatus.CONFIRMED
    page = client.get(reverse("voters:review_pair", args=[roll.p_siti.pk])).content.decode()
    assert "data-reopen" in page and "data-confirm" not in page
    client.post(url, {"decision": "reopen", "seen_status": "terkonfirmasi", "note": "cek"})
    assert DuplicatePair.objects.get(pk=roll.p_siti.pk).status == PairStatus.SUSPECTED
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("seq"))
    assert actions == ["voters.pair.confirm", "voters.pair.reopen"]


def test_dismiss_without_note_is_refused_with_a_message(client, roll):
    _login(client, roll.analyst)
    url = reverse("voters:review_decide", args=[roll.p_rudi.pk])
    response = client.post(url, {"decision": "dismiss", "seen_status": "diduga"}, follow=True)
    assert "Alasan wajib diisi" in response.content.decode()
    assert DuplicatePair.objects.get(pk=roll.p_rudi.pk).status == PairStatus.SUSPECTED
    assert not AuditEvent.objects.exists()


# --- counts and the flag ---------------------------------------------------------------------


def _confirm(*pairs):
    DuplicatePair.objects.filter(pk__in=[p.pk for p in pairs]).update(status=PairStatus.CONFIRMED)


def test_counts_per_kecamatan_desa_and_tps_keep_k2_apart(roll):
    _confirm(roll.p_siti, roll.p_k2, roll.p_out)
    kec = {r.code: r for r in selectors.duplicate_counts(roll.analyst, level="kecamatan")}
    assert kec[roll.kec_a.code].double == 1 and kec[roll.kec_a.code].k1 == 1
    assert kec[roll.kec_b.code].double == 0 and kec[roll.kec_b.code].k2 == 1
    assert roll.kec_other.code not in kec
    desa = {r.code: r for r in selectors.duplicate_counts(roll.analyst, level="desa")}
    # Siti is registered in two desa: the pair counts in each, once.
    assert desa[roll.desa_a1.code].k1 == 1 and desa[roll.desa_a2.code].k1 == 1
    tps = {r.tps_id: r for r in selectors.duplicate_counts(roll.analyst, level="tps")}
    assert tps[roll.siti.tps_id].double == 1
    # Ahmad and Rizal share one TPS: one pair, counted once there.
    assert tps[roll.ahmad.tps_id].k2 == 1
    assert selectors.duplicate_counts(roll.monitor, level="kecamatan") == []


def test_tps_flagged_only_for_confirmed_double_registrations(roll):
    assert not selectors.tps_flagged(roll.analyst).exists()
    _confirm(roll.p_siti, roll.p_k2, roll.p_out)
    flagged = set(selectors.tps_flagged(roll.analyst).values_list("pk", flat=True))
    assert flagged == {roll.siti.tps_id, roll.siti_copy.tps_id}, "K2 does not flag a TPS"
    everywhere = set(selectors.tps_flagged().values_list("pk", flat=True))
    assert roll.outsider.tps_id in everywhere


def test_summary_page_tree(client, roll):
    _confirm(roll.p_siti, roll.p_k2)
    response = _login(client, roll.analyst).get(reverse("voters:review_summary"))
    data = response.context["summary"]
    assert (data.double, data.k1, data.k2, data.k3) == (1, 1, 1, 0)
    assert data.suspected == 1 and data.flagged_tps == 2
    kec_a = next(n for n in data.tree if n.row.code == roll.kec_a.code)
    assert {d.row.code for d in kec_a.children} == {roll.desa_a1.code, roll.desa_a2.code}
    assert all(len(d.children) == 1 for d in kec_a.children)


# --- exports ---------------------------------------------------------------------------------


def test_xlsx_export_holds_confirmed_cases_with_masked_nik(client, roll):
    from openpyxl import load_workbook

    _confirm(roll.p_siti, roll.p_k2)
    response = _login(client, roll.analyst).get(reverse("voters:review_export_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Rekap", "Kasus"]
    cases = list(book["Kasus"].iter_rows(min_row=2, values_only=True))
    assert [c[0] for c in cases] == ["K1", "K2"]
    values = [str(v) for row in cases for v in row]
    assert mask_nik(roll.siti.nik) in values and roll.siti.nik not in values
    assert roll.rudi.name not in values, "suspected pairs are not exported"
    total = list(book["Rekap"].iter_rows(values_only=True))[-1]
    assert total[3:] == (1, 1, 0, 1)


def test_xlsx_for_kpu_has_nik_in_clear_and_for_leadership_no_cases(client, roll):
    from openpyxl import load_workbook

    _confirm(roll.p_siti)
    kpu = load_workbook(
        io.BytesIO(
            _login(client, roll.kpu_liaison).get(reverse("voters:review_export_xlsx")).content
        )
    )
    assert roll.siti.nik in [
        str(v) for row in kpu["Kasus"].iter_rows(values_only=True) for v in row
    ]
    leader = load_workbook(
        io.BytesIO(_login(client, roll.leader).get(reverse("voters:review_export_xlsx")).content)
    )
    assert leader.sheetnames == ["Rekap"]


def test_pdf_export_names_the_counts(client, roll, tmp_path):
    _confirm(roll.p_siti, roll.p_k2)
    response = _login(client, roll.analyst).get(reverse("voters:review_export_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The HTML the PDF is made from, readable without a PDF library.
    from siaga.voters.views_review import pdf_html

    html = pdf_html(roll.analyst)
    assert "Rekap pemilih ganda terkonfirmasi" in html
    assert mask_nik(roll.siti.nik) in html and roll.siti.nik not in html
    text = _pdf_text(response.content, tmp_path)
    if text is None:
        pytest.skip("neither pypdf nor pdftotext is available to read the PDF's text")
    flat = " ".join(text.split())
    assert "Rekap pemilih ganda terkonfirmasi" in flat
    assert "Sangatta Utara" in flat
    assert mask_nik(roll.siti.nik) in flat and roll.siti.nik not in flat


def _pdf_text(content: bytes, tmp_path) -> str | None:
    try:
        from pypdf import PdfReader
    except ImportError:
        PdfReader = None
    if PdfReader is not None:
        return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    if shutil.which("pdftotext"):
        path = tmp_path / "out.pdf"
        path.write_bytes(content)
        done = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        )
        return done.stdout
    return None


# --- linkage runs ----------------------------------------------------------------------------


def test_linkage_run_page_starts_a_run_and_lists_it(
    client, roll, django_capture_on_commit_callbacks
):
    _login(client, roll.kpu_liaison)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("voters:linkage_run"), {"threshold": "0.95"})
    assert response.status_code == 302
    assert len(callbacks) == 1, "the task is enqueued once the run is committed"
    run = LinkageRun.objects.get()
    assert run.threshold == 0.95 and run.created_by == roll.kpu_liaison
    page = client.get(reverse("voters:linkage_run")).content.decode()
    assert f'data-run="{run.pk}"' in page
    assert 'http-equiv="refresh"' in page, "the page follows an active run"
    client.post(reverse("voters:linkage_run"), {})
    assert LinkageRun.objects.count() == 1, "one run at a time"


def test_linkage_run_page_refuses_leadership(client, roll):
    _login(client, roll.leader)
    assert client.post(reverse("voters:linkage_run"), {}).status_code == 404
    assert not LinkageRun.objects.exists()
