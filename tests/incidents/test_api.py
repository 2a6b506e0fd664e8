"""/api/v1/incidents: idempotent submission, lists, details, transitions and the map layer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from PIL import Image

from siaga.accounts.tokens import token_create
from siaga.core import clock
from siaga.core.audit import AuditContext
from siaga.incidents.models import Incident, Media
from siaga.incidents.services import incident_transition

URL = "/api/v1/incidents"


def jpeg_file(name="bukti.jpg", size=(24, 16)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="JPEG")
    out.seek(0)
    out.name = name
    return out


@pytest.fixture
def api(inc, inc_media):
    """``api.session(user)`` a logged-in client; ``api.bearer(user)`` token headers."""

    class Api:
        @staticmethod
        def session(user) -> Client:
            client = Client()
            client.force_login(user)
            return client

        @staticmethod
        def bearer(user) -> dict:
            _token, key = token_create(context=AuditContext(), user=user, name="test")
            return {"Authorization": f"Bearer {key}"}

    return Api


def form(inc, **extra) -> dict:
    """A multipart body; a field given as None is left out."""
    body = {
        "idempotency_key": "hp-1",
        "category": "politik-uang",
        "description": "Ada pembagian amplop berisi uang di dekat TPS",
        "tps": inc.tps.pk,
        **extra,
    }
    return {k: v for k, v in body.items() if v is not None}


def test_a_field_monitor_posts_a_report_and_a_retry_gets_the_same_ticket(inc, api):
    client = Client(enforce_csrf_checks=True)  # a token client sends no CSRF cookie
    headers = api.bearer(inc.monitor)
    first = client.post(URL, form(inc, media=jpeg_file()), headers=headers)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["created"] is True and data["ticket"].startswith("LK-")
    assert data["channel"] == "field"  # a field monitor's report comes from the field
    assert data["region"] == {"code": "64.08.04.1001", "name": "Singa Gembara"}
    assert data["tps_id"] == inc.tps.pk and data["media_count"] == 1
    assert (data["lat"], data["lon"]) == (inc.tps.lat, inc.tps.lon)  # from the TPS

    again = client.post(URL, form(inc, description="Dikirim ulang"), headers=headers)
    assert again.status_code == 200, again.content
    assert again.json()["ticket"] == data["ticket"] and again.json()["created"] is False
    assert Incident.objects.count() == 1 and Media.objects.count() == 1


def test_the_idempotency_key_may_come_as_a_header(inc, api):
    client = Client()
    headers = {**api.bearer(inc.analyst), "Idempotency-Key": "hdr-1"}
    body = form(inc, idempotency_key="")
    assert client.post(URL, body, headers=headers).status_code == 201
    assert client.post(URL, body, headers=headers).status_code == 200
    assert Incident.objects.get().idempotency_key == "hdr-1"
    assert Incident.objects.get().channel == "api"


def test_a_time_without_an_offset_is_read_as_local_time(inc, api):
    local = clock.local_now().replace(microsecond=0) - dt.timedelta(hours=1)
    client = api.session(inc.analyst)
    response = client.post(URL, form(inc, occurred_at=local.strftime("%Y-%m-%dT%H:%M:%S")))
    assert response.status_code == 201, response.content
    assert Incident.objects.get().occurred_at == local
    future = (clock.local_now() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    response = client.post(URL, form(inc, idempotency_key="hp-2", occurred_at=future))
    assert (response.status_code, response.json()["field"]) == (400, "occurred_at")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"category": "tidak-ada"}, "category"),
        ({"description": "ab"}, "description"),
        ({"tps": None, "region": "64.08.04"}, "region"),
        ({"tps": None, "region": "64.08.04.1001", "tps_number": 9}, "tps"),
        ({"tps": None, "lat": "0.5"}, "lat"),
        ({"media": "text"}, "media"),
    ],
)
def test_a_refused_report_answers_400_naming_the_field(inc, api, extra, field):
    if extra.get("media") == "text":
        text = io.BytesIO(b"bukan gambar")
        text.name = "catatan.txt"
        extra = {"media": text}
    response = Client().post(URL, form(inc, **extra), headers=api.bearer(inc.analyst))
    expected = 404 if field == "tps" else 400
    assert response.status_code == expected, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert Incident.objects.count() == 0


def test_a_tps_outside_the_scope_answers_404(inc, api, world):
    headers = api.bearer(inc.monitor)
    other_tps = world.tps[world.desa_b1.code][0]
    response = Client().post(URL, form(inc, tps=other_tps.pk), headers=headers)
    assert response.status_code == 404 and response.json()["field"] in ("region", "tps")
    paser_tps = world.tps["64.01.01.2001"][0]
    response = Client().post(URL, form(inc, tps=paser_tps.pk), headers=api.bearer(inc.analyst))
    assert response.status_code == 404 and response.json()["field"] == "tps"
    assert Incident.objects.count() == 0


def test_an_oversized_attachment_answers_400(inc, api, settings):
    settings.SIAGA_UPLOAD_MAX_MB = 1
    big = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (1024 * 1024 + 10))
    big.name = "besar.jpg"
    response = Client().post(URL, form(inc, media=big), headers=api.bearer(inc.analyst))
    assert response.status_code == 400
    assert response.json()["field"] == "media" and "1 MB" in response.json()["detail"]
    assert Incident.objects.count() == 0


def test_anonymous_clients_are_refused(inc):
    assert Client().post(URL, form(inc)).status_code == 401
    assert Client().get(URL).status_code == 401


def test_the_list_filters_and_keeps_the_scope(inc, inc_report, api, world):
    money = inc_report(category="politik-uang")
    violence = inc_report(category="kekerasan", tps_id=world.tps[world.desa_b1.code][0].pk)
    client = api.session(inc.analyst)

    def tickets(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return {item["ticket"] for item in response.json()["items"]}

    assert tickets() == {money.ticket, violence.ticket}
    assert tickets(category="kekerasan") == {violence.ticket}
    assert tickets(region="64.08.04") == {money.ticket}
    assert tickets(severity="kritis") == {violence.ticket}
    assert tickets(agency=inc.agency.bawaslu.pk) == {money.ticket}
    assert tickets(state="selesai") == set()
    assert tickets(open_only="true") == {money.ticket, violence.ticket}
    page = client.get(URL, {"page_size": 1}).json()
    assert (page["count"], page["pages"], len(page["items"])) == (2, 2, 1)
    # Kodim (token) sees only the violence report, which routes to it.
    response = Client().get(URL, headers=api.bearer(inc.kodim))
    assert {i["ticket"] for i in response.json()["items"]} == {violence.ticket}


def test_the_detail_has_timeline_transitions_and_duplicate_suggestions(inc, inc_report, api):
    first = inc_report(description="Ada pembagian amplop berisi uang di dekat TPS 01")
    second = inc_report(description="Pembagian amplop berisi uang dekat TPS 01 pagi ini")
    client = api.session(inc.analyst)
    response = client.get(f"{URL}/{second.ticket}")
    assert response.status_code == 200, response.content
    detail = response.json()
    assert [e["kind"] for e in detail["timeline"]] == ["created"]
    assert detail["allowed_transitions"] == ["diverifikasi", "ditolak", "digabung"]
    assert [s["ticket"] for s in detail["duplicate_suggestions"]] == [first.ticket]
    assert "same_tps" in detail["duplicate_suggestions"][0]["reasons"]
    assert set(detail["shared_with"]) == {"Bawaslu Kutai Timur", "Polres Kutai Timur"}
    assert detail["reporter"] == "-"  # a public report without a name: nothing to show
    # A liaison of a routed agency sees it, may not move it, and does not see the reporter.
    liaison = api.session(inc.bawaslu).get(f"{URL}/{second.ticket}").json()
    assert liaison["allowed_transitions"] == [] and liaison["reporter"] == "warga"
    # Out of scope or unknown: 404.
    assert api.session(inc.kodim).get(f"{URL}/{second.ticket}").status_code == 404
    assert api.session(inc.analyst_paser).get(f"{URL}/{second.ticket}").status_code == 404
    assert client.get(f"{URL}/LK-XXXXXX").status_code == 404


def test_transitions_through_the_api(inc, inc_report, api):
    report = inc_report(category="intimidasi")
    target = inc_report(category="intimidasi")
    url = f"{URL}/{report.ticket}/transition"
    analyst = api.session(inc.analyst)
    ok = analyst.post(url, {"state": "diverifikasi"}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["state"] == "diverifikasi"
    assert ok.json()["timeline"][-1]["to_state"] == "diverifikasi"
    # The routed liaison sees the report but may not triage it: 403.
    forbidden = api.session(inc.polres).post(
        url, {"state": "ditindaklanjuti", "agency": "polres"}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    # Not allowed from this state: 400 naming the field.
    bad = analyst.post(url, {"state": "diterima"}, content_type="application/json")
    assert (bad.status_code, bad.json()["field"]) == (400, "state")
    missing = analyst.post(url, {"state": "ditindaklanjuti"}, content_type="application/json")
    assert (missing.status_code, missing.json()["field"]) == (400, "agency")
    unknown = analyst.post(
        url, {"state": "ditindaklanjuti", "agency": "tidak-ada"}, content_type="application/json"
    )
    assert (unknown.status_code, unknown.json()["field"]) == (400, "agency")
    assigned = analyst.post(
        url, {"state": "ditindaklanjuti", "agency": "polres"}, content_type="application/json"
    )
    assert (
        assigned.status_code == 200 and assigned.json()["assigned_agency"] == "Polres Kutai Timur"
    )
    assert assigned.json()["sla_due_at"]
    # Now Polres may close it with the outcome, by token.
    closed = Client().post(
        url,
        {"state": "selesai", "note": "Pelaku diamankan"},
        content_type="application/json",
        headers=api.bearer(inc.polres),
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["outcome"] == "Pelaku diamankan"
    report.refresh_from_db()
    assert report.state == "selesai"
    # Merging names the ticket kept; an unknown one is a 400.
    other = f"{URL}/{target.ticket}/transition"
    nowhere = analyst.post(
        other, {"state": "digabung", "merge_into": "LK-NOPE00"}, content_type="application/json"
    )
    assert (nowhere.status_code, nowhere.json()["field"]) == (400, "merge_into")
    merged = analyst.post(
        other,
        {"state": "digabung", "merge_into": report.ticket},
        content_type="application/json",
    )
    assert merged.status_code == 200 and merged.json()["merged_into"] == report.ticket
    # Out of scope: 404, not 403.
    paser = api.session(inc.analyst_paser).post(
        url, {"state": "diverifikasi"}, content_type="application/json"
    )
    assert paser.status_code == 404


def test_a_session_write_needs_the_csrf_token(inc, inc_report):
    report = inc_report(category="intimidasi")
    client = Client(enforce_csrf_checks=True)
    client.force_login(inc.analyst)
    response = client.post(
        f"{URL}/{report.ticket}/transition",
        {"state": "diverifikasi"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    report.refresh_from_db()
    assert report.state == "diterima"


def test_notes_and_sharing(inc, inc_report, api):
    report = inc_report(category="intimidasi")
    analyst = api.session(inc.analyst)
    note = analyst.post(
        f"{URL}/{report.ticket}/notes", {"text": "Saksi dihubungi"}, content_type="application/json"
    )
    assert note.status_code == 201 and note.json()["note"] == "Saksi dihubungi"
    empty = analyst.post(
        f"{URL}/{report.ticket}/notes", {"text": " "}, content_type="application/json"
    )
    assert (empty.status_code, empty.json()["field"]) == (400, "note")
    shared = analyst.post(
        f"{URL}/{report.ticket}/share", {"agencies": ["kodim"]}, content_type="application/json"
    )
    assert shared.status_code == 200 and "Kodim 0909" in shared.json()["shared_with"]
    assert api.session(inc.kodim).get(f"{URL}/{report.ticket}").status_code == 200
    refused = api.session(inc.kodim).post(
        f"{URL}/{report.ticket}/share", {"agencies": ["kpu"]}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_the_layer_places_reports_without_coordinates_at_their_tps(inc, inc_report, api, world):
    at_tps = inc_report(category="intimidasi")
    at_point = inc_report(category="intimidasi", tps_id=inc.tps.pk, lat=0.61, lon=117.42)
    world.desa_a2.lat, world.desa_a2.lon = 0.7, 117.3
    world.desa_a2.save()
    at_desa = inc_report(category="intimidasi", region_code="64.08.04.1002")
    unplaced = inc_report(category="intimidasi", region_code="64.08.06.2001")  # no coordinates
    points = {p["ticket"]: p for p in api.session(inc.analyst).get(f"{URL}/layer").json()}
    assert (points[at_tps.ticket]["lat"], points[at_tps.ticket]["lon"]) == (
        inc.tps.lat,
        inc.tps.lon,
    )
    assert (points[at_point.ticket]["lat"], points[at_point.ticket]["lon"]) == (0.61, 117.42)
    assert (points[at_desa.ticket]["lat"], points[at_desa.ticket]["lon"]) == (0.7, 117.3)
    assert unplaced.ticket not in points
    assert points[at_tps.ticket]["category"] == "intimidasi"
    assert api.session(inc.kpu).get(f"{URL}/layer").json() == []


def test_categories_are_listed(inc, api):
    response = api.session(inc.monitor).get(f"{URL}/categories")
    codes = [c["code"] for c in response.json()]
    assert codes[0] == "intimidasi" and "politik-uang" in codes
    money = next(c for c in response.json() if c["code"] == "politik-uang")
    assert "AMPLOP" in money["keywords"] and money["default_severity"] == "tinggi"


def test_the_layer_keeps_open_reports_older_than_the_window(inc, inc_report, api, inc_clock):
    """An unresolved report of yesterday stays on the map; a closed one drops off after 24 h."""
    still_open = inc_report(category="kekerasan")
    closed = inc_report(category="kekerasan")
    merged = inc_report(category="kekerasan")
    Incident.objects.filter(pk=closed.pk).update(state="selesai", outcome="Selesai")
    Incident.objects.filter(pk=merged.pk).update(state="digabung", merged_into=still_open)
    client = api.session(inc.analyst)
    now = {p["ticket"] for p in client.get(f"{URL}/layer").json()}
    assert now == {still_open.ticket, closed.ticket}
    inc_clock(hours=30)
    later = {p["ticket"] for p in client.get(f"{URL}/layer").json()}
    assert later == {still_open.ticket}
    assert {p["ticket"] for p in client.get(f"{URL}/layer", {"hours": 48}).json()} == {
        still_open.ticket,
        closed.ticket,
    }


def test_the_layer_takes_the_list_filters(inc, inc_report, api, world):
    money = inc_report(category="politik-uang")  # shared with Bawaslu and Polres
    violence = inc_report(category="kekerasan", tps_id=world.tps[world.desa_b1.code][0].pk)
    verified = inc_report(category="intimidasi")
    incident_transition(
        context=AuditContext(actor=inc.analyst),
        user=inc.analyst,
        incident=verified,
        to_state="diverifikasi",
    )
    Incident.objects.filter(pk=violence.pk).update(phase="pemungutan")
    client = api.session(inc.analyst)

    def tickets(**query):
        response = client.get(f"{URL}/layer", query)
        assert response.status_code == 200, response.content
        return {p["ticket"] for p in response.json()}

    everything = {money.ticket, violence.ticket, verified.ticket}
    assert tickets() == everything
    assert tickets(category="kekerasan") == {violence.ticket}
    assert tickets(state="diverifikasi") == {verified.ticket}
    assert tickets(category="intimidasi", state="diterima") == set()  # filters combine
    assert tickets(agency=inc.agency.kodim.pk) == {violence.ticket}  # kekerasan routes to it
    assert tickets(agency=inc.agency.kpu.pk) == set()
    assert tickets(phase="pemungutan") == {violence.ticket}
    assert tickets(region="64.08.04") == {money.ticket, verified.ticket}
    assert tickets(severity="kritis") == {violence.ticket}
    # Empty values are no filter at all, as in the list.
    assert tickets(category="", state="", phase="", region="") == everything
    # The map agrees with the list for the same filters.
    listed = client.get(URL, {"category": "kekerasan", "region": "64.08"}).json()["items"]
    assert {i["ticket"] for i in listed} == tickets(category="kekerasan", region="64.08")


def test_the_layer_answers_bad_filter_values_as_the_list_does(inc, inc_report, api):
    inc_report(category="kekerasan")
    client = api.session(inc.analyst)
    # An unknown code narrows to nothing (200), in the list and on the map alike.
    for query in ({"category": "tidak-ada"}, {"state": "hilang"}, {"region": "99"}):
        assert client.get(URL, query).json()["items"] == [], query
        layer = client.get(f"{URL}/layer", query)
        assert (layer.status_code, layer.json()) == (200, []), query
    # A value of the wrong type is refused by both with the same status and field named.
    for query in ({"agency": "polres"}, {"agency": "1.5"}):
        listed = client.get(URL, query)
        layer = client.get(f"{URL}/layer", query)
        assert listed.status_code == layer.status_code == 422, query
        assert layer.json()["detail"][0]["loc"][-1] == "agency"
    assert client.get(f"{URL}/layer", {"hours": "kemarin"}).status_code == 422


def test_the_layer_reads_in_a_fixed_number_of_queries(inc, inc_report, api, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api.session(inc.analyst)
    client.get(f"{URL}/layer")  # the session and the user, loaded once

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{URL}/layer")
        assert response.status_code == 200
        return len(response.json()), len(captured.captured_queries)

    world.desa_a2.lat, world.desa_a2.lon = 0.7, 117.3
    world.desa_a2.save()
    inc_report(category="intimidasi")
    inc_report(category="kekerasan", region_code="64.08.04.1002")  # placed at its desa
    few, few_queries = queries()
    desa_b1_tps = world.tps[world.desa_b1.code][0].pk
    for n in range(6):
        inc_report(category="intimidasi", description=f"Intimidasi ke {n} terhadap pemilih")
        inc_report(category="logistik", tps_id=desa_b1_tps, lat=0.5 + n / 100, lon=117.5)
        inc_report(category="kekerasan", region_code="64.08.04.1002")
    many, many_queries = queries()
    assert (few, many) == (2, 20)
    assert many_queries == few_queries
