"""The SMS channel: the short format parser and the signed gateway webhook /webhooks/sms."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from siaga.accounts.choices import Role
from siaga.core.audit import AuditContext
from siaga.core.models import AuditEvent, Deployment
from siaga.incidents.catalogue import categories_seed
from siaga.incidents.channels import common
from siaga.incidents.channels.sms import ParsedCheck, ParsedReport, ParseError, receive, sms_parse
from siaga.incidents.models import Category, Incident, ProcessedMessage

SECRET = "sms-test-secret"
PHONE = "+6281234500001"


@pytest.fixture
def chan(world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "siaga-channels-sms",
        }
    }
    cache.clear()
    settings.SIAGA_SMS_WEBHOOK_SECRET = SECRET
    Deployment.objects.get_or_create(
        regency=world.regency,
        defaults={"election_name": "Pilkada Kutai Timur 2024", "voting_day": dt.date(2024, 11, 27)},
    )
    categories_seed(context=AuditContext.cli())
    return world


def signed(fields: dict, *, secret=SECRET, ts=None, body: bytes | None = None):
    """The JSON body and signature headers a gateway sends."""
    ts = int(time.time()) if ts is None else ts
    fields = {"timestamp": str(ts), **fields}
    raw = body if body is not None else json.dumps(fields).encode()
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + raw, hashlib.sha256).hexdigest()
    return raw, {"HTTP_X_SIAGA_SIGNATURE": f"sha256={mac}"}


def post_sms(client, text, *, message_id="m-1", phone=PHONE, **options):
    raw, headers = signed({"from": phone, "text": text, "message_id": message_id}, **options)
    return client.post(reverse("webhooks:sms"), raw, content_type="application/json", **headers)


GOOD = "LAPOR 64.08.04.1001 TPS 002 POLITIK UANG pembagian amplop di depan TPS"


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD, ("64.08.04.1001", 2, "politik-uang", "pembagian amplop di depan TPS")),
        ("lapor   6408041001  tps12   pu  bagi-bagi uang", ("64.08.04.1001", 12, "politik-uang", "bagi-bagi uang")),  # noqa: E501
        ("LAPOR 64.08.04.1001 TPS 012 politik uang warga dikumpulkan", ("64.08.04.1001", 12, "politik-uang", "warga dikumpulkan")),  # noqa: E501
        ("LAPOR#6408041001#TPS 3#AMPLOP#bagi amplop #2", ("64.08.04.1001", 3, "politik-uang", "bagi amplop #2")),  # noqa: E501
        ("LAPOR 64.08.04.1001 intimidasi pemilih diancam", ("64.08.04.1001", None, "intimidasi", "pemilih diancam")),  # noqa: E501
        ("Lapor 6408061001TPS-7 KEKERASAN: dua kelompok bentrok", ("64.08.06.1001", 7, "kekerasan", "dua kelompok bentrok")),  # noqa: E501
        ("LAPOR 6408041002 TPS 1 pemilih ganda orang yang sama mencoblos", ("64.08.04.1002", 1, "pemilih-ganda", "orang yang sama mencoblos")),  # noqa: E501
        ("LAPOR 6408041002 TPS 1 politik-uang uang dibagikan", ("64.08.04.1002", 1, "politik-uang", "uang dibagikan")),  # noqa: E501
    ],
)  # fmt: skip
def test_short_format_variants_are_read(chan, text, expected):
    parsed = sms_parse(text, Category.objects.filter(active=True))
    assert isinstance(parsed, ParsedReport), parsed
    assert (parsed.region_code, parsed.tps_number, parsed.category, parsed.description) == expected


def test_longest_keyword_wins_over_a_shorter_one(db):
    short = Category(code="pu-lain", name="Lain", keywords="PU")
    long = Category(code="politik-uang", name="Politik uang", keywords="POLITIK UANG")
    parsed = sms_parse("LAPOR 6408041001 PU POLITIK UANG amplop dibagi", [short, long])
    assert (parsed.category, parsed.description) == ("pu-lain", "POLITIK UANG amplop dibagi")
    parsed = sms_parse("LAPOR 6408041001 POLITIK UANG amplop dibagi", [short, long])
    assert (parsed.category, parsed.description) == ("politik-uang", "amplop dibagi")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Format: LAPOR <kode desa> TPS <nomor> <kategori> <uraian>"),
        ("halo pak", "Contoh: LAPOR 64.08.04.1001 TPS 012 POLITIK UANG"),
        ("LAPOR TPS 1 PU uang dibagi", "Kode desa tidak ada"),
        ("LAPOR 64.08.04 TPS 1 PU uang dibagi", "Kode desa 64.08.04 tidak lengkap"),
        ("LAPOR 6408041001 TPS x PU uang dibagi", "Nomor TPS tidak terbaca"),
        ("LAPOR 6408041001 TPS 0 PU uang dibagi", "Nomor TPS harus 1 atau lebih"),
        ("LAPOR 6408041001 TPS 1 GOSIP uang dibagi", "Kategori tidak dikenali"),
        ("LAPOR 6408041001 TPS 1 AMPLOP", "Uraian kejadian wajib diisi"),
        ("CEK", "Tulis nomor tiket"),
        ("LAPOR 6408041001 TPS 1 PU " + "x" * 4600, "Pesan terlalu panjang"),
    ],
)
def test_bad_messages_get_a_helpful_indonesian_reply(chan, text, says):
    parsed = sms_parse(text, Category.objects.filter(active=True))
    assert isinstance(parsed, ParseError)
    assert says in parsed.message


def test_category_error_lists_the_keywords(chan):
    parsed = sms_parse("LAPOR 6408041001 GOSIP apa saja", Category.objects.filter(active=True))
    assert "POLITIK UANG" in parsed.message and "INTIMIDASI" in parsed.message


@pytest.mark.parametrize(
    "text", ["CEK LK-ABC234", "cek lk abc234", "CEK#ABC234", "status LKABC234"]
)
def test_check_command_is_read(db, text):
    assert sms_parse(text, []) == ParsedCheck("LK-ABC234")


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("+62 812-3450-0001", "6281234500001"),
        ("6281234500001", "6281234500001"),
        ("081234500001", "6281234500001"),
        ("81234500001", "6281234500001"),
        ("12345", ""),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, normalised):
    assert common.normalise_phone(raw) == normalised


# --- the webhook --------------------------------------------------------------------------------


def test_a_valid_sms_lands_once_in_the_queue_with_a_ticket(chan, client):
    response = post_sms(client, GOOD)
    assert response.status_code == 200
    incident = Incident.objects.get()
    assert response.json() == {
        "reply": f"Laporan diterima, nomor {incident.ticket}. Simpan nomor ini."
    }
    assert incident.channel == "sms" and incident.category.code == "politik-uang"
    assert incident.region_id == "64.08.04.1001" and incident.tps.number == 2
    assert incident.reporter is None and incident.reporter_contact == PHONE
    assert incident.description == "pembagian amplop di depan TPS"
    audit = AuditEvent.objects.get(action="incident.create")
    assert audit.channel == "sms" and audit.object_id == str(incident.pk)
    assert ProcessedMessage.objects.get(channel="sms", message_id="m-1").incident == incident


def test_form_fields_are_accepted_too(chan, client):
    ts = int(time.time())
    fields = {"from": "081234500001", "text": GOOD, "message_id": "f-1", "timestamp": str(ts)}
    raw = urlencode(fields).encode()
    _body, headers = signed({}, ts=ts, body=raw)
    response = client.post(
        reverse("webhooks:sms"), raw, content_type="application/x-www-form-urlencoded", **headers
    )
    assert response.status_code == 200 and "Laporan diterima" in response.json()["reply"]
    assert Incident.objects.get().reporter_contact == "+6281234500001"


def test_a_replayed_message_id_answers_the_same_reply_and_stores_one_report(chan, client):
    first = post_sms(client, GOOD, message_id="dup-1")
    again = post_sms(client, GOOD, message_id="dup-1")  # a gateway retry, freshly signed
    assert again.status_code == 200 and again.json() == first.json()
    assert Incident.objects.count() == 1 and ProcessedMessage.objects.count() == 1


def test_an_unparsable_sms_is_answered_with_the_format_and_stores_nothing(chan, client):
    response = post_sms(client, "tolong ada ribut di tps")
    assert response.status_code == 200
    assert response.json()["reply"].startswith("Format: LAPOR <kode desa>")
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("LAPOR 64.08.99.9999 TPS 1 PU uang dibagikan", "Kode wilayah 64.08.99.9999 tidak dikenal"),
        ("LAPOR 64.01.01.2001 TPS 1 PU uang dibagikan", "tidak dikenal di kabupaten ini"),
        ("LAPOR 64.08.04.1001 TPS 9 PU uang dibagikan", "TPS 009 tidak ada di Singa Gembara"),
    ],
)
def test_a_report_the_service_refuses_becomes_a_reply_never_a_500(chan, client, text, says):
    response = post_sms(client, text)
    assert response.status_code == 200 and says in response.json()["reply"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "Isi harus JSON atau form"),
        (b"[1, 2]", "Isi harus JSON atau form"),
    ],
)
def test_a_malformed_body_is_400_with_a_message(chan, client, body, says):
    ts = int(time.time())
    _raw, headers = signed({}, ts=ts, body=body)
    response = client.post(
        reverse("webhooks:sms"), body, content_type="application/json", **headers
    )
    assert response.status_code == 400 and says in response.json()["error"]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"from": PHONE, "text": GOOD}, "message_id wajib diisi"),
        ({"from": "abc", "text": GOOD, "message_id": "x"}, "from harus nomor telepon"),
        ({"from": PHONE, "text": "", "message_id": "x"}, "text wajib diisi"),
        ({"from": PHONE, "text": GOOD, "message_id": "x" * 101}, "message_id wajib diisi"),
    ],
)
def test_missing_fields_are_400_naming_the_field(chan, client, fields, says):
    raw, headers = signed(fields)
    response = client.post(reverse("webhooks:sms"), raw, content_type="application/json", **headers)
    assert response.status_code == 400 and says in response.json()["error"]
    assert not Incident.objects.exists()


def test_a_missing_timestamp_is_400(chan, client):
    raw = json.dumps({"from": PHONE, "text": GOOD, "message_id": "x"}).encode()
    response = client.post(
        reverse("webhooks:sms"),
        raw,
        content_type="application/json",
        HTTP_X_SIAGA_SIGNATURE="sha256=00",
    )
    assert response.status_code == 400 and "timestamp wajib" in response.json()["error"]


def test_forged_and_unsigned_requests_are_403_and_store_nothing(chan, client):
    assert post_sms(client, GOOD, secret="not-the-secret").status_code == 403
    raw, headers = signed({"from": PHONE, "text": GOOD, "message_id": "m-2"})
    tampered = raw.replace(b"TPS 002", b"TPS 001")
    response = client.post(
        reverse("webhooks:sms"), tampered, content_type="application/json", **headers
    )  # noqa: E501
    assert response.status_code == 403
    unsigned = client.post(reverse("webhooks:sms"), raw, content_type="application/json")
    assert unsigned.status_code == 403
    assert not Incident.objects.exists() and not ProcessedMessage.objects.exists()


@pytest.mark.parametrize("offset", [-301, 400])
def test_a_stale_or_future_timestamp_is_403(chan, client, offset):
    response = post_sms(client, GOOD, ts=int(time.time()) + offset)
    assert response.status_code == 403 and "5 menit" in response.json()["error"]
    assert not Incident.objects.exists()


def test_an_oversize_body_is_413(chan, client):
    response = post_sms(client, GOOD + " " + "x" * 70_000)
    assert response.status_code == 413
    assert not Incident.objects.exists()


def test_the_channel_is_off_without_a_secret(chan, client, settings):
    settings.SIAGA_SMS_WEBHOOK_SECRET = ""
    assert post_sms(client, GOOD).status_code == 503
    assert not Incident.objects.exists()


def test_no_csrf_token_is_needed(chan):
    response = post_sms(Client(enforce_csrf_checks=True), GOOD)
    assert response.status_code == 200 and Incident.objects.count() == 1


def test_get_is_not_allowed(client):
    assert client.get(reverse("webhooks:sms")).status_code == 405


def test_a_sender_is_limited_to_twenty_messages_an_hour(chan, client):
    for n in range(common.RATE_PER_HOUR["sms"]):
        assert post_sms(client, "halo", message_id=f"r-{n}").status_code == 200
    response = post_sms(client, GOOD, message_id="r-over")
    assert response.status_code == 429 and "Terlalu banyak pesan" in response.json()["reply"]
    assert not Incident.objects.exists()
    assert not ProcessedMessage.objects.filter(message_id="r-over").exists()
    # another number is not affected
    assert (
        "Laporan diterima"
        in post_sms(client, GOOD, message_id="o-1", phone="+6281299990000").json()["reply"]
    )  # noqa: E501


def test_a_known_users_phone_reports_as_that_user(chan, client):
    world = chan
    tps = world.tps[world.desa_a1.code][1]
    user = world.user(Role.FIELD_MONITOR, scope=[world.desa_a1], username="mon-sms")
    user.phone = "0812-3450-0001"
    user.save()
    response = post_sms(client, GOOD, phone="6281234500001")
    incident = Incident.objects.get()
    assert "Laporan diterima" in response.json()["reply"]
    assert incident.reporter == user and incident.tps == tps and incident.channel == "sms"
    assert AuditEvent.objects.get(action="incident.create").actor == user


def test_a_known_user_outside_the_scope_is_refused_with_a_reply(chan, client):
    world = chan
    user = world.user(Role.FIELD_MONITOR, scope=[world.desa_b1], username="mon-sms-b")
    user.phone = PHONE
    user.save()
    response = post_sms(client, GOOD)
    assert response.json()["reply"] == "Wilayah di luar cakupan Anda."
    assert not Incident.objects.exists()


def test_an_inactive_account_does_not_claim_the_number(chan, client):
    world = chan
    user = world.user(Role.FIELD_MONITOR, scope=[world.desa_b1], username="mon-gone")
    user.phone, user.is_active = PHONE, False
    user.save()
    post_sms(client, GOOD)
    assert Incident.objects.get().reporter is None


def test_check_answers_only_the_number_that_reported(chan, client):
    post_sms(client, GOOD, message_id="c-1")
    ticket = Incident.objects.get().ticket
    own = post_sms(client, f"CEK {ticket}", message_id="c-2", phone="0812 3450 0001").json()
    assert own["reply"] == (
        f"Laporan {ticket} (Politik uang, Singa Gembara TPS 002): status Diterima."
    )
    other = post_sms(client, f"CEK {ticket}", message_id="c-3", phone="+6281299999999").json()
    assert other["reply"] == f"Laporan {ticket} tidak ditemukan untuk pengirim ini."


def test_phone_numbers_and_texts_never_reach_the_log(chan, client, caplog):
    caplog.set_level(logging.DEBUG)
    post_sms(client, GOOD, message_id="l-1")
    post_sms(client, GOOD, message_id="l-2", secret="forged")
    post_sms(client, "CEK LK-ABC234", message_id="l-3")
    logged = caplog.text
    assert "sms webhook: bad signature refused" in logged
    for secret_text in ("81234500001", "amplop", "LK-ABC234"):
        assert secret_text not in logged


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises every writer"
)
def test_copies_of_one_message_racing_each_other_store_one_report(chan):
    barrier = threading.Barrier(6)

    def deliver(_n):
        try:
            barrier.wait()
            return receive(channel="sms", phone=PHONE, text=GOOD, message_id="race-1")
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(deliver, range(6)))
    incident = Incident.objects.get()
    assert answers == [(200, f"Laporan diterima, nomor {incident.ticket}. Simpan nomor ini.")] * 6
    assert ProcessedMessage.objects.count() == 1
    assert AuditEvent.objects.filter(action="incident.create").count() == 1
