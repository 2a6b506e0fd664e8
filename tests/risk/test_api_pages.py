"""The API (/api/v1/risk/...) and the pages (/risiko/...): who reads what in which scope, who
edits (Action.EDIT_RISK), the page forms, and query-count guards on the map layer and overview."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from siaga.core.models import AuditEvent
from siaga.risk.models import Indicator, IndicatorValue, RegionalIndex, TpsAssessment
from siaga.wilayah.models import Tps
from tests.factories import TpsFactory
from tests.risk.conftest import NOW

pytestmark = pytest.mark.django_db

API = "/api/v1/risk"
RAWAN = {"keamanan__riwayat_kekerasan": 1, "lokasi__sulit_dijangkau": 1, "hak_pilih__tms": 1}


@pytest.fixture
def scored(rw):
    rw.deployment()
    rw.map(rw.a1, **RAWAN)
    rw.map(rw.b1, hak_pilih__tms=1)
    rw.recompute(now=NOW)
    rw.clock(NOW.replace(hour=11))
    return rw


def as_user(client, user):
    client.force_login(user)
    return client


def put_json(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def patch_json(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


# --- reading ------------------------------------------------------------------------------------


def test_the_tps_list_is_ranked_and_scoped(scored, client):
    rw = scored
    items = as_user(client, rw.analyst).get(f"{API}/tps").json()["items"]
    assert [i["tps"] for i in items[:2]] == [rw.a1.pk, rw.b1.pk]
    assert items[0]["score"] == 33.0 and items[0]["category"] == "rawan"
    assert items[0]["kecamatan_name"] == "Sangatta Utara" and items[0]["assessed"] is True
    assert len(items) == 8  # Kutai Timur only, not Paser
    kec = as_user(client, rw.analyst_kec).get(f"{API}/tps").json()["items"]
    assert {i["desa"][:8] for i in kec} == {"64.08.04"}
    rawan = as_user(client, rw.analyst).get(f"{API}/tps", {"category": "rawan"}).json()
    assert [i["tps"] for i in rawan["items"]] == [rw.a1.pk]
    assert client.get(f"{API}/tps", {"region": "64.01"}).status_code == 404


def test_a_tps_detail_gives_its_reasons_and_history_in_scope_only(scored, client):
    rw = scored
    body = as_user(client, rw.leader).get(f"{API}/tps/{rw.a1.pk}").json()
    assert [r["code"] for r in body["reasons"]] == [
        "keamanan.riwayat_kekerasan", "lokasi.sulit_dijangkau", "hak_pilih.tms",
    ]  # fmt: skip
    assert body["reasons"][0]["name"] == "Riwayat kekerasan di TPS"
    assert body["reasons"][0]["points"] == 15.0
    assert body["history"] == [{"day": "2024-11-24", "score": 33.0, "category": "rawan"}]
    assert as_user(client, rw.analyst_kec).get(f"{API}/tps/{rw.b1.pk}").status_code == 404
    assert as_user(client, rw.analyst_paser).get(f"{API}/tps/{rw.a1.pk}").status_code == 404
    assert as_user(client, rw.monitor).get(f"{API}/tps/{rw.a1.pk}").status_code == 404
    new = TpsFactory(desa=rw.w.desa_a1, number=3)  # not computed yet
    assert as_user(client, rw.analyst).get(f"{API}/tps/{new.pk}").status_code == 404


def test_areas_and_layer_are_for_readers_in_scope(scored, client):
    rw = scored
    as_user(client, rw.polri)
    areas = client.get(f"{API}/areas").json()
    assert [a["code"] for a in areas] == ["64.08.04", "64.08.06"]
    assert areas[0]["score"] == pytest.approx(33 / 4, abs=0.01) and areas[0]["tps_rawan"] == 1
    desa = client.get(f"{API}/areas", {"level": "desa", "parent": "64.08.06"}).json()
    assert [a["code"] for a in desa] == ["64.08.06.2001", "64.08.06.2002"]
    assert client.get(f"{API}/areas", {"level": "provinsi"}).status_code == 404
    layer = client.get(f"{API}/layer").json()
    assert len(layer) == 8
    top = next(p for p in layer if p["tps"] == rw.a1.pk)
    assert top["reasons"] == ["Riwayat kekerasan di TPS", "TPS sulit dijangkau (geografis, cuaca)"]
    assert top["delta"] is None  # no history of yesterday
    assert client.get(f"{API}/layer", {"region": "64.01"}).status_code == 404
    as_user(client, rw.monitor)
    assert client.get(f"{API}/areas").status_code == 404
    assert client.get(f"{API}/layer").status_code == 404
    assert client.get(f"{API}/indicators").status_code == 404


def test_the_layer_shows_the_change_since_yesterday(scored, client, settings):
    rw = scored
    rw.map(rw.a1, keamanan__intimidasi=1)
    rw.recompute(now=NOW.replace(day=25))
    rw.clock(NOW.replace(day=25, hour=11))
    layer = {p["tps"]: p for p in as_user(client, rw.analyst).get(f"{API}/layer").json()}
    assert layer[rw.a1.pk]["delta"] == 10.0
    assert layer[rw.a2.pk]["delta"] == 0.0


def test_field_monitors_get_404_from_every_list(scored, client):
    as_user(client, scored.monitor)
    assert client.get(f"{API}/tps").status_code == 404
    assert client.get(f"{API}/alerts").status_code == 404


def test_anonymous_callers_are_refused(scored, client):
    assert client.get(f"{API}/tps").status_code == 401
    assert client.get("/risiko/").status_code == 302


# --- editing through the API --------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("analyst", 200), ("bawaslu", 200), ("polri", 403),
                                             ("leader", 403), ("kpu", 403)])  # fmt: skip
def test_setting_a_value_needs_edit_risk(scored, client, who, status):
    rw = scored
    url = f"{API}/tps/{rw.a2.pk}/values/lokasi.rawan_konflik"
    response = put_json(as_user(client, getattr(rw, who)), url, {"value": 1, "note": "sengketa"})
    assert response.status_code == status, response.content
    stored = IndicatorValue.objects.filter(tps=rw.a2, indicator_id="lokasi.rawan_konflik")
    assert stored.exists() is (status == 200)
    if status == 200:
        assert stored.get().note == "sengketa" and stored.get().origin == "manual"
        assert AuditEvent.objects.filter(action="risk.value_set", object_id=str(rw.a2.pk)).exists()


def test_setting_a_value_out_of_scope_or_of_a_live_indicator_is_refused(scored, client):
    rw = scored
    as_user(client, rw.analyst_kec)
    assert (
        put_json(client, f"{API}/tps/{rw.b1.pk}/values/hak_pilih.tms", {"value": 1}).status_code
        == 404
    )
    live = put_json(client, f"{API}/tps/{rw.a2.pk}/values/keamanan.insiden", {"value": 1})
    assert live.status_code == 422 and live.json()["field"] == "value"
    negative = put_json(client, f"{API}/tps/{rw.a2.pk}/values/hak_pilih.tms", {"value": -1})
    assert negative.status_code == 422
    as_user(client, rw.monitor)
    assert (
        put_json(client, f"{API}/tps/{rw.a1.pk}/values/hak_pilih.tms", {"value": 1}).status_code
        == 404
    )
    assert (
        not IndicatorValue.objects.filter(tps__in=[rw.a2, rw.b1])
        .exclude(tps=rw.b1, indicator_id="hak_pilih.tms")
        .exists()
    )


@pytest.mark.parametrize(("who", "status"), [("analyst", 200), ("bawaslu", 200), ("polri", 403),
                                             ("admin", 200)])  # fmt: skip
def test_changing_a_weight_needs_edit_risk(scored, client, who, status):
    url = f"{API}/indicators/hak_pilih.tms"
    response = patch_json(as_user(client, getattr(scored, who)), url, {"weight": 12.5})
    assert response.status_code == status, response.content
    assert Indicator.objects.get(code="hak_pilih.tms").weight == (12.5 if status == 200 else 8.0)


def test_a_bad_weight_or_unknown_indicator_is_refused(scored, client):
    as_user(client, scored.analyst)
    bad = patch_json(client, f"{API}/indicators/hak_pilih.tms", {"weight": 150})
    assert bad.status_code == 422 and bad.json()["field"] == "weight"
    assert patch_json(client, f"{API}/indicators/tidak.ada", {"weight": 5}).status_code == 404
    off = patch_json(client, f"{API}/indicators/hak_pilih.tms", {"weight": 8, "active": False})
    assert off.status_code == 200 and off.json()["active"] is False


def test_an_editor_of_one_kecamatan_may_not_change_deployment_wide_weights(scored, client):
    response = patch_json(
        as_user(client, scored.analyst_kec), f"{API}/indicators/hak_pilih.tms", {"weight": 40}
    )
    assert response.status_code == 403
    assert Indicator.objects.get(code="hak_pilih.tms").weight == 8.0
    assert client.post(f"{API}/recompute").status_code == 403


def test_recompute_is_queued_for_editors_only(scored, client, django_capture_on_commit_callbacks):
    rw = scored
    assert as_user(client, rw.polri).post(f"{API}/recompute").status_code == 403
    assert as_user(client, rw.monitor).post(f"{API}/recompute").status_code == 404
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_user(client, rw.analyst).post(f"{API}/recompute")
    assert response.status_code == 202 and response.json()["queued"] is True
    assert len(callbacks) == 1  # the task is enqueued after the commit


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["analyst", "leader", "polri", "kominfo", "analyst_kec"])
def test_readers_open_the_pages(scored, client, who):
    rw = scored
    as_user(client, getattr(rw, who))
    for url in (
        "/risiko/",
        "/risiko/peringatan/",
        "/risiko/indikator/",
        f"/risiko/tps/{rw.a1.pk}/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_overview_ranks_the_tps_with_their_reasons(scored, client):
    page = as_user(client, scored.analyst).get("/risiko/").content.decode()
    assert "Singa Gembara" in page and "Riwayat kekerasan di TPS" in page


def test_field_monitors_and_out_of_scope_readers_get_404(scored, client):
    rw = scored
    as_user(client, rw.monitor)
    for url in ("/risiko/", "/risiko/peringatan/", "/risiko/indikator/", f"/risiko/tps/{rw.a1.pk}/",
                "/risiko/impor/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    as_user(client, rw.analyst_kec)
    assert client.get(f"/risiko/tps/{rw.b1.pk}/").status_code == 404
    assert client.get("/risiko/", {"wilayah": "64.08.06"}).status_code == 404


def test_the_value_form_of_a_tps_page_stores_a_value(scored, client):
    rw = scored
    url = f"/risiko/tps/{rw.a2.pk}/"
    form = {"indicator": "lokasi.rawan_bencana", "value": "1", "note": "banjir tahunan"}
    assert as_user(client, rw.polri).post(url, form).status_code == 404
    response = as_user(client, rw.bawaslu).post(url, form)
    assert response.status_code == 302 and response["Location"] == url
    value = IndicatorValue.objects.get(tps=rw.a2)
    assert (value.indicator_id, value.value, value.updated_by) == (
        "lokasi.rawan_bencana", 1.0, rw.bawaslu,
    )  # fmt: skip
    assert TpsAssessment.objects.get(tps=rw.a2).assessed_by == rw.bawaslu
    live = client.post(url, {"indicator": "keamanan.insiden", "value": "1"})
    assert live.status_code == 200  # not a choice of the form: shown again
    assert IndicatorValue.objects.filter(tps=rw.a2).count() == 1


def test_the_weights_form_changes_a_weight_for_editors_of_the_whole_deployment(scored, client):
    rw = scored
    form = {"code": "lokasi.sulit_dijangkau", "weight": "14", "saturation": "1", "active": "on"}
    for who in ("polri", "analyst_kec"):
        assert as_user(client, getattr(rw, who)).post("/risiko/indikator/", form).status_code == 404
    response = as_user(client, rw.analyst).post("/risiko/indikator/", form)
    assert response.status_code == 302
    assert Indicator.objects.get(code="lokasi.sulit_dijangkau").weight == 14.0
    bad = client.post("/risiko/indikator/", {**form, "weight": "101"})
    assert (
        bad.status_code == 200 and Indicator.objects.get(code="lokasi.sulit_dijangkau").weight == 14
    )
    off = client.post("/risiko/indikator/", {**form, "active": ""})
    assert off.status_code == 302
    assert Indicator.objects.get(code="lokasi.sulit_dijangkau").active is False


def test_the_ikp_form_records_the_regency_score(scored, client):
    rw = scored
    form = {"region": "64.08", "year": "2024", "score": "58.4", "source": "Bawaslu RI"}
    assert as_user(client, rw.polri).post("/risiko/ikp/", form).status_code == 404
    assert as_user(client, rw.analyst).post("/risiko/ikp/", form).status_code == 302
    ikp = RegionalIndex.objects.get()
    assert (ikp.region_id, ikp.year, ikp.score, ikp.source) == ("64.08", 2024, 58.4, "Bawaslu RI")
    assert AuditEvent.objects.filter(action="risk.ikp_set").count() == 1
    client.post("/risiko/ikp/", {**form, "score": "120"})
    assert RegionalIndex.objects.get().score == 58.4


def _upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_import_page_imports_a_file_or_shows_its_errors(scored, client, settings, tmp_path):
    rw = scored
    settings.MEDIA_ROOT = tmp_path
    good = "kode desa,no tps,tms,sulit dijangkau\n64.08.04.1002,1,ya,ya\n"
    as_user(client, rw.polri)
    assert client.get("/risiko/impor/").status_code == 404
    as_user(client, rw.bawaslu)
    assert client.get("/risiko/impor/").status_code == 200
    response = client.post("/risiko/impor/", {"region": "64.08", "file": _upload("a.csv", good)})
    assert response.status_code == 302 and response["Location"] == "/risiko/"
    assert IndicatorValue.objects.filter(tps=rw.a2).count() == 2
    bad = "kode desa,no tps,tms\n64.08.04.1002,2,entah\n"
    response = client.post("/risiko/impor/", {"region": "64.08", "file": _upload("b.csv", bad)})
    assert response.status_code == 200
    assert "baris 2, kolom tms" in response.content.decode()
    assert not IndicatorValue.objects.filter(tps=rw.a2b).exists()
    assert list(tmp_path.joinpath("risk-imports").iterdir()) == []  # uploads are not kept
    wrong = client.post("/risiko/impor/", {"region": "64.08", "file": _upload("c.pdf", good)})
    assert wrong.status_code == 200 and "CSV atau XLSX" in wrong.content.decode()


def test_an_editor_of_one_desa_cannot_import_the_mapping_of_other_desa(scored, client, settings,
                                                                       tmp_path):  # fmt: skip
    rw = scored
    settings.MEDIA_ROOT = tmp_path
    from siaga.accounts.choices import Role

    desa_editor = rw.w.user(Role.ANALYST, scope=[rw.w.desa_a1], username="risk-analyst-desa")
    text = "kode desa,no tps,tms\n64.08.06.2002,1,ya\n"  # Busang, outside the editor's desa
    as_user(client, desa_editor).post(
        "/risiko/impor/", {"region": "64.08", "file": _upload("a.csv", text)}
    )
    assert not IndicatorValue.objects.filter(tps=rw.b2).exists()


# --- query counts -------------------------------------------------------------------------------


def _grow(rw, n: int) -> None:
    for number in range(3, 3 + n):
        TpsFactory(desa=rw.w.desa_b2, number=number)
    rw.recompute(now=NOW)


def test_the_layer_takes_a_few_queries_whatever_the_number_of_tps(
    scored, client, django_assert_max_num_queries
):
    as_user(client, scored.analyst)
    with django_assert_max_num_queries(7):
        small = client.get(f"{API}/layer").json()
    _grow(scored, 30)
    with django_assert_max_num_queries(7):
        large = client.get(f"{API}/layer").json()
    assert len(large) == len(small) + 30


def test_the_overview_takes_a_few_queries_whatever_the_number_of_tps(
    scored, client, django_assert_max_num_queries
):
    as_user(client, scored.analyst)
    client.get("/risiko/")  # the first request of a session warms what it caches
    # 18 for the numbers, rankings and alerts, 2 for the map (the user's home region)
    with django_assert_max_num_queries(20):
        assert client.get("/risiko/").status_code == 200
    _grow(scored, 30)
    with django_assert_max_num_queries(20):
        assert client.get("/risiko/").status_code == 200
    assert Tps.objects.count() == 40
