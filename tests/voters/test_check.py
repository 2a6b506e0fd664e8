"""The voter check at the TPS: the answer, its privacy, the rate limit, the audit trail, the
voting-day alert to Bawaslu and Polres, and who may ask (service, API and phone page)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.models import AuditEvent
from siaga.notifications.models import Notification
from siaga.voters import check as service
from siaga.voters.check import CheckStatus, VoterCheckError, nik_hash, voter_check
from siaga.voters.models import VoterCheck
from tests.voters.check_world import NOT_ON_ROLL, VOTING_DAY, WITA, CheckWorld

API = "/api/v1/voters/check"
PAGE = "/pemilih/cek/"
ANSWER_KEYS = {
    "status",
    "status_label",
    "registered",
    "tps",
    "shared_nik",
    "duplicate_status",
    "checked_elsewhere",
    "check_tps",
    "checked_at",
    "alert_raised",
}
PLACE_KEYS = {"id", "label", "desa_code", "desa_name", "kecamatan_name"}
CONTEXT = AuditContext(channel="test")


@pytest.fixture
def cw(db) -> CheckWorld:
    world = CheckWorld()
    world.at(VOTING_DAY - dt.timedelta(days=3), 10)
    return world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_check(client: Client, nik: str, tps=None):
    body = {"nik": nik} if tps is None else {"nik": nik, "tps_id": tps.pk}
    return client.post(API, json.dumps(body), content_type="application/json")


def personal_values(voter) -> list[str]:
    """What the answer must never show of a voter."""
    return [
        voter.name,
        voter.nik,
        voter.nkk,
        voter.address,
        voter.birth_date.isoformat(),
        voter.birth_date.strftime("%d-%m-%Y"),
        voter.birth_place,
    ]


# --- the answer ----------------------------------------------------------------------------------


def test_a_registered_nik_answers_its_tps_and_desa(cw):
    result = voter_check(user=cw.mon_b, nik=cw.rahmat.nik, tps=cw.tps_b, context=CONTEXT)

    assert result.status == CheckStatus.REGISTERED
    assert result.registered is True
    assert [(p.id, p.label, p.desa_name) for p in result.places] == [
        (cw.tps_b.pk, "TPS 001", "Long Bentuq")
    ]
    assert result.places[0].kecamatan_name == "Busang"
    assert not result.shared_nik and result.duplicate_status == ""
    assert result.checked_elsewhere == [] and result.alert_raised is False


def test_a_nik_typed_with_spaces_is_found(cw):
    spaced = " ".join([cw.rahmat.nik[:6], cw.rahmat.nik[6:12], cw.rahmat.nik[12:]])
    result = voter_check(user=cw.mon_b, nik=spaced, tps=cw.tps_b, context=CONTEXT)
    assert result.registered


def test_a_nik_not_on_the_roll_is_answered_not_registered(cw):
    result = voter_check(user=cw.mon_a, nik=NOT_ON_ROLL, tps=cw.tps_a, context=CONTEXT)

    assert result.status == CheckStatus.NOT_REGISTERED
    assert result.registered is False and result.places == []
    check = VoterCheck.objects.get()
    assert check.voter is None and check.result == "tidak_terdaftar"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Masukkan NIK"),
        ("640804120790", "16 angka; yang dimasukkan 12 angka"),
        ("64080412079009991", "yang dimasukkan 17 angka"),
        ("64080412O7900999", "hanya berisi angka"),
        ("6408-0412-0790-0999", "hanya berisi angka"),
    ],
)
def test_a_malformed_nik_is_refused_with_a_clear_message_and_nothing_recorded(cw, typed, message):
    with pytest.raises(VoterCheckError) as refused:
        voter_check(user=cw.mon_a, nik=typed, tps=cw.tps_a, context=CONTEXT)

    assert message in str(refused.value)
    assert refused.value.field == "nik"
    if typed:
        assert typed not in str(refused.value)  # a NIK never goes into a message
    assert not VoterCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="voter.check").exists()


def test_a_field_monitor_sees_the_tps_of_a_voter_registered_outside_their_scope(cw):
    result = voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)

    assert result.registered
    assert [p.desa_code for p in result.places] == [cw.desa_b1.code]  # mon_a sees Singa Gembara


def test_a_nik_on_two_rows_k2_lists_both_tps_and_is_no_double_registration(cw):
    result = voter_check(user=cw.mon_a, nik=cw.ayah.nik, tps=cw.tps_a, context=CONTEXT)

    assert result.shared_nik is True
    assert {p.id for p in result.places} == {cw.tps_a2.pk, cw.tps_b2.pk}
    # The father's NIK copied onto his son is a data error for KPU (K2), not a double voter.
    assert result.duplicate_status == ""
    assert result.status == CheckStatus.REGISTERED


@pytest.mark.parametrize(
    ("who", "status", "duplicate"),
    [
        ("sus", CheckStatus.SUSPECTED, "diduga"),
        ("sus_copy", CheckStatus.SUSPECTED, "diduga"),
        ("conf", CheckStatus.CONFIRMED, "terkonfirmasi"),
        ("conf_copy", CheckStatus.CONFIRMED, "terkonfirmasi"),
        ("dis", CheckStatus.REGISTERED, ""),
    ],
)
def test_suspected_and_confirmed_double_registrations_are_reported_by_status_only(
    cw, who, status, duplicate
):
    result = voter_check(user=cw.mon_a, nik=getattr(cw, who).nik, tps=cw.tps_a, context=CONTEXT)

    assert result.status == status
    assert result.duplicate_status == duplicate
    assert len(result.places) == 1  # the other record of the pair is not revealed


def test_a_check_costs_a_handful_of_queries(cw, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        voter_check(user=cw.mon_a, nik=cw.conf.nik, tps=cw.tps_a, context=CONTEXT)


# --- privacy -------------------------------------------------------------------------------------


def test_the_api_answer_holds_no_name_birth_date_address_or_nkk(cw):
    response = post_check(client_for(cw.mon_a), cw.conf.nik, cw.tps_a)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ANSWER_KEYS
    assert all(set(place) == PLACE_KEYS for place in body["tps"])
    assert set(body["check_tps"]) == PLACE_KEYS
    assert body["status"] == "ganda_terkonfirmasi" and body["duplicate_status"] == "terkonfirmasi"
    text = response.content.decode()
    for value in personal_values(cw.conf) + personal_values(cw.conf_copy):
        assert value not in text


def test_the_page_shows_the_answer_without_personal_data_and_keeps_no_nik(cw):
    client = client_for(cw.mon_b)
    response = client.post(PAGE, {"nik": cw.rahmat.nik, "tps": cw.tps_b.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="terdaftar"' in html
    assert "Long Bentuq" in html and "TPS 001" in html
    for value in personal_values(cw.rahmat):
        assert value not in html  # the NIK is not even echoed back in the input


def test_the_page_is_a_numeric_form_with_the_assigned_tps_preselected(cw):
    response = client_for(cw.mon_a).get(reverse("voters:check"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="off"' in html
    assert f'<option value="{cw.tps_a.pk}" selected>' in html
    assert "tidak memuat kode yang dapat dipindai" in html  # scanning means typing, said plainly


def test_the_page_explains_a_malformed_nik(cw):
    response = client_for(cw.mon_a).post(PAGE, {"nik": "12345", "tps": cw.tps_a.pk})

    assert response.status_code == 400
    assert "NIK harus 16 angka" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_check_is_stored_as_a_keyed_hash_and_audited_without_the_nik(cw, caplog):
    caplog.set_level(logging.DEBUG)
    voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)

    check = VoterCheck.objects.get()
    assert check.nik_hash == nik_hash(cw.rahmat.nik)
    assert len(check.nik_hash) == 64 and check.nik_hash != cw.rahmat.nik
    assert check.voter == cw.rahmat and check.user == cw.mon_a and check.tps == cw.tps_a
    event = AuditEvent.objects.get(action="voter.check")
    assert event.after["nik_hash"] == check.nik_hash[:12]
    assert event.after["result"] == "terdaftar"
    assert event.region_code == cw.desa_a1.code
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert cw.rahmat.nik not in everything
    assert check.nik_hash not in everything  # only its first characters
    assert cw.rahmat.nik not in caplog.text


def test_the_hash_depends_on_the_site_secret(settings):
    first = nik_hash("6408060304900012")
    settings.SECRET_KEY = "another-secret-for-another-site-0123456789"
    assert nik_hash("6408060304900012") != first


# --- the rate limit ------------------------------------------------------------------------------


@pytest.fixture
def frozen_minute(monkeypatch):
    """The rate limit's window is read from time.time(): hold it in the middle of a minute."""
    now = {"t": 1_732_672_830.0}  # hh:mm:30
    monkeypatch.setattr("siaga.core.ratelimit.time.time", lambda: now["t"])
    monkeypatch.setattr("siaga.voters.check.time.time", lambda: now["t"])
    return now


def test_the_31st_check_in_a_minute_is_refused_with_retry_after(cw, frozen_minute):
    client = client_for(cw.mon_a)
    for _ in range(30):
        assert post_check(client, NOT_ON_ROLL, cw.tps_a).status_code == 200

    refused = post_check(client, NOT_ON_ROLL, cw.tps_a)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert "Terlalu banyak" in refused.json()["detail"]
    assert VoterCheck.objects.count() == 30  # the refused one is not recorded
    # Another officer is not held back by this one.
    assert post_check(client_for(cw.mon_b), NOT_ON_ROLL, cw.tps_b).status_code == 200
    # A new minute, a new allowance.
    frozen_minute["t"] += 60
    assert post_check(client, NOT_ON_ROLL, cw.tps_a).status_code == 200


def test_malformed_attempts_count_against_the_limit(cw, frozen_minute, settings):
    settings.SIAGA_VOTER_CHECKS_PER_MINUTE = 2
    client = client_for(cw.mon_a)
    assert post_check(client, "1", cw.tps_a).status_code == 400
    assert post_check(client, "2", cw.tps_a).status_code == 400

    assert post_check(client, cw.rahmat.nik, cw.tps_a).status_code == 429


def test_the_page_says_when_the_limit_is_reached(cw, frozen_minute, settings):
    settings.SIAGA_VOTER_CHECKS_PER_MINUTE = 1
    client = client_for(cw.mon_a)
    client.post(PAGE, {"nik": NOT_ON_ROLL, "tps": cw.tps_a.pk})

    response = client.post(PAGE, {"nik": NOT_ON_ROLL, "tps": cw.tps_a.pk})

    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert "Terlalu banyak pengecekan" in response.content.decode()


# --- the voting-day alert ------------------------------------------------------------------------


def alerts() -> list[Notification]:
    return list(Notification.objects.filter(kind=service.ALERT_KIND).select_related("recipient"))


def test_same_nik_at_two_tps_on_voting_day_alerts_bawaslu_and_polres_once(cw):
    cw.at(VOTING_DAY, 8, 5)
    first = voter_check(user=cw.mon_b, nik=cw.rahmat.nik, tps=cw.tps_b, context=CONTEXT)
    cw.at(VOTING_DAY, 11, 40)
    second = voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)

    assert first.status == CheckStatus.REGISTERED and not first.alert_raised
    assert second.status == CheckStatus.CHECKED_ELSEWHERE and second.alert_raised
    assert [
        (e.tps.id, e.checked_at.astimezone(WITA).strftime("%H:%M"))
        for e in second.checked_elsewhere
    ] == [(cw.tps_b.pk, "08:05")]
    notes = alerts()
    assert {n.recipient.username for n in notes} == {
        "chk-bawaslu",
        "chk-polres",
        "chk-polsek-busang",  # Polsek Busang covers the first TPS only: told all the same
        "chk-analyst",
    }  # not KPU, not leadership, not Bawaslu of Paser
    note = notes[0]
    assert note.urgent
    assert "Long Bentuq" in note.title and "Singa Gembara" in note.title
    assert "08:05" in note.body and "11:40" in note.body
    assert cw.rahmat.nik not in note.title + note.body
    assert AuditEvent.objects.filter(action=service.ALERT_ACTION).count() == 1

    # Further checks of the same NIK that day, wherever, raise no further alert.
    cw.at(VOTING_DAY, 12, 10)
    third = voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)
    fourth = voter_check(user=cw.analyst, nik=cw.rahmat.nik, tps=cw.tps_b2, context=CONTEXT)
    assert third.status == CheckStatus.CHECKED_ELSEWHERE and not third.alert_raised
    assert not fourth.alert_raised
    assert len(alerts()) == len(notes)


def test_checks_at_two_tps_before_voting_day_raise_no_alert(cw):
    cw.at(VOTING_DAY - dt.timedelta(days=1), 9)
    voter_check(user=cw.mon_b, nik=cw.rahmat.nik, tps=cw.tps_b, context=CONTEXT)
    second = voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)

    assert second.status == CheckStatus.CHECKED_ELSEWHERE  # the officer is still told
    assert not second.alert_raised
    assert alerts() == []


def test_the_same_tps_twice_on_voting_day_is_no_alert(cw):
    cw.at(VOTING_DAY, 8)
    voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)
    cw.at(VOTING_DAY, 12)
    again = voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)

    assert again.status == CheckStatus.REGISTERED and again.checked_elsewhere == []
    assert alerts() == []


def test_a_check_yesterday_at_another_tps_is_not_today(cw):
    cw.at(VOTING_DAY - dt.timedelta(days=1), 16)
    voter_check(user=cw.mon_b, nik=cw.rahmat.nik, tps=cw.tps_b, context=CONTEXT)
    cw.at(VOTING_DAY, 9)
    result = voter_check(user=cw.mon_a, nik=cw.rahmat.nik, tps=cw.tps_a, context=CONTEXT)

    assert result.checked_elsewhere == [] and alerts() == []


def test_an_unregistered_nik_at_two_tps_on_voting_day_also_alerts(cw):
    # The KTP voter of the 2024 case may not be on the roll at all: the double vote still counts.
    cw.at(VOTING_DAY, 9)
    voter_check(user=cw.mon_a, nik=NOT_ON_ROLL, tps=cw.tps_a, context=CONTEXT)
    cw.at(VOTING_DAY, 12)
    result = voter_check(user=cw.mon_b, nik=NOT_ON_ROLL, tps=cw.tps_b, context=CONTEXT)

    assert result.alert_raised and not result.registered
    assert len(alerts()) == 4


def test_the_api_answer_names_the_earlier_tps_and_the_alert(cw):
    cw.at(VOTING_DAY, 8)
    post_check(client_for(cw.mon_b), cw.rahmat.nik, cw.tps_b)
    cw.at(VOTING_DAY, 11, 40)
    body = post_check(client_for(cw.mon_a), cw.rahmat.nik, cw.tps_a).json()

    assert body["status"] == "dicek_di_tps_lain"
    assert body["alert_raised"] is True
    [earlier] = body["checked_elsewhere"]
    assert earlier["tps"]["id"] == cw.tps_b.pk and earlier["tps"]["desa_name"] == "Long Bentuq"
    assert set(earlier) == {"tps", "checked_at"}


# --- who may ask ---------------------------------------------------------------------------------


def test_leadership_may_not_check(cw):
    with pytest.raises(PermissionDenied):
        voter_check(user=cw.leader, nik=cw.rahmat.nik, context=CONTEXT)
    client = client_for(cw.leader)
    assert post_check(client, cw.rahmat.nik).status_code == 403
    assert post_check(client, cw.rahmat.nik, cw.tps_a).status_code == 403
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"nik": cw.rahmat.nik}).status_code == 403
    assert not VoterCheck.objects.exists()


def test_anonymous_users_are_refused(cw):
    assert post_check(Client(), cw.rahmat.nik).status_code == 401
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_tps_the_monitor_is_not_assigned_to_is_not_found(cw):
    client = client_for(cw.mon_a)
    assert post_check(client, cw.rahmat.nik, cw.tps_a2).status_code == 404  # same desa
    assert post_check(client, cw.rahmat.nik, cw.tps_b).status_code == 404
    assert client.post(PAGE, {"nik": cw.rahmat.nik, "tps": cw.tps_b.pk}).status_code == 404
    assert not VoterCheck.objects.exists()


def test_an_analyst_checks_from_the_office_without_a_tps(cw):
    response = post_check(client_for(cw.analyst), cw.rahmat.nik)

    assert response.status_code == 200
    assert response.json()["check_tps"] is None
    assert VoterCheck.objects.get().tps is None


def test_a_bearer_token_client_may_check(cw, bearer_for):
    response = Client(enforce_csrf_checks=True).post(
        API,
        json.dumps({"nik": cw.rahmat.nik, "tps_id": cw.tps_b.pk}),
        content_type="application/json",
        headers=bearer_for(cw.mon_b),
    )
    assert response.status_code == 200 and response.json()["registered"] is True


@pytest.fixture
def bearer_for(db):
    from siaga.accounts.tokens import token_create

    def make(user) -> dict:
        _token, key = token_create(context=CONTEXT, user=user, name="test")
        return {"Authorization": f"Bearer {key}"}

    return make


def test_the_check_is_in_the_api_schema(cw):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"][API]["post"]
    assert {"200", "400", "403", "404", "429"} <= set(operation["responses"])
